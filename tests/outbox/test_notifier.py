"""The outbox as the domain's notifier: rows in the same transaction, idempotent keys, withdraw, passive replies."""

from __future__ import annotations

import dataclasses

import pytest
from tortoise.transactions import in_transaction

from intake.cases.context import CaseContext
from intake.cases.intake import open_case
from intake.cases.model import ActionRequest, Actor, NewReport
from intake.cases.states import Role
from intake.cases.workflow import act
from intake.store.models import Case, CaseEvent
from intake.store.models_outbox import OutboxMessage
from notify.types import Notification, Recipient
from outbox.notifier import OutboxNotifier, replying_to
from tests.conftest import Services
from tests.outbox.conftest import decisions, row

QUIET = "01037"  # 路灯异常: waits for the dispatcher
DESK = Actor(ref="user:desk", name="调度员", role=Role.ADMIN)


def note(key: str, ref: str = "someone", group: str | None = None) -> Notification:
    return Notification("case.open", Recipient("resident", ref, "wechat"), key, payload={"x": 1}, group=group)


async def test_a_rolled_back_transaction_leaves_no_message(octx: CaseContext, uid: str) -> None:
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await octx.notifier.publish([note(f"rb{uid}")])
            assert await OutboxMessage.filter(key=f"rb{uid}").exists()  # visible inside the transaction
            raise RuntimeError("the change failed")
    assert not await OutboxMessage.filter(key=f"rb{uid}").exists()


class FailingAfterWrite(OutboxNotifier):
    async def publish(self, notifications: list[Notification]) -> None:
        await super().publish(notifications)
        raise RuntimeError("boom after the rows were written")


async def test_a_failed_step_rolls_back_its_messages_and_its_change(octx: CaseContext, svc: Services, uid: str) -> None:
    opened = await open_case(octx, NewReport(channel="wechat", reporter=f"fs{uid}", description="路灯不亮了",
                                             category=QUIET))
    no = opened.case.case_no
    await act(octx, no, DESK, ActionRequest("verify", None, (), {}))
    before = await OutboxMessage.filter(case_no=no).count()
    broken = dataclasses.replace(octx, notifier=FailingAfterWrite(svc.clock))
    with pytest.raises(RuntimeError):
        await act(broken, no, DESK, ActionRequest("register", None, (), {}))
    assert await OutboxMessage.filter(case_no=no).count() == before
    assert (await Case.get(case_no=no)).status == "verifying"
    assert await CaseEvent.filter(case_no=no).count() == 2
    await act(octx, no, DESK, ActionRequest("register", None, (), {}))  # the same step, now committed
    assert await OutboxMessage.filter(case_no=no, kind="case.register").count() == 1


async def test_opening_a_case_writes_its_messages_with_the_case(octx: CaseContext, uid: str) -> None:
    opened = await open_case(octx, NewReport(channel="wechat", reporter=f"op{uid}", description="路灯不亮了",
                                             category=QUIET))
    rows = await OutboxMessage.filter(case_no=opened.case.case_no)
    assert [(r.kind, r.recipient_kind, r.recipient_ref, r.status, r.channel) for r in rows] == [
        ("case.open", "resident", f"op{uid}", "pending", "")]


async def test_the_same_key_is_written_once(octx: CaseContext, uid: str) -> None:
    await octx.notifier.publish([note(f"dup{uid}"), note(f"dup{uid}")])
    await octx.notifier.publish([note(f"dup{uid}")])
    assert await OutboxMessage.filter(key=f"dup{uid}").count() == 1


async def test_withdraw_stops_queued_messages_and_reports_those_already_sent(octx: CaseContext, uid: str) -> None:
    group = f"alert:{uid}"
    await octx.notifier.publish([note(f"w1{uid}", "a", group), note(f"w2{uid}", "b", group),
                                 note(f"w3{uid}", "c", group)])
    await OutboxMessage.filter(key=f"w2{uid}").update(status="delivered")
    await OutboxMessage.filter(key=f"w3{uid}").update(status="held")
    result = await octx.notifier.withdraw(group)
    assert sorted(r.ref for r in result.stopped) == ["a", "c"]
    assert [r.ref for r in result.reached] == ["b"]
    assert (await row(f"w1{uid}")).status == "withdrawn"
    assert (await row(f"w2{uid}")).status == "delivered"
    assert await decisions(f"w1{uid}") == [("route", "", "withdrawn")]
    again = await octx.notifier.withdraw(group)
    assert again.stopped == () and [r.ref for r in again.reached] == ["b"]


async def test_a_message_to_the_resident_being_answered_is_delivered_by_the_reply(octx: CaseContext,
                                                                                   uid: str) -> None:
    with replying_to("wechat", f"me{uid}"):
        await octx.notifier.publish([note(f"p1{uid}", f"me{uid}"), note(f"p2{uid}", f"other{uid}")])
    mine, other = await row(f"p1{uid}"), await row(f"p2{uid}")
    assert (mine.status, mine.channel) == ("delivered", "passive_reply")
    assert await decisions(f"p1{uid}") == [("route", "passive_reply", "reply")]
    assert (other.status, other.channel) == ("pending", "")
    await octx.notifier.publish([note(f"p3{uid}", f"me{uid}")])  # outside the callback: sent normally
    assert (await row(f"p3{uid}")).status == "pending"
