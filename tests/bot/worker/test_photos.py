"""Staff photos over HTTP: 处置反馈 and 巡查上报 with photos (watermarked, SHA-256 in the audit event),
the scoped media route, and hostile uploads refused with nothing stored."""

from __future__ import annotations

import hashlib
import io
import re

import aiohttp
import pytest
from PIL import Image

from bot.web import media, watermarks
from intake.photos import handled, pending
from intake.store.models import Case, CaseEvent, Media
from tests.bot.conftest import QUIET_CATEGORY, _staff, walk
from tests.bot.worker.conftest import Site
from tests.bot.worker.photo_files import HOSTILE, LAT, LNG, phone_photo
from tests.bot.worker.test_pages import signed_in

MEDIA = re.compile(r'src="(/worker/media/m[0-9a-f]{32})"')


def handle_form(csrf: str, *photos: bytes, note: str = "已清理完毕") -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)  # first: the middleware reads it before any photo
    form.add_field("action", "handle")
    form.add_field("note", note)
    for number, data in enumerate(photos):
        form.add_field("photo", data, filename=f"IMG_{number}.jpg", content_type="image/jpeg")
    form.add_field("lat", "")
    form.add_field("lng", "")
    return form


async def test_handled_with_a_photo_is_watermarked_hashed_and_shown(site: Site, uid: str) -> None:
    case_no = await walk(site.api, "handling", f"ph-{uid}")
    phone, csrf = await signed_in(site, "w1", case_no)
    original = phone_photo()
    async with phone:
        async with phone.post(f"/worker/cases/{case_no}", data=handle_form(csrf, original),
                              allow_redirects=False) as resp:
            assert resp.status == 303, await resp.text()
        assert (await Case.get(case_no=case_no)).status == "handled"
        row = await Media.get(case_no=case_no, source="staff")
        event = await CaseEvent.get(case_no=case_no, action="handle")
        assert event.data["photos"][0]["sha256"] is None  # answered before the watermark: the original's hash only
        done = await pending.ready(row.media_id, 10.0)  # stamped after the answer, in the background
        assert done is not None and done.state == "stored" and done.caption and case_no in done.caption
        assert not (site.api.svc.home / "media" / "pending" / f"{row.media_id}.jpg").exists()  # original gone
        row = done
        assert row.original_sha256 == hashlib.sha256(original).hexdigest() and row.owner.startswith("user:")
        assert row.lat == pytest.approx(LAT, abs=1e-5) and row.lng == pytest.approx(LNG, abs=1e-5)
        stored = (site.api.svc.home / "media" / row.path).read_bytes()
        assert row.path == f"{row.sha256[:2]}/{row.sha256}.jpg" == f"{hashlib.sha256(stored).hexdigest()[:2]}/" \
            f"{hashlib.sha256(stored).hexdigest()}.jpg"
        image = Image.open(io.BytesIO(stored))
        assert not image.getexif() and image.convert("RGB").getpixel((2, image.height - 2))[0] < 150  # the band
        assert event.attachments == [row.media_id]
        assert event.data["photos"][0]["original_sha256"] == row.original_sha256
        assert event.data["photos"][0]["lat"] == pytest.approx(LAT, abs=1e-5)
        async with phone.get(f"/worker/cases/{case_no}") as resp:
            urls = MEDIA.findall(await resp.text())
        assert urls == [f"/worker/media/{row.media_id}"]
        async with phone.get(urls[0]) as resp:
            assert resp.status == 200 and resp.headers["Content-Type"] == "image/jpeg"
            assert resp.headers["X-Content-Type-Options"] == "nosniff"
            assert await resp.read() == stored


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_uploads_are_refused_and_nothing_is_stored(site: Site, uid: str, name: str) -> None:
    case_no = await walk(site.api, "handling", f"px-{uid}")
    phone, csrf = await signed_in(site, "w1", case_no)
    async with phone:  # a good photo first: the bad one after it must still leave nothing
        async with phone.post(f"/worker/cases/{case_no}", data=handle_form(csrf, phone_photo(), HOSTILE[name]),
                              allow_redirects=False) as resp:
            assert resp.status == 303
        async with phone.get(f"/worker/cases/{case_no}") as resp:
            assert "flash error" in await resp.text()
    assert (await Case.get(case_no=case_no)).status == "handling"
    assert not await Media.filter(case_no=case_no).exists()


async def test_an_oversized_photo_or_a_missing_csrf_stores_nothing(site: Site, uid: str) -> None:
    case_no = await walk(site.api, "handling", f"py-{uid}")
    phone, csrf = await signed_in(site, "w1", case_no)
    async with phone:
        big = phone_photo() + b"\x00" * (6 * 1024 * 1024)
        async with phone.post(f"/worker/cases/{case_no}", data=handle_form(csrf, big), allow_redirects=False) as resp:
            assert resp.status == 303
        async with phone.post(f"/worker/cases/{case_no}", data=handle_form("", phone_photo())) as resp:
            assert resp.status == 403
    assert (await Case.get(case_no=case_no)).status == "handling"
    assert not await Media.filter(case_no=case_no).exists()


async def test_another_cells_worker_gets_404_for_the_photo(site: Site, uid: str) -> None:
    case_no = await walk(site.api, "handling", f"pz-{uid}")
    phone, csrf = await signed_in(site, "w1", case_no)
    async with phone, phone.post(f"/worker/cases/{case_no}", data=handle_form(csrf, phone_photo())) as resp:
        assert resp.status == 200
    row = await Media.get(case_no=case_no)
    if "far" not in site.api.staff:
        site.api.staff["far"] = await _staff("别处网格员", "worker", (site.api.other_leaf,))
    stranger = site.phone()
    async with stranger:
        async with stranger.get(site.link("far", case_no), allow_redirects=False) as resp:
            assert resp.status == 303
        async with stranger.get(f"/worker/media/{row.media_id}") as resp:
            assert resp.status == 404
        async with stranger.get("/worker/media/m" + "0" * 32) as resp:
            assert resp.status == 404
    async with site.phone() as nobody, nobody.get(f"/worker/media/{row.media_id}", allow_redirects=False) as resp:
        assert resp.status == 303 and resp.headers["Location"].startswith("/worker/login")


async def test_a_patrol_report_with_photos_seals_them_in_the_opening_event(site: Site, uid: str) -> None:
    phone, csrf = await signed_in(site, "w1", await walk(site.api, "dispatched", f"pp-{uid}"))
    lat, lng = site.api.point(site.api.leaves[0])
    form = aiohttp.FormData()
    for key, value in (("csrf", csrf), ("description", f"巡查发现井盖缺失 {uid}"), ("category", QUIET_CATEGORY),
                       ("lat", f"{lat:.6f}"), ("lng", f"{lng:.6f}"), ("address", "")):
        form.add_field(key, value)
    original = phone_photo()
    form.add_field("photo", original, filename="a.jpg", content_type="image/jpeg")
    async with phone, phone.post("/worker/report", data=form, allow_redirects=False) as resp:
        assert resp.status == 303, await resp.text()
    case = await Case.get(description=f"巡查发现井盖缺失 {uid}")
    row = await Media.get(case_no=case.case_no)
    opened = await CaseEvent.get(case_no=case.case_no, action="open")
    assert case.photos == [row.media_id] == opened.attachments
    assert opened.data["photos"][0]["original_sha256"] == hashlib.sha256(original).hexdigest() == row.original_sha256


async def test_a_photo_left_pending_is_never_served_until_the_periodic_pass_stamps_it(
        site: Site, uid: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watermarks, "start", lambda *args: None)  # the process stopped right after its answer
    monkeypatch.setattr(media, "WAIT_S", 0.2)
    case_no = await walk(site.api, "handling", f"pq-{uid}")
    phone, csrf = await signed_in(site, "w1", case_no)
    original = phone_photo()
    async with phone:
        async with phone.post(f"/worker/cases/{case_no}", data=handle_form(csrf, original),
                              allow_redirects=False) as resp:
            assert resp.status == 303
        row = await Media.get(case_no=case_no, source="staff")
        assert row.state == "pending" and (await Case.get(case_no=case_no)).status == "handled"
        async with phone.get(f"/worker/cases/{case_no}") as resp:
            assert MEDIA.findall(await resp.text()) == [f"/worker/media/{row.media_id}"]
        async with phone.get(f"/worker/media/{row.media_id}") as resp:  # waited, then "not yet": never the original
            body = await resp.read()
            assert resp.status == 503 and resp.headers["Retry-After"] == "2" and resp.content_type == "text/html"
            assert b"\xff\xd8" not in body and b"PhoneCam" not in body
        assert await handled.photos(case_no) == []  # not stored yet; the reporter's link waits for it as above
        assert [r.media_id for r in await handled.photos(case_no, waiting=True)] == [row.media_id]

        app = site.api.client.app
        await watermarks.job_body(app)()  # within its grace: the answer's own stamping may still be running
        assert (await Media.get(id=row.id)).state == "pending"
        site.api.svc.clock.advance(seconds=pending.GRACE.total_seconds())
        await watermarks.job_body(app)()  # the periodic pass of a restarted process
        done = await Media.get(id=row.id)
        stored = (site.api.svc.home / "media" / done.path).read_bytes()
        assert done.state == "stored" and hashlib.sha256(stored).hexdigest() == done.sha256
        async with phone.get(f"/worker/media/{row.media_id}") as resp:
            assert resp.status == 200 and await resp.read() == stored != original
        assert [r.media_id for r in await handled.photos(case_no)] == [row.media_id]
