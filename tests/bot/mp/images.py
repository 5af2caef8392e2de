"""Test images: real ones with metadata to strip, and the hostile kind."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image, PngImagePlugin

GPS_TEXT = "secret-gps 22.5933,114.4706"


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    exif[ExifTags.Base.Orientation] = 6  # rotate 90° clockwise to display
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (22.0, 35.0, 36.0)
    return exif


def photo(fmt: str = "JPEG", width: int = 64, height: int = 48) -> bytes:
    """A ``width``×``height`` image carrying EXIF (camera make, orientation 6, GPS) and, as PNG, a text chunk."""
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), (200, 30, 30))
    extra: dict[str, object] = {"exif": _exif()}
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", GPS_TEXT)
        extra["pnginfo"] = info
    image.save(out, fmt, **extra)
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (8, 8)).save(out, "GIF")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header announces ``width``×``height`` pixels (a decompression bomb's shape)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * (width + 1) * 4)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


JPEG_THEN_HTML = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"<html><script>alert(document.cookie)</script></html>"
ZIP = b"PK\x03\x04" + b"\x14\x00" * 8 + b"evil.html<script>alert(1)</script>" + b"PK\x05\x06" + b"\x00" * 18
