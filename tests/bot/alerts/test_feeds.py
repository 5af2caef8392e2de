"""Feed indexes: Atom / RSS links to CAP documents, or a CAP document itself, polled over notify's Http."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.alerts.feeds import FeedPoller, cap_links
from intake.alerts.policy import AlertPolicy, QuietHours
from intake.alerts.service import AlertService
from intake.alerts.signals import catalogue
from intake.store.models_alerts import Alert
from tests.bot.alerts.test_alerts_api import cn_cap
from tests.conftest import Services, shared_data
from tests.fakes.serving import serving

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


@pytest.fixture
async def feed_server(uid: str) -> AsyncIterator[str]:
    """/feed.atom links to two CAP documents; /broken.atom links to one that answers 404."""
    app = web.Application()

    async def index(request: web.Request) -> web.Response:
        names = ["a", "b"] if request.match_info["name"] == "feed" else ["a", "missing"]
        links = "".join(f'<entry><link href="{request.url.origin()}/cap/{n}.xml"/></entry>' for n in names)
        return web.Response(text=f'<feed xmlns="http://www.w3.org/2005/Atom">{links}</feed>',
                            content_type="application/atom+xml")

    async def cap(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in ("a", "b"):
            raise web.HTTPNotFound()
        return web.Response(body=cn_cap(f"{uid}{name}"), content_type="application/xml")

    app.router.add_get("/{name}.atom", index)
    app.router.add_get("/cap/{name}.xml", cap)
    async with serving(app) as base:
        yield base


async def test_polling_receives_each_document_once(services: Services, feed_server: str, uid: str) -> None:
    service = AlertService(services.ctx.grid, services.ctx.notifier, services.clock,
                           AlertPolicy(QuietHours.parse("")), catalogue())
    poller = FeedPoller(service, [f"{feed_server}/feed.atom", f"{feed_server}/broken.atom", "http://127.0.0.1:9/x"],
                        timeout_s=2.0)
    first = await poller.poll_all()
    assert [o.action for o in first] == ["issued", "issued"] and all(o.cells > 0 for o in first)
    again = await poller.poll_all()  # the broken feed and the unreachable one are logged, not raised
    assert [o.action for o in again] == ["duplicate", "duplicate"]
    # Left in force over 南澳, these warnings reached the ALERTS-command test through the shared database.
    ours = Alert.filter(identifier__in=[f"44030041600000_{uid}{n}" for n in "ab"])
    assert await ours.update(status="cancelled") == 2
