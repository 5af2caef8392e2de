"""The handled photos a reporter is shown (处置后照片): staff photos of the case's latest 处置, watermarked.

PIPL: only photos staff took for the handling (stored watermarked, EXIF stripped) — never another resident's
photo, never a name or a number. The reporter reaches them through a signed link in their progress message
(``/photos/<token>``, :func:`sign` / :func:`verify`): a 公众号 resident has no session on the web, and the link
names the case and its expiry, signed with the server's key, so it cannot be turned into another case's.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta

from intake.store.models import CaseEvent, Media

LINK_TTL = timedelta(days=30)
MAX_SHOWN = 9
TOKEN = re.compile(r"^([A-Za-z0-9-]{1,32})\.(\d{1,12})\.([0-9a-f]{32})$")


def link_key(secret: str) -> bytes:
    """The links' key, derived so that it is never the secret itself (which may also sign other things)."""
    return hmac.new(secret.encode(), b"gridline handled-photo links", hashlib.sha256).digest()


def sign(key: bytes, case_no: str, now: datetime) -> str:
    expires = int((now + LINK_TTL).timestamp())
    return f"{case_no}.{expires}.{_mac(key, case_no, expires)}"


def verify(key: bytes, token: str, now: datetime) -> str | None:
    """The case number a genuine, unexpired token names; None for anything else."""
    found = TOKEN.match(token)
    if found is None or int(found[2]) < now.timestamp():
        return None
    return found[1] if hmac.compare_digest(_mac(key, found[1], int(found[2])), found[3]) else None


def _mac(key: bytes, case_no: str, expires: int) -> str:
    return hmac.new(key, f"{case_no}.{expires}".encode(), hashlib.sha256).hexdigest()[:32]


async def photos(case_no: str, waiting: bool = False) -> list[Media]:
    """The stored staff photos attached to the case's latest 处置 (``handle``), in their order; ``waiting``:
    with those still being watermarked (:mod:`intake.photos.pending`: stored a moment after the answer, so a
    progress message routed at once still links them; whoever serves one waits for its copy)."""
    event = await CaseEvent.filter(case_no=case_no, action="handle").order_by("-seq").first()
    refs = [r for r in (event.attachments if event is not None else []) if isinstance(r, str)][:MAX_SHOWN]
    if not refs:
        return []
    states = ("stored", "pending") if waiting else ("stored",)
    rows = {r.media_id: r for r in await Media.filter(media_id__in=refs, case_no=case_no, source="staff",
                                                      state__in=states)}
    return [rows[r] for r in refs if r in rows]
