"""Signed webhooks: a case event POSTed as JSON to a subscriber's URL (the address names the subscriber).

The body is signed when it is sent (``notify.signing``: HMAC-SHA256 over ``"<t>." + body``), so a retry
carries a fresh timestamp and the receiver's replay window stays short; ``X-Gridline-Delivery`` is the
event's key, the same on every retry, for the receiver to drop copies. Secrets live in the sender's
configuration, never in the outbox row. Answers: 2xx delivered; 408, 425, 429 and 5xx (or no answer)
retried with backoff (``Retry-After`` honoured, capped); 410 Gone stops (the subscriber left); any other
status, a redirect included, is a dead letter with that status.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from notify import signing
from notify.channels.base import bad_body
from notify.http import Http, TransportError
from notify.types import Attempt, ChannelName, Envelope, Outcome

TRANSIENT = frozenset({408, 425, 429})
MAX_ANSWER = 4096  # the receiver's answer is not read beyond its status
MAX_RETRY_AFTER_S = 3600.0


@dataclass(frozen=True, slots=True)
class Subscriber:
    url: str
    secret: str = field(repr=False)


def retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After", "")
    return min(float(value), MAX_RETRY_AFTER_S) if value.isascii() and value.isdigit() else None


class WebhookChannel:
    def __init__(self, http: Http, subscribers: Mapping[str, Subscriber], clock: Callable[[], float] = time.time,
                 name: str = ChannelName.WEBHOOK) -> None:
        self._http, self._subscribers, self._clock, self._name = http, subscribers, clock, name

    @property
    def name(self) -> str:
        return self._name

    async def send(self, envelope: Envelope) -> Attempt:
        subscriber = self._subscribers.get(envelope.address)
        if subscriber is None:  # configuration changed since the row was written
            return Attempt(Outcome.STOP, detail=f"no webhook subscriber {envelope.address!r}")
        if not envelope.body:
            return bad_body("empty event")
        body = json.dumps(dict(envelope.body), ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", signing.EVENT: envelope.kind,
                   signing.DELIVERY: envelope.key,
                   signing.SIGNATURE: signing.header(subscriber.secret, int(self._clock()), body)}
        try:
            answer = await self._http.send("POST", subscriber.url, data=body, headers=headers, max_bytes=MAX_ANSWER,
                                           cut=True)
        except TransportError as exc:
            return Attempt(Outcome.RETRY, code=exc.status, detail=str(exc)[:500])
        status = answer.status
        if 200 <= status < 300:
            return Attempt(Outcome.DELIVERED, detail=f"HTTP {status}")
        if status >= 500 or status in TRANSIENT:
            return Attempt(Outcome.RETRY, code=status, detail=f"HTTP {status}",
                           retry_after_s=retry_after(answer.headers))
        return Attempt(Outcome.STOP if status == 410 else Outcome.DEAD, code=status, detail=f"HTTP {status}")
