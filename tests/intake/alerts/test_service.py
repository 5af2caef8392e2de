"""Issuing, targeting, quiet hours, Update / Cancel and the acknowledgement loop, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from intake.alerts import acks
from intake.alerts.area import Area
from intake.alerts.service import AlertDraft, AlertService
from intake.alerts.signals import catalogue
from intake.cases.intake import open_case
from intake.cases.model import NewReport
from intake.errors import Conflict, NotFound
from intake.grid.geodesy import wgs84_to_gcj02
from intake.store.models import AlertPlace, Resident
from intake.store.models_alerts import Alert, AlertEscalation
from notify.types import Notification
from tests.conftest import T0, Services

MP = "miniprogram"


def leaf_of(svc: Services, street: str, nth: int) -> str:
    return [c.code for c in svc.ctx.grid.index.leaves if c.code.startswith(street)][nth]


def draft(uid: str, grids: tuple[str, ...], colour: str = "yellow", **kw: object) -> AlertDraft:
    base = AlertDraft(identifier=f"test-{uid}", sender="test", source="admin", msg_type="Alert",
                      signal=catalogue().find("台风"), colour=colour, event="台风", headline="台风黄色预警",
                      message="台风将影响本区", guidance="关好门窗", area=Area(grids=grids), sent_at=T0)
    return replace(base, **kw)  # type: ignore[arg-type]


def of_alert(svc: Services, alert_id: int, kind: str | None = None) -> list[Notification]:
    return [n for n in svc.sent.sent if n.group == f"alert:{alert_id}" or n.key.startswith(f"alert:{alert_id}:")
            if kind is None or n.kind == kind]


async def bound_residents(svc: Services, uid: str, leaf: str) -> dict[str, tuple[str, str]]:
    """Residents bound to ``leaf`` in every way, and some that must not be reached."""
    lng, lat = svc.ctx.grid.index.centroid(leaf)
    glng, glat = wgs84_to_gcj02(lng, lat)
    now = svc.clock()
    who = {name: ("wechat", f"{name}-{uid}") for name in ("home", "twice", "loc", "report", "unsub", "noloc",
                                                          "stale", "oldreport")}
    who["place"] = (MP, f"place-{uid}")
    await Resident.create(channel="wechat", external_id=who["home"][1], home_grid=leaf)
    await Resident.create(channel=MP, external_id=who["twice"][1], home_grid=leaf)
    who["twice"] = (MP, who["twice"][1])
    for openid in (who["place"][1], who["twice"][1]):
        await AlertPlace.create(openid=openid, kind="home", lat=lat, lng=lng, grid_code=leaf, updated_at=now)
    await Resident.create(channel="wechat", external_id=who["loc"][1], location_allowed=True, last_lat=glat,
                          last_lng=glng, last_location_at=now - timedelta(hours=1))
    await Resident.create(channel="wechat", external_id=who["unsub"][1], home_grid=leaf, subscribed=False)
    await Resident.create(channel="wechat", external_id=who["noloc"][1], location_allowed=False, last_lat=glat,
                          last_lng=glng, last_location_at=now - timedelta(hours=1))
    await Resident.create(channel="wechat", external_id=who["stale"][1], location_allowed=True, last_lat=glat,
                          last_lng=glng, last_location_at=now - timedelta(days=10))
    report = NewReport(channel="wechat", reporter=who["report"][1], description="路灯不亮了", lng=lng, lat=lat,
                       category="01037")
    await open_case(svc.ctx, report)
    svc.clock.now = now - timedelta(days=40)
    await open_case(svc.ctx, replace(report, reporter=who["oldreport"][1]))
    svc.clock.now = now
    return who


async def test_targets_every_binding_once(alerting: AlertService, svc: Services, uid: str) -> None:
    leaf = leaf_of(svc, "440307010", 5)
    who = await bound_residents(svc, uid, leaf)
    out = await alerting.receive(draft(uid, (leaf,)))
    assert out.action == "issued" and out.cells == 1
    told = [(n.recipient.channel, n.recipient.ref) for n in of_alert(svc, out.alert_id, "alert.issued")]
    assert len(told) == len(set(told)) == out.residents
    for name in ("home", "twice", "place", "loc", "report"):
        assert who[name] in told, name
    for name in ("unsub", "noloc", "stale", "oldreport"):
        assert who[name] not in told, name
    cards = of_alert(svc, out.alert_id, "alert.card")
    assert [c.recipient.ref for c in cards] == [leaf] and cards[0].payload["residents"] == out.residents
    note = of_alert(svc, out.alert_id, "alert.issued")[0]
    assert note.payload["colour"] == "yellow" and note.payload["guidance"] == "关好门窗"
    assert note.not_before is None and not note.urgent  # 09:00 in Shanghai


async def test_quiet_hours_hold_back_all_but_red(alerting: AlertService, svc: Services, uid: str) -> None:
    leaf = leaf_of(svc, "440307009", 3)
    await Resident.create(channel="wechat", external_id=f"night-{uid}", home_grid=leaf)
    svc.clock.now = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    yellow = await alerting.receive(draft(uid, (leaf,)))
    red = await alerting.receive(draft(uid + "r", (leaf,), colour="red", identifier=f"test-red-{uid}"))
    held = of_alert(svc, yellow.alert_id, "alert.issued")
    assert held and all(n.not_before == datetime(2026, 11, 18, 23, 0, tzinfo=UTC) and not n.urgent for n in held)
    now = of_alert(svc, red.alert_id, "alert.issued")
    assert now and all(n.urgent and n.not_before is None for n in now)


async def test_duplicate_identifier_changes_nothing(alerting: AlertService, svc: Services, uid: str) -> None:
    leaf = leaf_of(svc, "440307009", 4)
    first = await alerting.receive(draft(uid, (leaf,)))
    before = len(svc.sent.sent)
    again = await alerting.receive(draft(uid, (leaf,)))
    assert again.action == "duplicate" and again.alert_id == first.alert_id and len(svc.sent.sent) == before


async def test_update_then_cancel(alerting: AlertService, svc: Services, uid: str) -> None:
    a, b = leaf_of(svc, "440307011", 7), leaf_of(svc, "440307011", 8)
    await Resident.create(channel="wechat", external_id=f"a-{uid}", home_grid=a)
    await Resident.create(channel="wechat", external_id=f"b-{uid}", home_grid=b)
    first = await alerting.receive(draft(uid, (a,)))
    up = await alerting.receive(draft(uid, (a, b), colour="orange", identifier=f"test-{uid}-u1", msg_type="Update",
                                      references=(f"test-{uid}",), message="台风加强"))
    assert up.action == "updated" and up.alert_id == first.alert_id and up.cells == 2
    assert up.reached >= 1  # the recording notifier counts everything as reached
    updated = {n.recipient.ref for n in of_alert(svc, up.alert_id, "alert.updated")}
    fresh = {n.recipient.ref for n in of_alert(svc, up.alert_id, "alert.issued") if ":v2:" in n.key}
    assert f"a-{uid}" in updated and f"b-{uid}" in fresh and f"b-{uid}" not in updated
    alert = await Alert.get(id=up.alert_id)
    assert alert.version == 2 and alert.colour == "orange" and alert.message == "台风加强"
    gone = await alerting.receive(draft(uid, (), identifier=f"test-{uid}-c", msg_type="Cancel",
                                        references=(f"test-{uid}-u1",)))
    assert gone.action == "cancelled"
    cancelled = {(n.recipient.kind, n.recipient.ref) for n in of_alert(svc, up.alert_id, "alert.cancelled")}
    assert {("resident", f"a-{uid}"), ("resident", f"b-{uid}"), ("grid_group", a), ("grid_group", b)} <= cancelled
    assert all(n.urgent for n in of_alert(svc, up.alert_id, "alert.cancelled"))
    with pytest.raises(Conflict):
        await alerting.cancel(await Alert.get(id=up.alert_id))


async def test_cancel_of_unknown_alert_and_update_of_unknown(alerting: AlertService, svc: Services,
                                                              uid: str) -> None:
    with pytest.raises(NotFound):
        await alerting.receive(draft(uid, (), msg_type="Cancel", references=("never-seen",)))
    out = await alerting.receive(draft(uid, (leaf_of(svc, "440307009", 9),), msg_type="Update",
                                       references=("never-seen",)))
    assert out.action == "issued"


async def test_test_status_reaches_staff_only(alerting: AlertService, svc: Services, uid: str) -> None:
    leaf = leaf_of(svc, "440307009", 10)
    await Resident.create(channel="wechat", external_id=f"test-home-{uid}", home_grid=leaf)
    out = await alerting.receive(draft(uid, (leaf,), deliver=False))
    sent = of_alert(svc, out.alert_id)
    assert out.test and out.residents == 0 and (await Alert.get(id=out.alert_id)).status == "test"
    assert [(n.kind, n.recipient.kind, n.recipient.ref) for n in sent] == [("alert.test", "supervisor", leaf[:9])]
    assert sent[0].payload["test"] is True


class FakeOutbox:
    def __init__(self, states: Mapping[str, str]) -> None:
        self.states = states

    async def outcomes(self, group: str) -> Mapping[str, str]:
        return self.states


async def test_acks_coverage_and_escalation(alerting: AlertService, svc: Services, uid: str) -> None:
    a, b = leaf_of(svc, "440307009", 20), leaf_of(svc, "440307010", 20)
    await Resident.create(channel="wechat", external_id=f"x-{uid}", home_grid=a)
    await Resident.create(channel="wechat", external_id=f"y-{uid}", home_grid=b)
    out = await alerting.receive(draft(uid, (a, b)))
    alert = await Alert.get(id=out.alert_id)
    assert acks.parse_ack_text("已通知到户 35 户") == (35, False)
    assert acks.parse_ack_text("需要支援！") == (None, True)
    with pytest.raises(Exception, match="已通知到户"):
        acks.parse_ack_text("收到")
    await acks.acknowledge(alert.id, a, 9001, 35, False, None, svc.clock())
    with pytest.raises(NotFound):
        await acks.acknowledge(alert.id, leaf_of(svc, "440307011", 30), 9001, 1, False, None, svc.clock())
    cells = {c.grid_code: c for c in await acks.coverage(alert, None)}
    assert cells[a].acks[0]["households"] == 35 and cells[b].acks == []
    assert cells[a].targeted >= 1 and cells[a].reached is None
    keys = {n.key: "reached" for n in of_alert(svc, alert.id, "alert.issued") if n.recipient.ref == f"x-{uid}"}
    keys |= {n.key: "failed" for n in of_alert(svc, alert.id, "alert.issued") if n.recipient.ref == f"y-{uid}"}
    seen = {c.grid_code: c for c in await acks.coverage(alert, FakeOutbox(keys))}
    assert seen[a].reached == 1 and seen[b].failed == 1 and seen[a].failed == 0
    assert await acks.escalate_silent(svc.sent, svc.clock() + timedelta(minutes=30), timedelta(minutes=60)) >= 0
    assert not await AlertEscalation.exists(alert_id=alert.id)
    later = svc.clock() + timedelta(minutes=61)
    await acks.escalate_silent(svc.sent, later, timedelta(minutes=60))
    rows = await AlertEscalation.filter(alert_id=alert.id)
    assert [(r.street_code, r.cells) for r in rows] == [("440307010", [b])]
    await acks.escalate_silent(svc.sent, later + timedelta(minutes=5), timedelta(minutes=60))
    assert await AlertEscalation.filter(alert_id=alert.id).count() == 1
    silent = [n for n in svc.sent.sent if n.key == f"alert:{alert.id}:silent:440307010"]
    assert len(silent) == 1 and silent[0].recipient.ref == "440307010" and silent[0].payload["silent_cells"] == [b]
    assert {c.grid_code: c.escalated for c in await acks.coverage(alert, None)} == {a: False, b: True}


async def test_a_muted_resident_gets_red_warnings_only(alerting: AlertService, svc: Services, uid: str) -> None:
    leaf = leaf_of(svc, "440307011", 7)
    glng, glat = wgs84_to_gcj02(*svc.ctx.grid.index.centroid(leaf))
    await Resident.create(channel="wechat", external_id=f"muted-{uid}", home_grid=leaf, alerts_muted=True)
    await Resident.create(channel="wechat", external_id=f"mutedloc-{uid}", alerts_muted=True, location_allowed=True,
                          last_lat=glat, last_lng=glng, last_location_at=svc.clock() - timedelta(hours=1))
    muted = {f"muted-{uid}", f"mutedloc-{uid}"}
    blue = await alerting.receive(draft(uid, (leaf,), colour="blue"))
    assert not muted & {n.recipient.ref for n in of_alert(svc, blue.alert_id, "alert.issued")}
    red = await alerting.receive(draft(uid + "r", (leaf,), colour="red", identifier=f"test-red-{uid}"))
    assert muted <= {n.recipient.ref for n in of_alert(svc, red.alert_id, "alert.issued")}
