"""Photos a phone sends (EXIF with GPS and time) and the hostile kind a staff upload must refuse."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image

from tests.bot.mp.images import JPEG_THEN_HTML, ZIP, gif, png_claiming

LAT, LNG = 22.5933, 114.4706
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _dms(value: float) -> tuple[float, float, float]:
    d = int(value)
    m = int((value - d) * 60)
    return float(d), float(m), round((value - d - m / 60) * 3600, 4)


def phone_photo(width: int = 320, height: int = 240, lat: float = LAT, lng: float = LNG) -> bytes:
    """A JPEG as a phone writes it: camera make, GPS position and the time taken (+08:00) in its EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCam"
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.DateTimeOriginal] = "2026:12:01 09:30:00"
    sub[ExifTags.Base.OffsetTimeOriginal] = "+08:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", _dms(lat)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", _dms(lng)
    out = io.BytesIO()
    Image.new("RGB", (width, height), (240, 240, 240)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_exif_png(size: int = 2 * 1024 * 1024) -> bytes:
    """A small valid PNG carrying an eXIf chunk of ``size`` bytes."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG")
    png = out.getvalue()
    end = png.rindex(b"IEND") - 4
    return png[:end] + _chunk(b"eXIf", b"MM\x00*" + b"\x00" * size) + png[end:]


def many_app1_jpeg(segments: int = 8) -> bytes:
    """A JPEG with ``segments`` APP1 segments of ~64 KB each (metadata of half a megabyte)."""
    body = phone_photo(16, 16)
    app1 = b"\xff\xe1" + struct.pack(">H", 65000) + b"Exif\x00\x00" + b"\x00" * (65000 - 8)
    return body[:2] + app1 * segments + body[2:]


HOSTILE = {
    "jpeg_then_html": JPEG_THEN_HTML, "zip": ZIP, "gif": gif(), "svg": SVG,
    "bomb": png_claiming(60_000, 60_000), "huge_exif_png": huge_exif_png(), "many_app1": many_app1_jpeg(),
    "polyglot_tail": phone_photo(16, 16)[:-200] + b"<script>alert(1)</script>",
}
