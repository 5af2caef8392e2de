"""Photos the resident sent: fetched from WeChat by MediaId (``/cgi-bin/media/get``) into storage.

Only a local directory store is implemented; an S3-compatible store fits the same
:class:`MediaStorage` protocol (``put`` returning a reference) and is left out for now.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from notify.http import ApiReply, TransportError
from notify.wechat import WeChatClient

MEDIA_ID = re.compile(r"^[A-Za-z0-9_\-]{1,128}$")
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
              "audio/amr": ".amr", "audio/mpeg": ".mp3", "video/mp4": ".mp4"}


class MediaError(Exception):
    def __init__(self, detail: str, errcode: int | None = None, retry: bool = False) -> None:
        super().__init__(detail)
        self.errcode, self.retry = errcode, retry


class MediaStorage(Protocol):
    async def put(self, name: str, data: bytes, content_type: str) -> str:
        """Store the bytes; return a reference to keep on the case."""
        ...


@dataclass(frozen=True, slots=True)
class MediaRef:
    ref: str
    content_type: str
    size: int
    sha256: str


class LocalMediaStorage:
    """Files under ``root/<2 hex>/<sha256><ext>``; content-addressed, so a refetch writes nothing new."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def put(self, name: str, data: bytes, content_type: str) -> str:
        relative = f"{name[:2]}/{name}{EXTENSIONS.get(content_type, '.bin')}"
        await asyncio.to_thread(self._write, self.root / relative, data)
        return f"local:{relative}"

    def path_of(self, ref: str) -> Path:
        if not ref.startswith("local:") or ".." in ref:
            raise ValueError(f"not a local media reference: {ref!r}")
        return self.root / ref.removeprefix("local:")

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)  # atomic: a reader never sees half a photo


async def fetch_media(client: WeChatClient, media_id: str, storage: MediaStorage,
                      allowed: frozenset[str] = frozenset(EXTENSIONS)) -> MediaRef:
    """Download one media file; :class:`MediaError` (``retry`` set when worth trying again) if WeChat refuses."""
    if not MEDIA_ID.fullmatch(media_id):
        raise MediaError("bad media id")
    try:
        result = await client.fetch("/cgi-bin/media/get", {"media_id": media_id})
    except TransportError as exc:
        raise MediaError(str(exc), retry=True) from exc
    if isinstance(result, ApiReply):
        raise MediaError(f"{result.errcode} {result.errmsg}"[:300], result.errcode, retry=result.errcode in (-1, 45009))
    if result.content_type not in allowed:
        raise MediaError(f"content type {result.content_type!r} not allowed")
    digest = hashlib.sha256(result.data).hexdigest()
    ref = await storage.put(digest, result.data, result.content_type)
    return MediaRef(ref, result.content_type, len(result.data), digest)
