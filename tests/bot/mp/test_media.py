"""Uploads: the type by content, a real decode, metadata stripped from what is stored, size and ownership."""

from __future__ import annotations

import io
from dataclasses import replace

from PIL import Image

from bot.keys import HEAVY
from intake.store.models import Media
from tests.bot.mp.conftest import Mp, Phone
from tests.bot.mp.images import GPS_TEXT, JPEG_THEN_HTML, ZIP, gif, photo, png_claiming


async def _stored(mp: Mp, media_id: str) -> bytes:
    row = await Media.get(media_id=media_id)
    return (mp.media_dir / row.path).read_bytes()


async def test_jpeg_is_stored_upright_without_exif(mp: Mp, phone: Phone) -> None:
    original = photo("JPEG")
    assert b"SpyCam" in original
    reply = await phone.upload(original)
    assert reply.status == 201, reply.body
    assert reply.body["mime"] == "image/jpeg" and (reply.body["width"], reply.body["height"]) == (48, 64)
    stored = await _stored(mp, reply.body["media_id"])
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (48, 64)  # the orientation was applied to the pixels
    assert dict(image.getexif()) == {} and b"Exif" not in stored and b"SpyCam" not in stored
    row = await Media.get(media_id=reply.body["media_id"])
    assert (row.owner, row.size, row.case_no) == (phone.openid, len(stored), None)


async def test_png_and_webp_lose_their_metadata_too(mp: Mp, phone: Phone) -> None:
    for fmt, mime in (("PNG", "image/png"), ("WEBP", "image/webp")):
        reply = await phone.upload(photo(fmt), filename="x.jpg", content_type="image/jpeg")  # the name lies
        assert (reply.status, reply.body["mime"]) == (201, mime), reply.body
        stored = await _stored(mp, reply.body["media_id"])
        image = Image.open(io.BytesIO(stored))
        assert image.format == fmt and dict(image.getexif()) == {}
        assert GPS_TEXT.encode() not in stored and b"SpyCam" not in stored and b"eXIf" not in stored


async def test_the_owner_can_read_a_photo_back_and_nobody_else(mp: Mp, phone: Phone) -> None:
    reply = await phone.upload(photo("PNG"))
    media_id = reply.body["media_id"]
    mine = await phone.call("GET", f"/mp/v1/media/{media_id}")
    assert mine.status == 200 and mine.body == await _stored(mp, media_id)
    assert mine.headers["Content-Type"] == "image/png" and mine.headers["X-Content-Type-Options"] == "nosniff"
    other = Phone(mp, phone.openid + "x")
    await other.login()
    assert (await other.call("GET", f"/mp/v1/media/{media_id}")).status == 404
    assert (await mp.call("GET", f"/mp/v1/media/{media_id}")).status == 401
    assert (await phone.call("GET", "/mp/v1/media/m" + "0" * 32)).status == 404


async def test_wrong_types_are_415(phone: Phone) -> None:
    cases = {
        "gif renamed .jpg": (gif(), "photo.jpg", "image/jpeg", "unsupported_type"),
        "html": (b"<!doctype html><script>alert(1)</script>", "a.png", "image/png", "unsupported_type"),
        "zip": (ZIP, "a.jpg", "image/jpeg", "unsupported_type"),
        "jpeg header then html": (JPEG_THEN_HTML, "a.jpg", "image/jpeg", "undecodable"),
        "truncated jpeg": (photo("JPEG", 400, 300)[:600], "a.jpg", "image/jpeg", "undecodable"),
        "png header then zip": (b"\x89PNG\r\n\x1a\n" + ZIP, "a.png", "image/png", "undecodable"),
        "decompression bomb": (png_claiming(8000, 8000), "a.png", "image/png", "too_many_pixels"),
        "huge bomb": (png_claiming(30000, 30000), "a.png", "image/png", "undecodable"),
    }
    for name, (content, filename, declared, error) in cases.items():
        reply = await phone.upload(content, filename, declared)
        assert (reply.status, reply.error) == (415, error), name


async def test_a_real_jpeg_with_a_zip_appended_is_stored_without_it(mp: Mp, phone: Phone) -> None:
    reply = await phone.upload(photo("JPEG") + ZIP)
    assert reply.status == 201, reply.body
    stored = await _stored(mp, reply.body["media_id"])
    assert b"PK\x03\x04" not in stored and b"<script>" not in stored and stored.endswith(b"\xff\xd9")


async def test_oversized_and_empty_uploads(mp: Mp, phone: Phone) -> None:
    big = photo("JPEG") + b"\x00" * (5 * 1024 * 1024)
    reply = await phone.upload(big)
    assert (reply.status, reply.error) == (413, "too_large")
    empty = await phone.upload(b"")
    assert (empty.status, empty.error) == (400, "invalid")


async def test_the_body_must_be_multipart_with_a_file_part(mp: Mp, phone: Phone) -> None:
    as_json = await phone.call("POST", "/mp/v1/media", json={"file": "x"})
    assert (as_json.status, as_json.error) == (400, "invalid")
    import aiohttp

    form = aiohttp.FormData()
    form.add_field("image", photo(), filename="a.jpg", content_type="image/jpeg")
    wrong_name = await phone.call("POST", "/mp/v1/media", data=form)
    assert (wrong_name.status, wrong_name.error) == (400, "invalid")
    broken = await phone.call("POST", "/mp/v1/media", data=b"--xx\r\nnonsense",
                              headers={"Content-Type": "multipart/form-data; boundary=xx"})
    assert broken.status == 400


async def test_upload_needs_a_session(mp: Mp) -> None:
    reply = await Phone(mp, "nobody").upload(photo())
    assert reply.status == 401


async def test_decoding_runs_in_the_budgeted_worker_pool(mp: Mp, phone: Phone) -> None:
    # A decoder bomb must not hold the event loop: decoding runs in the app's worker pool, whose budget
    # a request cannot outrun. A budget nothing fits in shows it: 503 busy, nothing stored.
    pool = mp.client.app[HEAVY]
    before = await Media.filter(owner=phone.openid).count()
    saved = pool.budget
    pool.budget = replace(saved, seconds=0.000_001)
    replies = []
    try:
        # A loop stalled by a loaded machine can see the 1 µs timer and the finished decode in the same
        # iteration, and then the decode counts as in time (once in CI): a few tries, one must be refused.
        for _ in range(5):
            replies.append(await phone.upload(photo("PNG")))
            if replies[-1].status == 503:
                break
    finally:
        pool.budget = saved
    refused = replies[-1]
    assert refused.status == 503 and refused.body["error"] == "busy", [r.body for r in replies]
    assert await Media.filter(owner=phone.openid).count() == before + len(replies) - 1  # the refused: not stored
    assert (await phone.upload(photo("PNG"))).status == 201  # the pool was rebuilt for the next one
