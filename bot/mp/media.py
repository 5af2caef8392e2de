"""Photo uploads: the type decided by content, decoded for real, re-encoded without metadata.

A file is accepted only when its first bytes say JPEG, PNG or WebP *and*
Pillow decodes it fully as that same format; the name and the declared
content type are ignored. Every accepted image is re-encoded from its
pixels, which drops EXIF (GPS, camera serials), XMP, comments and any bytes
after the image (polyglots, "motion photo" videos). The EXIF orientation is
applied to the pixels first so photos stay upright. GPS is not kept: the
report carries the location the resident chose, which is what they consented to share.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

SIGNATURES = (("JPEG", b"\xff\xd8\xff"), ("PNG", b"\x89PNG\r\n\x1a\n"))
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
SUFFIX = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


class Rejected(Exception):
    """Not an acceptable image: ``code`` says why (``unsupported_type``, ``undecodable``, ``too_many_pixels``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message

    def __reduce__(self) -> tuple[type[Rejected], tuple[str, str]]:
        return Rejected, (self.code, self.message)  # raised in a worker process, re-raised in the server


@dataclass(frozen=True, slots=True)
class Clean:
    data: bytes
    format: str
    width: int
    height: int

    @property
    def mime(self) -> str:
        return MIME[self.format]


def sniff(head: bytes) -> str | None:
    """The format the magic bytes claim, or ``None``."""
    for name, magic in SIGNATURES:
        if head.startswith(magic):
            return name
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def clean(data: bytes, max_pixels: int) -> Clean:
    """Validate and re-encode; CPU-bound, so the caller runs it in a worker process (:mod:`intake.heavy`)."""
    claimed = sniff(data[:16])
    if claimed is None:
        raise Rejected("unsupported_type", "only JPEG, PNG and WebP images are accepted")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[claimed])
            if image.width * image.height > max_pixels:
                raise Rejected("too_many_pixels", f"images may have at most {max_pixels} pixels")
            image.load()  # decodes every pixel: a truncated or forged body fails here
            upright = ImageOps.exif_transpose(image)
            upright.info.clear()  # some encoders fall back to .info for exif/xmp/icc: give them nothing
    except Rejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, EOFError) as exc:
        raise Rejected("undecodable", f"not a valid {claimed} image") from exc
    return Clean(_encode(upright, claimed), claimed, upright.width, upright.height)


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        rgb = image if image.mode in ("RGB", "L") else image.convert("RGB")
        rgb.save(out, "JPEG", quality=85, optimize=True)  # no exif=, icc_profile=, comment=: none are copied
    elif fmt == "PNG":
        keep = image if image.mode in ("RGB", "RGBA", "L", "LA", "P", "1") else image.convert("RGBA")
        keep.save(out, "PNG", optimize=True)  # text chunks live in .info and are not written back
    else:
        rgba = image if image.mode in ("RGB", "RGBA") else image.convert("RGBA")
        rgba.save(out, "WEBP", quality=85)
    return out.getvalue()


def new_media_id() -> str:
    return "m" + secrets.token_hex(16)


def write(root: Path, media_id: str, image: Clean) -> tuple[str, str]:
    """Store the file under ``root`` atomically; returns its relative path and SHA-256."""
    relative = f"{media_id[1:3]}/{media_id}.{SUFFIX[image.format]}"
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(image.data)
    os.replace(partial, target)
    return relative, hashlib.sha256(image.data).hexdigest()
