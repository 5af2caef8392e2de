"""Polling configured CAP feeds: a single CAP document, or an Atom/RSS index linking to CAP documents.

Every message goes through the same parser and service as ``POST /admin/v1/alerts/cap``; the service
skips identifiers it has seen, so polling the same feed again changes nothing.
"""

from __future__ import annotations

import logging
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from intake.alerts.cap import parse
from intake.alerts.compose import from_cap
from intake.alerts.service import AlertService, Outcome
from intake.errors import DomainError
from notify.http import Http, TransportError

log = logging.getLogger("gridline.alerts")
MAX_FEED_BYTES = 1024 * 1024
MAX_CAP_BYTES = 256 * 1024
MAX_LINKS = 50
TIMEOUT_S = 20.0


class FeedPoller:
    """Polls through notify's :class:`Http`, the one outbound seam (a session per round, closed after it)."""

    def __init__(self, service: AlertService, urls: list[str], timeout_s: float = TIMEOUT_S) -> None:
        self.service, self.urls, self.timeout_s = service, urls, timeout_s

    async def poll_all(self) -> list[Outcome]:
        out: list[Outcome] = []
        http = Http(timeout_s=self.timeout_s)
        try:
            for url in self.urls:
                try:
                    out += await self.poll(http, url)
                except TransportError as exc:
                    log.warning("alert feed unreachable", extra={"url": url, "error": str(exc)[:200]})
        finally:
            await http.close()
        return out

    async def poll(self, http: Http, url: str) -> list[Outcome]:
        body = await http.download(url, MAX_FEED_BYTES)
        links = cap_links(body)
        documents = [body] if links is None else [await http.download(u, MAX_CAP_BYTES) for u in links[:MAX_LINKS]]
        out = []
        for doc in documents:
            try:
                out.append(await self.service.receive(from_cap(parse(doc), self.service.catalogue, "feed")))
            except DomainError as exc:
                log.warning("alert feed item refused", extra={"url": url, "error": exc.message[:200]})
        return out


def cap_links(body: bytes) -> list[str] | None:
    """Links of an Atom or RSS index, or None when the body is itself a CAP alert (or unreadable)."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException):
        return None
    if root.tag.endswith("}alert") or root.tag == "alert":
        return None
    links = [el.get("href", "") for el in root.iter() if el.tag.endswith("}link") and el.get("href")]
    links += [(el.text or "").strip() for el in root.iter() if el.tag == "link" and (el.text or "").strip()]
    return [u for u in dict.fromkeys(links) if u.startswith(("http://", "https://"))]

