"""Photo uploads: the type decided by content, decoded for real, re-encoded without metadata.

A file is accepted only when its first bytes say JPEG, PNG or WebP *and* Pillow decodes it fully as that
same format; the name and the declared content type are ignored. Every accepted image is re-encoded from
its pixels, which drops EXIF (GPS, camera serials), XMP, comments and any bytes after the image
(polyglots, "motion photo" videos). The EXIF orientation is applied to the pixels first so photos stay
upright. Metadata beyond :data:`MAX_METADATA` is refused before decoding (a huge EXIF is an attack, not a photo).

:func:`check` (staff photos) decides the same way — every pixel decoded — and reads the GPS position and
the time taken from the EXIF, but does not re-encode: re-encoding is the costly part (~10× the decoding),
and a staff photo is re-encoded once, with its watermark, after the answer (:mod:`intake.photos.pending`).
The position check of 核实 / 处置 compares the EXIF position with the case's point.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field
from datetime import datetime

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from intake.photos import exif_read

SIGNATURES = (("JPEG", b"\xff\xd8\xff"), ("PNG", b"\x89PNG\r\n\x1a\n"))
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
SUFFIX = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_METADATA = 256 * 1024  # a phone's EXIF with its thumbnail is well under 100 KB
CAMERA_TZ = exif_read.CAMERA_TZ


class Rejected(Exception):
    """Not an acceptable image: ``code`` says why (``unsupported_type``, ``undecodable``, ``too_many_pixels``,
    ``metadata_too_large``)."""

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


@dataclass(frozen=True, slots=True)
class Inspected:
    """A staff photo: the clean image, the original's SHA-256, and what its EXIF said before stripping."""

    clean: Clean
    original_sha256: str
    taken_at: datetime | None
    lat: float | None
    lng: float | None


@dataclass(frozen=True, slots=True)
class Checked:
    """A staff photo that passed every check (nothing re-encoded yet): its upright size, the original's
    SHA-256 and what its EXIF said. ``original``: the bytes, attached in the server process (never pickled
    back from the worker)."""

    format: str
    width: int
    height: int
    original_sha256: str
    taken_at: datetime | None
    lat: float | None
    lng: float | None
    original: bytes = field(default=b"", repr=False, compare=False)


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
    upright, claimed, _, _ = _decode(data, max_pixels)
    return Clean(_encode(upright, claimed), claimed, upright.width, upright.height)


def inspect(data: bytes, max_pixels: int) -> Inspected:
    """:func:`clean`, plus the original's hash and its EXIF position and time (read before stripping)."""
    upright, claimed, exif, _ = _decode(data, max_pixels)
    seen = _checked(data, claimed, upright.width, upright.height, exif)
    cleaned = Clean(_encode(upright, claimed), claimed, upright.width, upright.height)
    return Inspected(cleaned, seen.original_sha256, seen.taken_at, seen.lat, seen.lng)


def check(data: bytes, max_pixels: int) -> Checked:
    """:func:`inspect`'s verdict, hash, position and time without the re-encoding; CPU-bound (a worker process).

    A JPEG is decoded at 1/8 scale (``draft``): every block of the body is still entropy-decoded, so a
    truncated or forged body fails as in a full decode, but only 1/64 of the pixels are built."""
    _, claimed, exif, (width, height) = _decode(data, max_pixels, upright=False, reduced=True)
    if exif.get(ExifTags.Base.Orientation) in (5, 6, 7, 8):  # what exif_transpose will swap
        width, height = height, width
    return _checked(data, claimed, width, height, exif)


def upright_rgb(data: bytes, max_pixels: int) -> Image.Image:
    """The (already checked) image decoded again, turned upright, in RGB, with no metadata left on it."""
    image, _, _, _ = _decode(data, max_pixels)
    return image if image.mode == "RGB" else image.convert("RGB")


def _checked(data: bytes, claimed: str, width: int, height: int, exif: Image.Exif) -> Checked:
    position = exif_read.position(exif)
    return Checked(claimed, width, height, hashlib.sha256(data).hexdigest(), exif_read.taken(exif),
                   position[0] if position else None, position[1] if position else None)


def _decode(data: bytes, max_pixels: int, upright: bool = True,
            reduced: bool = False) -> tuple[Image.Image, str, Image.Exif, tuple[int, int]]:
    """The image (upright unless told), its format, its EXIF and its size as stored (before any draft)."""
    claimed = sniff(data[:16])
    if claimed is None:
        raise Rejected("unsupported_type", "only JPEG, PNG and WebP images are accepted")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[claimed])
            size = image.size
            if image.width * image.height > max_pixels:
                raise Rejected("too_many_pixels", f"images may have at most {max_pixels} pixels")
            _check_metadata(image)
            if reduced and claimed == "JPEG":
                image.draft(image.mode, (max(1, size[0] // 8), max(1, size[1] // 8)))
            image.load()  # decodes every pixel: a truncated or forged body fails here
            _check_metadata(image)  # chunks after the pixels (a PNG's eXIf at the end) are read by load()
            exif = image.getexif()
            turned = ImageOps.exif_transpose(image) if upright else image
            turned.info.clear()  # some encoders fall back to .info for exif/xmp/icc: give them nothing
    except Rejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, EOFError) as exc:
        raise Rejected("undecodable", f"not a valid {claimed} image") from exc
    return turned, claimed, exif, size


def _check_metadata(image: Image.Image) -> None:
    """Metadata (JPEG APPn segments, PNG text / eXIf chunks, WebP EXIF / XMP) within :data:`MAX_METADATA`."""
    segments = sum(len(body) for _, body in getattr(image, "applist", []))
    info = sum(len(v) for v in image.info.values() if isinstance(v, bytes | str))
    if segments + info > MAX_METADATA:
        raise Rejected("metadata_too_large", f"image metadata may take at most {MAX_METADATA} bytes")


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
