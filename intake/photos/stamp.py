"""The staff photo's server-side watermark (time, case number, position) and content-addressed files.

The watermark is burnt into the pixels of the copy gridline keeps, so a photo shown or exported later
says when and where it was taken and for which case, whoever crops the caption. The text is ASCII
(digits, a case number, coordinates), so Pillow's built-in font draws it without a CJK font file.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from intake.photos import images

EXT = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def watermark(data: bytes, text: str) -> bytes:
    """A JPEG copy of the (already validated) image ``data`` with ``text`` on a dark band at the bottom.

    CPU-bound: run in the heavy-step pool like the validation."""
    with Image.open(io.BytesIO(data)) as source:
        return _stamped(source.convert("RGB"), text)


def stamp_original(data: bytes, text: str, max_pixels: int) -> tuple[bytes, int, int]:
    """The kept copy of a staff photo's original: checked and decoded again (the file waited on disk), turned
    upright, stripped of metadata, watermarked and encoded once; (JPEG, width, height). CPU-bound: a worker's."""
    image = images.upright_rgb(data, max_pixels)
    return _stamped(image, text), image.width, image.height


def _stamped(image: Image.Image, text: str) -> bytes:
    size = max(10, min(48, image.width // 36))
    font = ImageFont.load_default(size=size)
    draw = ImageDraw.Draw(image, "RGBA")
    band = size + size // 2
    draw.rectangle((0, image.height - band, image.width, image.height), fill=(0, 0, 0, 150))
    draw.text((size // 3, image.height - band + size // 4), text, fill=(255, 255, 255, 255), font=font)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def write(root: Path, data: bytes, mime: str) -> tuple[str, str]:
    """Store ``data`` as ``<2 hex>/<sha256>.<ext>`` under ``root`` (atomically; an existing file is kept,
    being the same bytes); returns the relative path and the SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    relative = f"{digest[:2]}/{digest}.{EXT.get(mime, 'bin')}"
    target = root / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.part")
        partial.write_bytes(data)
        os.replace(partial, target)
    return relative, digest
