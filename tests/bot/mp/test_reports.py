"""Filing reports: the case opened, anonymity, media ownership, validation, rate limits."""

from __future__ import annotations

from intake.grid.geodesy import wgs84_to_gcj02
from intake.store.models import Case, CaseEvent, Media
from tests.bot.mp.conftest import Mp, Phone
from tests.bot.mp.images import photo


async def test_a_report_with_photos_opens_a_case(mp: Mp, phone: Phone) -> None:
    media = [(await phone.upload(photo("JPEG"))).body["media_id"] for _ in range(2)]
    lat, lng = mp.point(1)
    glng, glat = wgs84_to_gcj02(lng, lat)  # wx.getLocation's default datum
    reply = await phone.call("POST", "/mp/v1/reports", json={
        "description": "小区门口路灯不亮了，晚上很黑", "location": {"lat": glat, "lng": glng, "datum": "gcj02"},
        "address": "葵涌街道某小区门口", "media": media, "category": "01037"})
    assert reply.status == 201, reply.body
    body = reply.body
    assert set(body) == {"case_no", "status", "category", "grid", "deadline", "anonymous", "duplicates", "evidence"}
    assert body["status"] == "reported" and body["category"]["code"] == "01037" and body["anonymous"] is False
    index = mp.svc.ctx.grid.index
    assert body["grid"]["code"] == index.locate(lng, lat).code  # type: ignore[union-attr]
    assert body["deadline"].endswith("+08:00")
    case = await Case.get(case_no=body["case_no"])
    assert (case.channel, case.reporter) == ("miniprogram", phone.openid)
    assert case.photos == [f"mp-media:{m}" for m in media]
    assert abs(case.lat - lat) < 1e-5 and abs(case.lng - lng) < 1e-5  # type: ignore[operator]
    assert set(await Media.filter(media_id__in=media).values_list("case_no", flat=True)) == {body["case_no"]}
    opening = (await CaseEvent.filter(case_no=body["case_no"], seq=1).first())
    assert opening is not None and opening.hash.startswith(body["evidence"]) and len(body["evidence"]) == 12


async def test_anonymous_reports_are_flagged(mp: Mp, phone: Phone) -> None:
    reply = await phone.report(anonymous=True)
    assert reply.status == 201 and reply.body["anonymous"] is True
    assert (await Case.get(case_no=reply.body["case_no"])).anonymous is True
    plain = await phone.report("垃圾桶满了没人清理", leaf=2)
    assert (await Case.get(case_no=plain.body["case_no"])).anonymous is False


async def test_an_address_alone_is_enough(mp: Mp, phone: Phone) -> None:
    reply = await phone.call("POST", "/mp/v1/reports", json={"description": "井盖丢了", "address": "南澳街道"})
    assert reply.status == 201, reply.body


async def test_bodies_are_validated(mp: Mp, phone: Phone) -> None:
    lat, lng = mp.point()
    where = {"lat": lat, "lng": lng}
    bad = [
        {"description": "没有位置"},
        {"description": "", "location": where},
        {"description": "   ", "location": where},
        {"description": "x" * 2001, "location": where},
        {"description": "d", "location": {**where, "datum": "bd09"}},
        {"description": "d", "location": {"lat": 91, "lng": lng}},
        {"description": "d", "location": where, "media": ["m" + "0" * 32] * 2},
        {"description": "d", "location": where, "media": [f"m{i:032x}" for i in range(10)]},
        {"description": "d", "location": where, "media": ["../../etc/passwd"]},
        {"description": "d", "location": where, "category": "01"},
        {"description": "d", "location": where, "category": "99999"},
        {"description": "d", "location": where, "reporter": "someone-else"},
        {"description": "d\x00", "location": where},
        {"description": "d", "location": where, "anonymous": "yes please"},
    ]
    for body in bad:
        reply = await phone.call("POST", "/mp/v1/reports", json=body)
        assert (reply.status, reply.error) == (400, "invalid"), body
    for raw in (b"[]", b"{", b"\xff"):
        reply = await phone.call("POST", "/mp/v1/reports", data=raw, headers={"Content-Type": "application/json"})
        assert reply.status == 400, raw


async def test_media_must_be_the_callers_and_unused(mp: Mp, phone: Phone) -> None:
    other = Phone(mp, phone.openid + "o")
    await other.login()
    theirs = (await other.upload(photo())).body["media_id"]
    mine = (await phone.upload(photo())).body["media_id"]
    refused = await phone.report(media=[mine, theirs])
    assert (refused.status, refused.error) == (400, "invalid")
    assert (await Media.get(media_id=mine)).case_no is None  # the claim was released
    used = await phone.report(media=[mine])
    assert used.status == 201
    again = await phone.report(media=[mine])
    assert (again.status, again.error) == (400, "invalid")


async def test_reports_per_resident_per_day_are_limited(mp: Mp, phone: Phone) -> None:
    for n in range(8):
        reply = await phone.report(f"第{n}次反映：路灯不亮", leaf=n % 3)
        assert reply.status == 201, (n, reply.body)
    limited = await phone.report("又一次")
    assert (limited.status, limited.error) == (429, "rate_limited")
    assert limited.body["details"]["scope"] == "rid"
    assert int(limited.headers["Retry-After"]) == 15 * 3600  # T0 is 09:00 in China: the day ends in 15 hours


async def test_reports_per_address_are_limited(mp: Mp, phone: Phone) -> None:
    neighbours = [Phone(mp, f"{phone.openid}n{i}", ip=phone.ip) for i in range(2)]
    for n in neighbours:
        await n.login()
    sent = [await (neighbours[0] if i < 7 else neighbours[1]).report(f"共用网络的第{i}份") for i in range(12)]
    assert [r.status for r in sent] == [201] * 12
    limited = await phone.report("同一网络的第十三份")
    assert (limited.status, limited.body["details"]["scope"]) == (429, "ip")
    assert int(limited.headers["Retry-After"]) > 0


async def test_media_per_hour_are_limited(mp: Mp, phone: Phone) -> None:
    small = photo("PNG", 4, 4)
    statuses = [(await phone.upload(small, "a.png", "image/png")).status for _ in range(16)]
    assert statuses == [201] * 15 + [429]


async def test_reports_need_a_session(mp: Mp) -> None:
    reply = await Phone(mp, "nobody").report()
    assert (reply.status, reply.error) == (401, "unauthorized")
