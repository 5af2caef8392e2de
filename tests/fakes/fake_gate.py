"""What every fake API endpoint passes through: latency, scripted failures, rate limits, and the record."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


def err(code: int, message: str) -> web.Response:
    return web.json_response({"errcode": code, "errmsg": message})


@dataclass(frozen=True)
class FakeDelivery:
    api: str
    to: str
    msgid: str
    payload: dict[str, Any]
    at: float

    def content(self) -> str:
        """The message without its address: equal contents to one address are duplicates."""
        return json.dumps({k: v for k, v in self.payload.items() if k not in ("touser", "access_token")},
                          sort_keys=True, ensure_ascii=False)


@dataclass
class _Bucket:
    per_s: float
    burst: float
    tokens: float
    last: float

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.per_s)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass
class Gate:
    limits: dict[str, _Bucket] = field(default_factory=dict)  # "api" or "api:address"
    script: dict[str, list[int]] = field(default_factory=dict)  # api -> errcodes answered next (500-599: HTTP)
    latency_s: dict[str, float] = field(default_factory=dict)  # api (or "*") -> seconds before answering
    deliveries: list[FakeDelivery] = field(default_factory=list)
    answers: Counter[str] = field(default_factory=Counter)  # "api errcode" -> count
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1_000_000_001))

    def limit(self, api: str, per_s: float, burst: float | None = None) -> None:
        burst = max(1.0, burst if burst is not None else per_s)
        self.limits[api] = _Bucket(per_s, burst, burst, time.monotonic())

    def fail(self, api: str, *codes: int) -> None:
        self.script.setdefault(api, []).extend(codes)

    async def enter(self, api: str, to: str | None = None) -> web.Response | None:
        """An error answer for this call, or None to go on."""
        delay = self.latency_s.get(api, self.latency_s.get("*", 0.0))
        if delay > 0:
            await asyncio.sleep(delay)
        if self.script.get(api):
            code = self.script[api].pop(0)
            self.answers[f"{api} {code}"] += 1
            if 500 <= code < 600:
                return web.Response(status=code, text="server error")
            return err(code, "injected failure" if code != 45009 else "reach max api daily quota limit")
        for key in (f"{api}:{to}", api):
            bucket = self.limits.get(key)
            if bucket is not None and not bucket.take():
                self.answers[f"{api} 45009"] += 1
                return err(45009, "api freq out of limit")
        return None

    def refuse(self, api: str, code: int, message: str) -> web.Response:
        self.answers[f"{api} {code}"] += 1
        return err(code, message)

    def record(self, api: str, to: str, payload: dict[str, Any]) -> str:
        msgid = str(next(self._ids))
        self.deliveries.append(FakeDelivery(api, to, msgid, payload, time.time()))
        self.answers[f"{api} 0"] += 1
        return msgid

    def delivered(self, api: str | None = None, to: str | None = None) -> list[FakeDelivery]:
        return [d for d in self.deliveries if (api is None or d.api == api) and (to is None or d.to == to)]

    def duplicates(self) -> int:
        """Deliveries beyond the first of each (api, address, content)."""
        seen = Counter((d.api, d.to, d.content()) for d in self.deliveries)
        return sum(n - 1 for n in seen.values())

    def stats(self) -> dict[str, Any]:
        return {"delivered": len(self.deliveries), "duplicates": self.duplicates(), "answers": dict(self.answers),
                "by_api": dict(Counter(d.api for d in self.deliveries))}
