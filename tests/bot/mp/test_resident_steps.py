"""The mini-program's own-report steps: 催办 (once per period, counted and shown to staff), 补充 (text and/or
a location), and 我的网格员 (a masked card)."""

from __future__ import annotations

from intake.cases.contact import mask_name
from intake.grid.geodesy import haversine_m, wgs84_to_gcj02
from intake.store.models import Case, CaseEvent
from tests.bot.mp.conftest import BOOTSTRAP_TOKEN, Mp, Phone, walk


async def test_urge_is_limited_counted_and_shown_to_staff(mp: Mp, phone: Phone) -> None:
    case_no = (await phone.report()).body["case_no"]
    path = f"/mp/v1/reports/{case_no}/urge"
    first = await phone.call("POST", path)
    assert first.status == 200, first.body
    assert [(s["action"], s["by"]) for s in first.body["timeline"]][-1] == ("resident_urge", "you")
    again = await phone.call("POST", path)
    assert (again.status, again.error) == (429, "too_soon")
    assert again.body["details"]["retry_after_s"] > 0
    mp.svc.clock.advance(hours=24)
    assert (await phone.call("POST", path)).status == 200
    staff = await mp.call("GET", f"/admin/v1/cases/{case_no}", BOOTSTRAP_TOKEN)
    assert staff.body["resident_reminders"] == 2


async def test_only_my_open_reports(mp: Mp, phone: Phone) -> None:
    other = Phone(mp, phone.openid + "x")
    assert (await other.login()).status == 200
    theirs = (await other.report()).body["case_no"]
    for action in ("urge", "supplement"):
        reply = await phone.call("POST", f"/mp/v1/reports/{theirs}/{action}", json={"text": "我也看到了"})
        assert (reply.status, reply.error) == (404, "not_found"), action
    assert await CaseEvent.filter(case_no=theirs, action__in=["resident_urge", "supplement"]).count() == 0
    mine = (await phone.report()).body["case_no"]
    await walk(mp, mine, "verify", "reject")
    done = await phone.call("POST", f"/mp/v1/reports/{mine}/urge")
    assert (done.status, done.error) == (409, "illegal_transition")


async def test_supplement_text_and_a_location(mp: Mp, phone: Phone) -> None:
    case_no = (await phone.report()).body["case_no"]
    path = f"/mp/v1/reports/{case_no}/supplement"
    lat, lng = mp.point(1)
    glng, glat = wgs84_to_gcj02(lng, lat)
    reply = await phone.call("POST", path, json={"text": "旁边的路灯也不亮", "location": {"lat": glat, "lng": glng}})
    assert reply.status == 200, reply.body
    [event] = await CaseEvent.filter(case_no=case_no, action="supplement")
    assert event.data["text"] == "旁边的路灯也不亮"
    assert haversine_m(event.data["lng"], event.data["lat"], lng, lat) < 5  # GCJ-02 in, WGS-84 stored
    case = await Case.get(case_no=case_no)
    assert case.description == "小区门口路灯不亮了，晚上很黑"  # the report stays as filed
    for bad in ({}, {"text": ""}, {"text": "长" * 501}, {"text": "x", "extra": 1},
                {"location": {"lat": 91, "lng": 114}}, {"location": {"lat": "NaN", "lng": 114}}):
        refused = await phone.call("POST", path, json=bad)
        assert (refused.status, refused.error) == (400, "invalid"), bad
    assert await CaseEvent.filter(case_no=case_no, action="supplement").count() == 1


async def test_my_grid_worker(mp: Mp, phone: Phone) -> None:
    unknown = await phone.call("GET", "/mp/v1/grid-worker")
    assert (unknown.status, unknown.error) == (404, "not_found")
    case_no = (await phone.report()).body["case_no"]
    case = await Case.get(case_no=case_no)
    assert case.grid_code is not None
    worker = await mp.svc.ctx.grid.worker_for(case.grid_code)
    assert worker is not None
    card = await phone.call("GET", "/mp/v1/grid-worker")
    assert card.status == 200, card.body
    assert (card.body["name"], card.body["case_no"], card.body["grid"]) == (mask_name(worker.name), case_no,
                                                                           case.grid_code)
    assert worker.name not in str(card.body) and card.body["office_hours"]
    if worker.phone:
        assert worker.phone not in str(card.body)
    assert (await mp.call("GET", "/mp/v1/grid-worker")).status == 401
