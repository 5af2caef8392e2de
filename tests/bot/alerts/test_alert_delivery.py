"""The coverage view counts what the outbox did: delivered → reached, dead/stopped → failed, withdrawn left out."""

from __future__ import annotations

from intake.store.models import Resident
from intake.store.models_outbox import OutboxMessage
from outbox.alert_delivery import OutboxDelivery, outcome_of
from tests.bot.conftest import Api


def test_outcome_of_every_status() -> None:
    assert [outcome_of(s) for s in ("delivered", "dead", "stopped", "withdrawn", "pending", "sending", "retry",
                                    "held")] == ["reached", "failed", "failed", None, "queued", "queued", "queued",
                                                 "queued"]


async def test_coverage_reached_and_failed_from_outbox(api: Api, uid: str) -> None:
    leaf = api.leaves[1]
    people = [f"o-alert-{uid}-{i}" for i in range(4)]
    for ref in people:
        await Resident.create(channel="wechat", external_id=ref, home_grid=leaf)
    created = await api.call("POST", "/admin/v1/alerts", json={
        "signal": "暴雨", "colour": "red", "area": {"grids": [leaf]}, "message": f"暴雨将至 {uid}"})
    assert created.status == 201 and created.body["residents"] >= 4, created.body
    alert_id = created.body["id"]
    group = f"alert:{alert_id}"
    keys = {ref: f"alert:{alert_id}:v1:wechat:{ref}" for ref in people}
    assert await OutboxMessage.filter(key__in=list(keys.values()), group=group).count() == 4
    card = await OutboxMessage.get(key=f"alert:{alert_id}:v1:group:{leaf}")
    assert card.kind == "alert.card" and card.recipient_kind == "grid_group"

    before = await api.call("GET", f"/admin/v1/alerts/{alert_id}")
    cell = next(c for c in before.body["coverage"] if c["grid"] == leaf)
    assert before.body["delivery"] == "outbox" and cell["reached"] == 0 and cell["failed"] == 0

    for ref, status in zip(people, ("delivered", "dead", "stopped", "withdrawn"), strict=True):
        await OutboxMessage.filter(key=keys[ref]).update(status=status)
    await OutboxMessage.filter(key=card.key).update(status="delivered")  # a group card is not a resident
    outcomes = await OutboxDelivery().outcomes(group)
    assert outcomes[keys[people[0]]] == "reached" and keys[people[3]] not in outcomes
    after = await api.call("GET", f"/admin/v1/alerts/{alert_id}")
    cell = next(c for c in after.body["coverage"] if c["grid"] == leaf)
    assert (cell["reached"], cell["failed"]) == (1, 2), cell
    assert after.body["totals"]["reached"] == 1 and after.body["totals"]["failed"] == 2
    assert cell["targeted"] >= 4


async def test_unknown_group_is_empty(api: Api) -> None:
    assert await OutboxDelivery().outcomes("alert:0") == {}
