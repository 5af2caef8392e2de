"""The preview counts what the send then does, writes nothing, keeps instructions from residents, and
names the end of quiet hours; a Test CAP reaches no resident."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from intake.alerts.cap import parse
from intake.alerts.compose import from_cap
from intake.alerts.preview import preview
from intake.alerts.service import AlertService
from intake.store.models_alerts import Alert, AlertTarget
from intake.store.models_outbox import GridGroup
from tests.conftest import Services
from tests.intake.alerts.test_service import bound_residents, draft, leaf_of, of_alert


async def test_preview_counts_what_the_send_does(alerting: AlertService, svc: Services, uid: str) -> None:
    leaf = leaf_of(svc, "440307010", 7)
    await bound_residents(svc, uid, leaf)
    await GridGroup.create(grid_code=leaf[:9], webhook_key=f"k-{uid}", updated_at=svc.clock(), updated_by="t")
    alerts_before = await Alert.all().count()
    seen = await preview(alerting, draft(uid, (leaf,)))
    assert await Alert.all().count() == alerts_before  # nothing written
    assert seen.cells == [leaf] and seen.groups == [leaf[:9]] and seen.no_group == []
    assert seen.by_binding == {"place": 2, "home": 1, "report": 1, "location": 1}
    assert seen.by_channel == {"miniprogram": 2, "wechat": 3} and seen.per_cell == {leaf: 5}
    assert seen.held_until is None and not seen.test
    out = await alerting.receive(replace(draft(uid, (leaf,)), instructions="逐户敲门，统计老人"))
    assert out.residents == seen.residents == await AlertTarget.filter(alert_id=out.alert_id).count()
    told = of_alert(svc, out.alert_id, "alert.issued")
    assert told and all("instructions" not in n.payload for n in told)
    assert of_alert(svc, out.alert_id, "alert.card")[0].payload["instructions"] == "逐户敲门，统计老人"
    await GridGroup.filter(grid_code=leaf[:9]).delete()


async def test_preview_and_send_say_held_until(alerting: AlertService, svc: Services, uid: str) -> None:
    leaf = leaf_of(svc, "440307009", 4)
    svc.clock.now = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    end = datetime(2026, 11, 18, 23, 0, tzinfo=UTC)
    assert (await preview(alerting, draft(uid, (leaf,)))).held_until == end
    assert (await preview(alerting, draft(uid, (leaf,), colour="red"))).held_until is None
    out = await alerting.receive(draft(uid, (leaf,)))
    assert out.release_at == end


def drill_cap(uid: str, status: str, geocode: str) -> bytes:
    return f"""<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>t-{uid}-{status}</identifier>
<sender>test@example.org</sender><sent>2026-11-18T09:00:00+08:00</sent><status>{status}</status>
<msgType>Alert</msgType><scope>Public</scope><info><category>Met</category><event>台风</event>
<urgency>Immediate</urgency><severity>Minor</severity><certainty>Likely</certainty>
<headline>台风蓝色预警</headline><description>演练</description>
<area><areaDesc>南澳</areaDesc><geocode><valueName>GB/T 2260</valueName><value>{geocode}</value></geocode>
</area></info></alert>""".encode()


async def test_a_test_cap_reaches_no_resident(alerting: AlertService, svc: Services, uid: str) -> None:
    leaf = leaf_of(svc, "440307011", 12)
    await bound_residents(svc, uid, leaf)
    for status in ("Test", "Exercise"):
        msg = from_cap(parse(drill_cap(uid, status, leaf[:9] + "000")), alerting.catalogue)
        seen = await preview(alerting, msg)
        assert seen.test and seen.residents == 0 and seen.staff == [leaf[:9]]
        out = await alerting.receive(msg)
        sent = of_alert(svc, out.alert_id)
        assert out.test and out.residents == 0 and out.cells > 1
        assert sent and all(n.recipient.kind != "resident" for n in sent)
        assert await AlertTarget.filter(alert_id=out.alert_id).count() == 0
