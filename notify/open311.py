"""An Open311 GeoReport v2 client: pushing a case to an upstream city platform (12345, 城市管理平台).

GeoReport v2 (https://wiki.open311.org/GeoReport_v2): ``POST requests.json`` with the ``api_key`` and the
request's fields form-encoded; the answer is a list with one object holding ``service_request_id`` (or a
``token`` when the platform creates the request later: ``GET tokens/{token}.json`` gives the id);
``GET requests.json?service_request_id=a,b`` reads their ``status`` (open | closed) and ``status_notes``.
Errors are a list of ``{"code": 403, "description": "…"}`` with the HTTP status.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from notify.http import Http, TransportError

MAX_IDS = 50  # ids per status read: the query string stays short


class Open311Error(Exception):
    """The platform refused: ``status`` is the HTTP status, ``code``/``description`` its first error."""

    def __init__(self, status: int, code: int | None, description: str) -> None:
        super().__init__(f"HTTP {status} code {code}: {description}"[:500])
        self.status, self.code, self.description = status, code, description


@dataclass(frozen=True, slots=True)
class Created:
    service_request_id: str | None
    token: str | None
    notice: str = ""


@dataclass(frozen=True, slots=True)
class Status:
    service_request_id: str
    status: str  # open | closed (GeoReport v2 knows only these two)
    status_notes: str
    updated: str | None
    agency: str | None


def _text(value: Any, limit: int = 500) -> str | None:
    return None if value is None or isinstance(value, (dict, list)) else str(value)[:limit]


def parse(status: int, raw: bytes) -> list[dict[str, Any]]:
    """The answer's objects, or :class:`Open311Error` / :class:`TransportError` (5xx, not the format)."""
    if status >= 500:
        raise TransportError(f"HTTP {status}", status)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise TransportError(f"HTTP {status}: not JSON", status) from exc
    if isinstance(data, dict):  # some platforms answer one object, not a list of one
        data = [data]
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise TransportError(f"HTTP {status}: not a GeoReport list", status)
    if status >= 400:
        first = data[0] if data else {}
        code = first.get("code")
        raise Open311Error(status, code if isinstance(code, int) else None, _text(first.get("description")) or "")
    return data


class Open311Client:
    """One upstream endpoint (``base`` ends before ``requests.json``), its key and jurisdiction."""

    def __init__(self, http: Http, base: str, api_key: str, jurisdiction_id: str | None = None) -> None:
        self._http, self._base, self._key, self._jurisdiction = http, base.rstrip("/"), api_key, jurisdiction_id

    def _query(self) -> dict[str, str]:
        return {"jurisdiction_id": self._jurisdiction} if self._jurisdiction else {}

    async def create(self, fields: Mapping[str, str]) -> Created:
        form = {**self._query(), **fields, "api_key": self._key}
        answer = await self._http.send("POST", f"{self._base}/requests.json", data=form)
        items = parse(answer.status, answer.body)
        first = items[0] if items else {}
        created = Created(_text(first.get("service_request_id"), 64), _text(first.get("token"), 64),
                          _text(first.get("service_notice")) or "")
        if created.service_request_id is None and created.token is None:
            raise TransportError(f"HTTP {answer.status}: neither service_request_id nor token", answer.status)
        return created

    async def resolve(self, token: str) -> str | None:
        """The id a token became, or None while the platform has not created the request yet."""
        answer = await self._http.send("GET", f"{self._base}/tokens/{quote(token, safe='')}.json",
                                       params=self._query())
        items = parse(answer.status, answer.body)
        return _text(items[0].get("service_request_id"), 64) if items else None

    async def statuses(self, ids: Sequence[str]) -> list[Status]:
        params = {**self._query(), "service_request_id": ",".join(ids[:MAX_IDS])}
        answer = await self._http.send("GET", f"{self._base}/requests.json", params=params)
        out = []
        for item in parse(answer.status, answer.body):
            found, status = _text(item.get("service_request_id"), 64), _text(item.get("status"), 16)
            if found and status:
                out.append(Status(found, status.lower(), _text(item.get("status_notes")) or "",
                                  _text(item.get("updated_datetime"), 40), _text(item.get("agency_responsible"))))
        return out
