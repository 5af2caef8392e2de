"""What a photo's EXIF says about where and when it was taken, read from the header (no pixel decoded).

Never an error: a missing, broken or nonsense GPS or time reads as ``None``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from PIL import ExifTags, Image

CAMERA_TZ = timezone(timedelta(hours=8))  # EXIF times carry no zone unless OffsetTime says: China's


def position(exif: Image.Exif) -> tuple[float, float] | None:
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


def taken(exif: Image.Exif) -> datetime | None:
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
