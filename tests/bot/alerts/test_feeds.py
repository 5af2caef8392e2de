"""Feed indexes: Atom / RSS links to CAP documents, or a CAP document itself (the HTTP polling is untested)."""

from __future__ import annotations

from bot.alerts.feeds import cap_links
from tests.conftest import shared_data

ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="https://x.example/a.cap"/></entry>
<entry><link href="https://x.example/b.cap"/></entry><entry><link href="javascript:alert(1)"/></entry></feed>"""
RSS = b"<rss><channel><item><link>https://x.example/c.cap</link></item></channel></rss>"


def test_index_links() -> None:
    assert cap_links(ATOM) == ["https://x.example/a.cap", "https://x.example/b.cap"]
    assert cap_links(RSS) == ["https://x.example/c.cap"]


def test_cap_document_and_hostile_bodies_are_not_indexes() -> None:
    assert cap_links(shared_data("standards/cap_example_cn_henan_11B06.xml").read_bytes()) is None
    assert cap_links(b'<!DOCTYPE a [<!ENTITY x "y">]><feed>&x;</feed>') is None
    assert cap_links(b"not xml") is None
