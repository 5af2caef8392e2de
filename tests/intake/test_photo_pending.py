"""Staff photos watermarked after the answer: kept pending with their original, stamped by the periodic
pass when the process that took them stopped first, retried when over budget, never lost."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from PIL import ExifTags, Image

from intake.cases.model import Actor
from intake.cases.states import Role
from intake.errors import Busy
from intake.photos import images, pending, staff, stamp
from intake.store.models import Media
from tests.bot.worker.photo_files import HOSTILE, LAT, LNG, phone_photo
from tests.conftest import T0, Services

WORKER = Actor("user:9001", "网格员", Role.WORKER, user_id=9001)


async def in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.to_thread(fn, *args)


async def over_budget(fn: Callable[..., Any], *args: Any) -> Any:
    raise Busy("the request needs more than 5 s of computation; simplify it")


async def _kept(svc: Services, uid: str, data: bytes) -> tuple[staff.PhotoConfig, Media]:
    """A photo taken and kept pending, its stamping never started (the process stopped after the answer)."""
    config = staff.PhotoConfig(root=svc.home / "media")
    photos = await staff.inspect_all(in_thread, config, [data])
    [row] = await staff.store(config, f"P{uid}", WORKER, photos, T0, device=None)
    return config, row


async def test_a_photo_left_pending_is_stamped_by_the_periodic_pass(svc: Services, uid: str) -> None:
    original = phone_photo(640, 480)
    config, row = await _kept(svc, uid, original)
    assert row.state == "pending" and row.sha256 == "" and row.path == f"pending/{row.media_id}.jpg"
    assert (config.root / row.path).read_bytes() == original  # the original, whole, on disk: nothing lost
    assert row.caption == f"2026-12-01 09:30 +08 | P{uid} | {LAT:.5f},{LNG:.5f}"
    assert await pending.ready(row.media_id, 0) is None
    assert (await staff.evidence(f"P{uid}", [row.media_id]))[0]["sha256"] is None

    await pending.finish_due(in_thread, config.root, config.max_pixels, T0)  # within its grace: left alone
    assert (await Media.get(id=row.id)).state == "pending"
    await pending.finish_due(in_thread, config.root, config.max_pixels, T0 + pending.GRACE)
    done = await Media.get(id=row.id)
    stored = (config.root / done.path).read_bytes()
    assert done.state == "stored" and done.sha256 == hashlib.sha256(stored).hexdigest() and done.size == len(stored)
    assert done.path == f"{done.sha256[:2]}/{done.sha256}.jpg" and (done.width, done.height) == (640, 480)
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif() and b"PhoneCam" not in stored
    assert image.convert("RGB").getpixel((2, image.height - 2))[0] < 150  # the band; the photo is light grey
    assert not (config.root / row.path).exists()  # the original (GPS in its EXIF) is gone
    assert done.original_sha256 == hashlib.sha256(original).hexdigest()
    assert (await staff.evidence(f"P{uid}", [row.media_id]))[0]["sha256"] == done.sha256
    assert (await pending.ready(row.media_id, 0)) is not None


async def test_a_stamping_over_budget_is_retried_then_kept_for_a_person(svc: Services, uid: str) -> None:
    config, row = await _kept(svc, uid, phone_photo())
    for attempt in range(1, pending.MAX_TRIES + 1):
        row = await Media.get(id=row.id)
        state = await pending.finish(over_budget, config.root, config.max_pixels, row, T0)
        after = await Media.get(id=row.id)
        assert after.tries == attempt and "computation" in (after.last_error or "")
        if attempt < pending.MAX_TRIES:
            assert state == after.state == "pending"
            assert after.next_try_at == T0 + pending.GRACE * 2 ** (attempt - 1)
        else:
            assert state == after.state == "lost" and after.next_try_at is None
    assert (config.root / row.path).exists()  # never served, kept for a person to look at
    assert (await pending.ready(row.media_id, 0)) is not None  # no longer waited for


async def test_a_photo_finished_twice_is_stored_once(svc: Services, uid: str) -> None:
    config, row = await _kept(svc, uid, phone_photo())
    first = await pending.finish(in_thread, config.root, config.max_pixels, row, T0)
    second = await pending.finish(in_thread, config.root, config.max_pixels, row, T0 + timedelta(seconds=1))
    assert first == second == "stored" and (await Media.get(id=row.id)).state == "stored"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_checks_refuse_what_inspect_refuses(name: str) -> None:
    with pytest.raises(images.Rejected):
        images.check(HOSTILE[name], 50_000_000)


def test_a_turned_photo_is_measured_and_stamped_upright() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # the camera held upright: stored sideways
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (240, 240, 240)).save(out, "JPEG", exif=exif)
    seen = images.check(out.getvalue(), 50_000_000)
    _, width, height = stamp.stamp_original(out.getvalue(), "x", 50_000_000)
    assert (seen.width, seen.height) == (width, height) == (240, 320)


def _noise_jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((800, 600), 40).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def _claiming(data: bytes, width: int, height: int) -> bytes:
    """The JPEG with its frame header (SOF0) claiming another size."""
    at = data.index(b"\xff\xc0") + 5
    return data[:at] + height.to_bytes(2, "big") + width.to_bytes(2, "big") + data[at + 4:]


@pytest.mark.parametrize("case", ["cut_in_half", "bomb", "cut_before_the_body"])
def test_the_reduced_decode_still_refuses_a_broken_jpeg(case: str) -> None:
    good = _noise_jpeg()
    bad = {"cut_in_half": good[: len(good) // 2], "bomb": _claiming(good, 8_000, 7_000),
           "cut_before_the_body": good[: good.index(b"\xff\xda") + 2]}[case]
    assert images.check(good, 50_000_000).width == 800
    with pytest.raises(images.Rejected) as caught:
        images.check(bad, 50_000_000)
    assert caught.value.code == ("too_many_pixels" if case == "bomb" else "undecodable")


async def test_originals_no_pending_row_names_are_swept(svc: Services, uid: str) -> None:
    config, row = await _kept(svc, uid, phone_photo())
    folder = config.root / pending.FOLDER
    stray, fresh = folder / f"m{uid}stray.jpg", folder / f"m{uid}fresh.jpg.123.part"
    for path in (stray, fresh):
        path.write_bytes(b"\xff\xd8 EXIF with GPS")
    old = time.time() - 2 * pending.ORPHAN_AGE_S
    for path in (stray, config.root / row.path):
        os.utime(path, (old, old))
    assert await pending.sweep_originals(config.root) >= 1
    assert not stray.exists() and fresh.exists() and (config.root / row.path).exists()
    fresh.unlink()
