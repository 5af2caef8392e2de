"""Mini-program photo uploads: validated and re-encoded by :mod:`intake.photos.images` (shared with the
staff's photos), then written under a fresh media id.

GPS is not kept: the report carries the location the resident chose, which is what they consented to share.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from intake.photos import staff
from intake.photos.images import MIME, SUFFIX, Clean, Rejected, clean, sniff

__all__ = ["MIME", "SUFFIX", "Clean", "Rejected", "clean", "new_media_id", "sniff", "write"]


def new_media_id() -> str:
    return staff.new_media_id()


def write(root: Path, media_id: str, image: Clean) -> tuple[str, str]:
    """Store the file under ``root`` atomically; returns its relative path and SHA-256."""
    relative = f"{media_id[1:3]}/{media_id}.{SUFFIX[image.format]}"
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(image.data)
    os.replace(partial, target)
    return relative, hashlib.sha256(image.data).hexdigest()
