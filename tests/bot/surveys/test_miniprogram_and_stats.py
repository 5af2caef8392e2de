"""The mini-program's rating endpoint answers the same survey; the statistics API and its guards."""

from __future__ import annotations

from intake.store.models import Rating
from intake.store.models_surveys import Survey
from tests.bot.surveys.conftest import AGAIN, ROAD, App, openid


async def test_mp_rating_reopens_then_escalates_and_a_co_reporter_can_answer(app: App) -> None:
    me, neighbour = openid(), openid()
    mine, theirs = await app.login(me), await app.login(neighbour)
    case_no = await app.report("miniprogram", me)
    status, _ = await app.call("POST", f"/mp/v1/reports/{case_no}/second", theirs)
    assert status == 200
    await app.walk(case_no, *ROAD)
    assert {s.reporter for s in await Survey.filter(case_no=case_no)} == {me, neighbour}
    status, body = await app.call("POST", f"/mp/v1/reports/{case_no}/rating", mine,
                                  json={"score": 3, "comment": "灯还是暗"})
    assert (status, body["effects"], body["round"]) == (201, "reopened", 0)
    assert await app.status(case_no) == "registered"
    status, body = await app.call("POST", f"/mp/v1/reports/{case_no}/rating", theirs, json={"score": 1})
    assert (status, body["error"]) == (404, "not_found")  # reopened: a co-reporter has no survey to answer now
    await app.walk(case_no, *AGAIN)
    status, body = await app.call("POST", f"/mp/v1/reports/{case_no}/rating", theirs, json={"score": 3})
    assert (status, body["effects"], body["round"]) == (201, "escalated", 1)
    status, body = await app.call("POST", f"/mp/v1/reports/{case_no}/rating", theirs, json={"score": 1})
    assert (status, body["error"]) == (409, "already_rated")
    status, body = await app.call("POST", f"/mp/v1/reports/{case_no}/rating", mine, json={"score": 2})
    assert (status, body["effects"]) == (201, "none")
    assert await app.status(case_no) == "closed"
    stranger = await app.login(openid())
    status, _ = await app.call("POST", f"/mp/v1/reports/{case_no}/rating", stranger, json={"score": 3})
    assert status == 404


async def test_mp_hostile_ratings_are_refused(app: App) -> None:
    me = openid()
    token = await app.login(me)
    case_no = await app.report("miniprogram", me)
    await app.walk(case_no, *ROAD)
    for bad in ({"score": "3"}, {"score": 3.5}, {"score": 3, "comment": "😡" * 501}, {"score": [3]},
                {"score": 3, "extra": 1}):
        status, _ = await app.call("POST", f"/mp/v1/reports/{case_no}/rating", token, json=bad)
        assert status == 400, bad
    status, body = await app.call("POST", f"/mp/v1/reports/{case_no}/rating", token,
                                  json={"score": 1, "comment": "👍 谢谢 1 2 3"})
    assert (status, body["effects"]) == (201, "none")
    assert (await Rating.get(case_no=case_no)).comment == "👍 谢谢 1 2 3"


async def test_anonymous_reports_get_no_survey(app: App) -> None:
    me = openid()
    token = await app.login(me)
    index = app.svc.ctx.grid.index
    lng, lat = index.centroid(index.leaves[60].code)
    status, body = await app.call("POST", "/mp/v1/reports", token, json={
        "description": "路灯不亮了，晚上很黑", "location": {"lat": lat, "lng": lng, "datum": "wgs84"},
        "category": "01037", "anonymous": True})
    assert status == 201, body
    case_no = body["case_no"]
    await app.walk(case_no, *ROAD)
    assert await Survey.filter(case_no=case_no).count() == 0
    assert not [n for n in app.sent if n.case_no == case_no and n.kind.startswith("survey.")]


async def test_stats_api_by_every_dimension(app: App) -> None:
    me = openid()
    await app.say(me, "帮助")
    case_no = await app.report("wechat", me)
    await app.walk(case_no, *ROAD)
    app.svc.clock.advance(hours=25)
    assert "感谢" in await app.say(me, "满意")
    for by in ("grid", "category", "department", "assignee", "month"):
        status, body = await app.call("GET", "/admin/v1/surveys/stats", params={"by": by, "from": "2026-11-01",
                                                                                "to": "2026-12-01"})
        assert status == 200, body
        assert body["rule"] == {"dissatisfaction_rate_over": 0.3, "min_sample": 10} and body["by"] == by
        assert all(0 <= (r["response_rate"] or 0) <= 1 and r["answered"] <= r["surveys"] for r in body["rows"])
    status, body = await app.call("GET", "/admin/v1/surveys/stats", params={"by": "category", "min_sample": "1"})
    lights = next(r for r in body["rows"] if r["key"] == "01037")
    assert lights["label"] == "路灯异常" and lights["answered"] >= 1 and body["rule"]["min_sample"] == 1
    status, body = await app.call("GET", "/admin/v1/surveys/stats", app.tokens["street"], params={"by": "grid"})
    street = app.svc.ctx.grid.index.leaves[60].code[:9]
    assert status == 200 and all(str(r["key"]).startswith(street) for r in body["rows"])


async def test_stats_api_guards(app: App) -> None:
    assert (await app.call("GET", "/admin/v1/surveys/stats", None))[0] == 401
    assert (await app.call("GET", "/admin/v1/surveys/stats", app.tokens["worker"]))[0] == 403
    assert (await app.call("GET", "/admin/v1/surveys/stats", app.tokens["desk"]))[0] == 200
    for params in ({"by": "reporter"}, {"by": "grid; DROP TABLE surveys"}, {"from": "2026-13-01"},
                   {"from": "yesterday"}, {"to": "2026-11-01T00:00"}, {"from": "2026-12-01", "to": "2026-11-01"},
                   {"min_sample": "0"}, {"min_sample": "-3"}, {"min_sample": "１０"}, {"min_sample": "9" * 40}):
        status, body = await app.call("GET", "/admin/v1/surveys/stats", params=params)
        assert (status, body["error"]) == (400, "invalid"), params
