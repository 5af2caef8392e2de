"""The PIPL read log over HTTP: reading a case writes who and why; only admins list the log; bad filters 400."""

from __future__ import annotations

from tests.bot.conftest import Api, open_case

LOG = "/admin/v1/privacy/reads"


async def test_reading_a_case_is_logged_with_who_and_why(api: Api, uid: str) -> None:
    case_no = await open_case(api, uid)
    assert (await api.call("GET", f"/admin/v1/cases/{case_no}", "desk")).status == 200
    listed = await api.call("GET", LOG, params={"case_no": case_no})
    assert listed.status == 200, listed.body
    rows = listed.body["items"]
    assert [(r["purpose"], r["role"]) for r in rows] == [("admin API case", "dispatcher")]
    assert "description" in rows[0]["fields"] and "reporter" in rows[0]["fields"]


async def test_the_log_is_for_admins_and_refuses_unknown_filters(api: Api) -> None:
    assert (await api.call("GET", LOG, "desk")).status == 403
    assert (await api.call("GET", LOG, "sup")).status == 403
    for params in ({"light": "red"}, {"case_no": "nonsense"}, {"user_id": "-1"}, {"limit": "9" * 20}):
        answer = await api.call("GET", LOG, params=params)
        assert answer.status == 400, params
