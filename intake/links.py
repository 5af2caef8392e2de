"""Signed links for grid workers: one tap on a task card opens the case, signed in.

A link names one user and one case and carries an expiry; an HMAC-SHA256 over the three binds
them, so changing any of them (another case, another user, a later expiry) breaks the signature.
The key is a server secret (GRIDLINE_WORKER_LINK_SECRET). Who may use the case once signed in is
still decided by the case's scope: a link never widens what its user may see.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_TTL = timedelta(days=7)
MAX_DIGITS = 12  # longer "numbers" are forgeries: refuse them before parsing


@dataclass(frozen=True, slots=True)
class SignedLink:
    user_id: int
    case_no: str
    expires: int  # Unix seconds

    def query(self, key: bytes) -> dict[str, str]:
        """The query parameters that carry this link: ``u``, ``exp`` and ``sig``."""
        return {"u": str(self.user_id), "exp": str(self.expires), "sig": _sign(key, self)}


def issue(key: bytes, user_id: int, case_no: str, now: datetime, ttl: timedelta = DEFAULT_TTL) -> SignedLink:
    return SignedLink(user_id, case_no, int((now + ttl).timestamp()))


def verify(key: bytes, case_no: str, user: str, expires: str, sig: str, now: datetime) -> SignedLink | None:
    """The link when the parameters are intact and not expired, else ``None`` (never says which)."""
    if not (_number(user) and _number(expires)) or len(sig) > 64:
        return None
    link = SignedLink(int(user), case_no, int(expires))
    if not hmac.compare_digest(_sign(key, link).encode(), sig.encode("utf-8", "replace")):
        return None
    return link if link.expires > now.timestamp() else None


def _number(text: str) -> bool:
    return text.isascii() and text.isdigit() and 0 < len(text) <= MAX_DIGITS


def _sign(key: bytes, link: SignedLink) -> str:
    message = f"worker-link|{link.user_id}|{link.case_no}|{link.expires}".encode()
    return base64.urlsafe_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode().rstrip("=")
