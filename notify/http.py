"""The one outbound HTTP seam: every WeChat / WeCom / SMS provider call goes through :class:`Http`.

Tests point the clients' base URLs at the fake server; nothing else in notify/ opens a connection.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

MAX_JSON = 1 << 20
MAX_MEDIA = 10 << 20
# Secrets travel in query strings (access_token, webhook key, secret): never let them into an error message,
# which ends up in the outbox's last_error and the admin API.
_SECRETS = re.compile(r"((?:access_token|key|secret|corpsecret|js_code)=)[^&\s'\")]+", re.IGNORECASE)


async def read_capped(stream: aiohttp.StreamReader, limit: int) -> bytes:
    """The whole body, or its first ``limit + 1`` bytes when it is longer (the caller refuses those).

    ``StreamReader.read(n)`` answers with what is buffered, often one network read: a body bigger
    than that must be read in a loop, or it arrives cut short.
    """
    chunks, size = [], 0
    while size <= limit and (chunk := await stream.read(limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def scrub(text: str) -> str:
    return _SECRETS.sub(r"\1***", text)


class TransportError(Exception):
    """Network failure, timeout, 5xx or an unreadable answer: always worth a retry."""

    def __init__(self, detail: str, status: int | None = None) -> None:
        super().__init__(scrub(detail))
        self.status = status


@dataclass(frozen=True, slots=True)
class ApiReply:
    """A JSON answer; ``errcode`` is 0 when the API left it out (WeChat omits it on success for some calls)."""

    status: int
    data: Mapping[str, Any]
    errcode: int
    errmsg: str

    @property
    def ok(self) -> bool:
        return self.errcode == 0


@dataclass(frozen=True, slots=True)
class Blob:
    data: bytes
    content_type: str


def parse_reply(status: int, raw: bytes) -> ApiReply:
    if status >= 500:
        raise TransportError(f"HTTP {status}", status)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise TransportError(f"HTTP {status}: not JSON", status) from exc
    if not isinstance(data, dict):
        raise TransportError(f"HTTP {status}: JSON is not an object", status)
    code = data.get("errcode", 0)
    return ApiReply(status, data, code if isinstance(code, int) else -1, str(data.get("errmsg", "")))


class Http:
    """An aiohttp session with timeouts and size limits; owns the session only if it created it."""

    def __init__(self, session: aiohttp.ClientSession | None = None, timeout_s: float = 10.0) -> None:
        self._own = session is None
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout_s, connect=min(timeout_s, 5.0))

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256))
        return self._session

    async def call(self, method: str, url: str, *, params: Mapping[str, str] | None = None,
                   json: Any = None, data: bytes | None = None,
                   headers: Mapping[str, str] | None = None) -> ApiReply:
        """A JSON API call; raises :class:`TransportError` on anything that is not a JSON object below 500.

        ``data`` and ``headers``: a body sent byte for byte with its own headers, for APIs that sign the exact
        bytes (Tencent Cloud's TC3, Aliyun's RPC form)."""
        # ensure_ascii=False: WeChat counts content length in characters of the UTF-8 body.
        body = data if json is None else _dumps(json)
        if headers is None and json is not None:
            headers = {"Content-Type": "application/json; charset=utf-8"}
        try:
            async with self.session.request(method, url, params=params, data=body, headers=headers,
                                            timeout=self._timeout) as resp:
                raw = await read_capped(resp.content, MAX_JSON)
                return parse_reply(resp.status, raw[:MAX_JSON])
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc

    async def fetch(self, url: str, *, params: Mapping[str, str] | None = None,
                    max_bytes: int = MAX_MEDIA) -> Blob | ApiReply:
        """Binary download (media/get): the bytes, or the JSON error WeChat answers instead."""
        try:
            async with self.session.get(url, params=params, timeout=self._timeout) as resp:
                kind = resp.content_type or "application/octet-stream"
                raw = await read_capped(resp.content, max_bytes)
                if kind in ("application/json", "text/plain") or resp.status >= 400:
                    return parse_reply(resp.status, raw[:MAX_JSON])
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        if len(raw) > max_bytes:
            raise TransportError(f"media larger than {max_bytes} bytes")
        return Blob(raw, kind)

    async def download(self, url: str, max_bytes: int) -> bytes:
        """A plain GET (a feed, a document): the body, or :class:`TransportError` on a status of 400 or more,
        a network failure or a body over ``max_bytes``."""
        try:
            async with self.session.get(url, timeout=self._timeout) as resp:
                if resp.status >= 400:
                    raise TransportError(f"HTTP {resp.status} from {url}", resp.status)
                raw = await read_capped(resp.content, max_bytes)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        if len(raw) > max_bytes:
            raise TransportError(f"{url} is larger than {max_bytes} bytes")
        return raw

    async def close(self) -> None:
        if self._own and self._session is not None:
            await self._session.close()
            self._session = None


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
