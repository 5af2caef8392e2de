"""Webhook signatures: HMAC-SHA256 over the timestamp and the exact body, in one header.

``X-Gridline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``. A receiver
recomputes the HMAC over the raw body it received, compares in constant time, and refuses a timestamp
further than ``TOLERANCE_S`` from its clock: a captured delivery cannot be replayed later, and within the
window ``X-Gridline-Delivery`` (the same for every retry of one event) lets it drop a second copy.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE = "X-Gridline-Signature"
DELIVERY = "X-Gridline-Delivery"
EVENT = "X-Gridline-Event"
TOLERANCE_S = 300


class BadSignature(Exception):
    pass


def digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={digest(secret, timestamp, body)}"


def verify(secret: str, value: str, body: bytes, now: float, tolerance_s: int = TOLERANCE_S) -> int:
    """The signed timestamp when ``value`` signs ``body`` and is recent; :class:`BadSignature` otherwise."""
    parts = dict(p.split("=", 1) for p in value.split(",") if "=" in p)
    stamp, given = parts.get("t", ""), parts.get("v1", "")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12) or not given:
        raise BadSignature("malformed signature header")
    if abs(now - int(stamp)) > tolerance_s:
        raise BadSignature("timestamp outside the tolerance (a replay, or a clock off)")
    if not hmac.compare_digest(digest(secret, int(stamp), body), given):
        raise BadSignature("signature does not match the body")
    return int(stamp)
