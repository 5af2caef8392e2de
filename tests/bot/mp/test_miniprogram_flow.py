"""The mini-program as WeChat's client runs it: wx.login → wx.uploadFile ×2 → wx.request report →
follow it through the city's work → rate it; then the photos read back clean."""

from __future__ import annotations

import io

from PIL import Image

from intake.grid.geodesy import wgs84_to_gcj02
from tests.bot.mp.conftest import TO_CLOSED, Mp, Phone, walk
from tests.bot.mp.images import photo


async def test_login_upload_report_follow_rate(mp: Mp) -> None:
    resident = Phone(mp, f"o-flow-{mp.backend}-{id(mp)}")
    login = await resident.login()
    assert login.status == 200
    photos = [await resident.upload(photo("JPEG", 120, 90), "wxfile://tmp_1.jpg"),
              await resident.upload(photo("PNG", 30, 30), "wxfile://tmp_2.png", "image/png")]
    assert [p.status for p in photos] == [201, 201]
    media = [p.body["media_id"] for p in photos]
    lat, lng = mp.point(2)
    glng, glat = wgs84_to_gcj02(lng, lat)  # wx.getLocation({type: "gcj02"})
    filed = await resident.call("POST", "/mp/v1/reports", json={
        "description": "人行道上的井盖松动了，踩上去会晃", "location": {"lat": glat, "lng": glng, "datum": "gcj02"},
        "media": media, "subscribe": True})
    assert filed.status == 400  # a field the API does not know is refused, not ignored
    filed = await resident.call("POST", "/mp/v1/reports", json={
        "description": "人行道上的井盖松动了，踩上去会晃", "location": {"lat": glat, "lng": glng, "datum": "gcj02"},
        "media": media})
    assert filed.status == 201, filed.body
    case_no = filed.body["case_no"]
    await resident.call("POST", "/mp/v1/subscriptions", json={"results": {"tmpl-result-0002": "accept"}})

    listed = await resident.call("GET", "/mp/v1/reports")
    assert [i["case_no"] for i in listed.body["items"]] == [case_no]
    await walk(mp, case_no, *TO_CLOSED[:3])
    progress = await resident.call("GET", f"/mp/v1/reports/{case_no}")
    assert (progress.body["status"], progress.body["can_withdraw"]) == ("dispatched", False)
    assert progress.body["media"] == media
    await walk(mp, case_no, *TO_CLOSED[3:])
    done = await resident.call("GET", f"/mp/v1/reports/{case_no}")
    assert (done.body["status"], done.body["can_rate"]) == ("closed", True)
    rated = await resident.call("POST", f"/mp/v1/reports/{case_no}/rating", json={"score": 1, "comment": "很快"})
    assert rated.status == 201
    assert (await resident.call("GET", f"/mp/v1/reports/{case_no}")).body["rating"] == 1
    for media_id, fmt in zip(media, ("JPEG", "PNG"), strict=True):
        back = await resident.call("GET", f"/mp/v1/media/{media_id}")
        image = Image.open(io.BytesIO(back.body))
        assert image.format == fmt and dict(image.getexif()) == {}
