"""A photo's own GPS stands in for the device's position (处置 and 巡查上报), and says so."""

from __future__ import annotations

import io

import aiohttp
import pytest
from PIL import Image

from intake.store.models import Case, CaseEvent
from tests.bot.conftest import QUIET_CATEGORY, walk
from tests.bot.worker.conftest import Site
from tests.bot.worker.photo_files import LAT, LNG, phone_photo
from tests.bot.worker.test_pages import signed_in


def plain_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 150), (200, 210, 220)).save(out, "JPEG")
    return out.getvalue()


def handle_at(csrf: str, photo: bytes, lat: str, lng: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for key, value in (("csrf", csrf), ("action", "handle"), ("note", "已清理完毕"), ("lat", lat), ("lng", lng)):
        form.add_field(key, value)
    form.add_field("photo", photo, filename="IMG_0.jpg", content_type="image/jpeg")
    return form


async def handled(site: Site, uid: str, photo: bytes, device: tuple[float, float] | None = None) -> Case:
    case_no = await walk(site.api, "handling", f"gp-{uid}")
    phone, csrf = await signed_in(site, "w1", case_no)
    lat, lng = (f"{device[0]:.6f}", f"{device[1]:.6f}") if device else ("", "")
    async with phone, phone.post(f"/worker/cases/{case_no}", data=handle_at(csrf, photo, lat, lng),
                                 allow_redirects=False) as resp:
        assert resp.status == 303, await resp.text()
    return await Case.get(case_no=case_no)


async def test_without_a_device_position_the_photos_gps_is_the_position_marked_and_checked(site: Site,
                                                                                         uid: str) -> None:
    case = await handled(site, uid, phone_photo())  # LAT, LNG: far from the case's cell
    assert case.status == "handled"
    position = (await CaseEvent.get(case_no=case.case_no, action="handle")).data["position"]
    assert position["source"] == "photo_exif"
    assert (position["lat"], position["lng"]) == (pytest.approx(LAT, abs=1e-5), pytest.approx(LNG, abs=1e-5))
    [flag] = case.position_flags or []
    assert flag["action"] == "handle" and flag["source"] == "photo_exif" and flag["distance_m"] > 200


async def test_a_device_position_wins_over_the_photos(site: Site, uid: str) -> None:
    probe = await Case.get(case_no=await walk(site.api, "handling", f"gq-{uid}"))
    assert probe.lat is not None and probe.lng is not None
    case = await handled(site, uid, phone_photo(), device=(probe.lat, probe.lng))
    position = (await CaseEvent.get(case_no=case.case_no, action="handle")).data["position"]
    assert position["source"] == "device" and position["lat"] == pytest.approx(probe.lat, abs=1e-5)


async def test_a_photo_without_gps_and_no_device_position_records_no_position(site: Site, uid: str) -> None:
    case = await handled(site, uid, plain_photo())
    event = await CaseEvent.get(case_no=case.case_no, action="handle")
    assert "position" not in event.data and not case.position_flags


def patrol_form(csrf: str, uid: str, photo: bytes) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for key, value in (("csrf", csrf), ("description", f"巡查发现井盖缺失 {uid}"), ("category", QUIET_CATEGORY),
                       ("lat", ""), ("lng", ""), ("address", "")):
        form.add_field(key, value)
    form.add_field("photo", photo, filename="a.jpg", content_type="image/jpeg")
    return form


async def test_a_patrol_report_is_placed_by_its_photo_when_the_device_gave_no_position(site: Site, uid: str) -> None:
    phone, csrf = await signed_in(site, "w1", await walk(site.api, "dispatched", f"pg-{uid}"))
    async with phone:
        async with phone.post("/worker/report", data=patrol_form(csrf, uid, phone_photo()),
                              allow_redirects=False) as resp:
            assert resp.status == 303, await resp.text()
        case = await Case.get(description=f"巡查发现井盖缺失 {uid}")
        assert case.lat == pytest.approx(LAT, abs=1e-5) and case.lng == pytest.approx(LNG, abs=1e-5)
        opened = await CaseEvent.get(case_no=case.case_no, action="open")
        assert opened.data["position_source"] == "photo_exif"
        # No GPS in the photo, no position, no address: refused, nothing opened.
        async with phone.post("/worker/report", data=patrol_form(csrf, f"x{uid}", plain_photo()),
                              allow_redirects=False) as resp:
            assert resp.status == 400
        assert not await Case.exists(description=f"巡查发现井盖缺失 x{uid}")
