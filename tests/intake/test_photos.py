"""Staff photos' inspection: the EXIF position and time are read before stripping; hostile files refused."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from intake.photos import images, stamp
from tests.bot.worker.photo_files import HOSTILE, LAT, LNG, phone_photo


def test_inspect_reads_gps_and_time_then_strips_them() -> None:
    data = phone_photo()
    seen = images.inspect(data, 50_000_000)
    assert seen.original_sha256 == hashlib.sha256(data).hexdigest()
    assert seen.lat == pytest.approx(LAT, abs=1e-5) and seen.lng == pytest.approx(LNG, abs=1e-5)
    assert seen.taken_at == datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    stripped = Image.open(io.BytesIO(seen.clean.data))
    assert not stripped.getexif() and b"PhoneCam" not in seen.clean.data


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_are_rejected(name: str) -> None:
    with pytest.raises(images.Rejected):
        images.inspect(HOSTILE[name], 50_000_000)


def test_metadata_beyond_the_cap_is_named() -> None:
    with pytest.raises(images.Rejected) as caught:
        images.inspect(HOSTILE["huge_exif_png"], 50_000_000)
    assert caught.value.code == "metadata_too_large"


def test_the_watermark_is_in_the_pixels_and_files_are_content_addressed(tmp_path: object) -> None:
    clean = images.inspect(phone_photo(), 50_000_000).clean
    marked = stamp.watermark(clean.data, "2026-12-01 09:30 +08 | 202612010001 | 22.59330,114.47060")
    image = Image.open(io.BytesIO(marked)).convert("RGB")
    assert image.getpixel((image.width - 2, image.height - 2))[0] < 150  # the dark band; the photo is light grey
    assert image.getpixel((image.width // 2, 5))[0] > 200
    from pathlib import Path
    root = Path(str(tmp_path))
    first, digest = stamp.write(root, marked, "image/jpeg")
    again, _ = stamp.write(root, marked, "image/jpeg")
    assert first == again == f"{digest[:2]}/{digest}.jpg" and (root / first).read_bytes() == marked
