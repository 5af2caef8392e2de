"""The admin API's alert modes (#16): the preview, JSON ``test: true`` (staff only, never a resident),
instructions kept from residents, and a send answer that says when it goes out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from intake.store.models import Resident
from intake.store.models_alerts import Alert, AlertTarget
from tests.bot.conftest import Api
from tests.conftest import T0


def body(leaf: str, **kw: Any) -> dict[str, Any]:
    return {"signal": "01", "colour": "blue", "message": "台风将影响本区", "guidance": "关好门窗",
            "instructions": "逐户通知", "area": {"grids": [leaf]}, **kw}


async def test_preview_then_send_and_the_answer_says_when(api: Api, uid: str) -> None:
    leaf = api.leaves[0]
    await Resident.create(channel="wechat", external_id=f"md-{uid}", home_grid=leaf)
    seen = await api.call("POST", "/admin/v1/alerts/preview", json=body(leaf))
    assert seen.status == 200 and seen.body["cells"] == 1 and seen.body["cell_codes"] == [leaf]
    assert seen.body["residents"] >= 1 and seen.body["by_binding"].get("home", 0) >= 1
    assert seen.body["held_until"] is None and not seen.body["test"]
    sent = await api.call("POST", "/admin/v1/alerts", json=body(leaf))
    assert sent.status == 201 and sent.body["residents"] == seen.body["residents"]
    assert sent.body["goes_out"] == "now" and sent.body["held_until"] is None and sent.body["test"] is False
    shown = await api.call("GET", f"/admin/v1/alerts/{sent.body['id']}")
    assert shown.body["instructions"] == "逐户通知"
    assert (await api.call("POST", f"/admin/v1/alerts/{sent.body['id']}/cancel")).status == 200


async def test_quiet_hours_answer_held_until(api: Api, uid: str) -> None:
    api.svc.clock.now = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    try:
        seen = await api.call("POST", "/admin/v1/alerts/preview", json=body(api.leaves[1]))
        sent = await api.call("POST", "/admin/v1/alerts", json=body(api.leaves[1]))
    finally:
        api.svc.clock.now = T0
    end = datetime(2026, 11, 18, 23, 0, tzinfo=UTC)
    assert datetime.fromisoformat(seen.body["held_until"]) == datetime.fromisoformat(sent.body["held_until"]) == end
    assert sent.body["goes_out"] == f"held until {sent.body['held_until']} (quiet hours)"
    assert (await api.call("POST", f"/admin/v1/alerts/{sent.body['id']}/cancel")).status == 200


async def test_json_test_mode_reaches_no_resident(api: Api, uid: str) -> None:
    leaf = api.other_leaf
    await Resident.create(channel="wechat", external_id=f"mt-{uid}", home_grid=leaf)
    seen = await api.call("POST", "/admin/v1/alerts/preview", json=body(leaf, test=True))
    assert seen.body["test"] and seen.body["residents"] == 0 and seen.body["staff"] == [leaf[:9]]
    sent = await api.call("POST", "/admin/v1/alerts", json=body(leaf, test=True))
    assert sent.status == 201 and sent.body["test"] and sent.body["residents"] == 0
    assert sent.body["goes_out"] == "to staff only (test)"
    alert = await Alert.get(id=sent.body["id"])
    assert alert.status == "test" and await AlertTarget.filter(alert_id=alert.id).count() == 0


async def test_preview_refusals(api: Api) -> None:
    bad = await api.call("POST", "/admin/v1/alerts/preview", json=body(api.leaves[0], colour="blue", signal="07"))
    assert bad.status == 400 and "no blue level" in bad.body["message"]
    line = [[114.5, 22.5], [114.6, 22.5], [114.5, 22.5]]
    shape = await api.call("POST", "/admin/v1/alerts/preview", json={**body(api.leaves[0]), "area": {"polygon": line}})
    assert shape.status == 400 and "3 distinct vertices" in shape.body["message"]
    assert (await api.call("POST", "/admin/v1/alerts/preview", "w1", json=body(api.leaves[0]))).status == 403
