"""The audit checkpoint's external witness: an append-only file of JSON lines, outside the database.

Each delivered checkpoint is one line, appended (``O_APPEND``) and flushed to disk before the row counts
as delivered; a failure to write is retried by the outbox. Delivery is at least once, so a checkpoint may
appear twice: readers take lines by day (``intake.audit_witness``). Put the file where the database's
administrators cannot rewrite it (another host's mount, a WORM volume, a log shipped elsewhere).
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from notify.channels.base import bad_body
from notify.types import Attempt, ChannelName, Envelope, Outcome

FIELDS = ("day", "at", "cutoff", "cases", "heads_hash", "prev_hash", "hash")


def _append(path: Path, line: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


class FileWitnessChannel:
    def __init__(self, path: Path, name: str = ChannelName.WITNESS_FILE) -> None:
        self._path, self._name = path, name

    @property
    def name(self) -> str:
        return self._name

    async def send(self, envelope: Envelope) -> Attempt:
        missing = [f for f in FIELDS if f not in envelope.body]
        if missing:
            return bad_body(f"missing {', '.join(missing)}")
        record: dict[str, Any] = {f: envelope.body[f] for f in FIELDS}
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        try:
            await asyncio.to_thread(_append, self._path, line)
        except OSError as exc:
            return Attempt(Outcome.RETRY, detail=f"witness file: {exc.strerror or exc}"[:500])
        return Attempt(Outcome.DELIVERED, detail=str(self._path))
