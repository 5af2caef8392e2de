"""Photo uploads: the type decided by content, decoded for real, re-encoded without metadata.

A file is accepted only when its first bytes say JPEG, PNG or WebP *and* Pillow decodes it fully as that
same format; the name and the declared content type are ignored. Every accepted image is re-encoded from
its pixels, which drops EXIF (GPS, camera serials), XMP, comments and any bytes after the image
(polyglots, "motion photo" videos). The EXIF orientation is applied to the pixels first so photos stay
upright. Metadata beyond :data:`MAX_METADATA` is refused before decoding (a huge EXIF is an attack, not a photo).

:func:`inspect` (staff photos) also reads the GPS position and the time taken from the EXIF *before*
it is stripped: the position check of 核实 / 处置 compares them with the case's point.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

SIGNATURES = (("JPEG", b"\xff\xd8\xff"), ("PNG", b"\x89PNG\r\n\x1a\n"))
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
SUFFIX = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_METADATA = 256 * 1024  # a phone's EXIF with its thumbnail is well under 100 KB
CAMERA_TZ = timezone(timedelta(hours=8))  # EXIF times carry no zone unless OffsetTime says: China's


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
    upright, claimed, _ = _decode(data, max_pixels)
    return Clean(_encode(upright, claimed), claimed, upright.width, upright.height)


def inspect(data: bytes, max_pixels: int) -> Inspected:
    """:func:`clean`, plus the original's hash and its EXIF position and time (read before stripping)."""
    upright, claimed, exif = _decode(data, max_pixels)
    position = _position(exif)
    cleaned = Clean(_encode(upright, claimed), claimed, upright.width, upright.height)
    return Inspected(cleaned, hashlib.sha256(data).hexdigest(), _taken(exif),
                     position[0] if position else None, position[1] if position else None)


def _decode(data: bytes, max_pixels: int) -> tuple[Image.Image, str, Image.Exif]:
    claimed = sniff(data[:16])
    if claimed is None:
        raise Rejected("unsupported_type", "only JPEG, PNG and WebP images are accepted")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[claimed])
            if image.width * image.height > max_pixels:
                raise Rejected("too_many_pixels", f"images may have at most {max_pixels} pixels")
            _check_metadata(image)
            image.load()  # decodes every pixel: a truncated or forged body fails here
            _check_metadata(image)  # chunks after the pixels (a PNG's eXIf at the end) are read by load()
            exif = image.getexif()
            upright = ImageOps.exif_transpose(image)
            upright.info.clear()  # some encoders fall back to .info for exif/xmp/icc: give them nothing
    except Rejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, EOFError) as exc:
        raise Rejected("undecodable", f"not a valid {claimed} image") from exc
    return upright, claimed, exif


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


def _position(exif: Image.Exif) -> tuple[float, float] | None:
    """(lat, lng) in WGS-84 from the GPS IFD, or ``None`` when absent or nonsense (never an error)."""
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "S")
        lng = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "W")
    except (TypeError, ValueError, ZeroDivisionError, KeyError, AttributeError):
        return None
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180) or (lat, lng) == (0.0, 0.0):
        return None
    return round(lat, 7), round(lng, 7)


def _degrees(value: object, ref: object, negative: str) -> float | None:
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    d, m, s = (float(v) for v in value)
    sign = -1.0 if str(ref).strip().upper() == negative else 1.0
    return sign * (d + m / 60 + s / 3600)


def _taken(exif: Image.Exif) -> datetime | None:
    """DateTimeOriginal (else DateTime), in its OffsetTimeOriginal when given, else China's time."""
    try:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        raw = sub.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
        if not isinstance(raw, str):
            return None
        at = datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
        offset = sub.get(ExifTags.Base.OffsetTimeOriginal)
        zone = datetime.strptime(offset, "%z").tzinfo if isinstance(offset, str) else CAMERA_TZ
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return at.replace(tzinfo=zone or CAMERA_TZ).astimezone(UTC)
