"""Features follow case steps through one table: handlers run in the step's transaction, in table order."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from intake.cases import handlers, repo
from intake.cases.intake import open_case
from intake.cases.model import ActionRequest, Actor, NewReport
from intake.cases.states import RULES, Role
from intake.cases.steps import StepTaken
from intake.cases.workflow import act
from notify.types import Notification, Recipient
from tests.conftest import Services

DESK = Actor("user:desk", "desk", Role.DISPATCHER)


async def _case(svc: Services, uid: str) -> str:
    leaf = svc.ctx.grid.index.leaves[5]
    lng, lat = svc.ctx.grid.index.centroid(leaf.code)
    opened = await open_case(svc.ctx, NewReport("test", uid, "路灯不亮了，晚上很黑", lng, lat, category="01037"))
    return opened.case.case_no


def test_the_table_names_only_real_steps() -> None:
    assert set(handlers.HANDLERS) <= set(RULES)
    assert handlers.handlers_for("close")[:len(handlers.EVERY_STEP)] == handlers.EVERY_STEP


async def test_an_added_handler_sees_the_saved_step_and_what_it_tells_is_published(
        svc: Services, uid: str, monkeypatch: pytest.MonkeyPatch) -> None:
    case_no = await _case(svc, uid)
    seen: list[tuple[str, int, int]] = []

    async def count(step: StepTaken) -> list[Notification]:
        saved = await repo.get(step.case.case_no)  # inside the step's transaction: the step is there
        seen.append((step.action, saved.last_seq, len(step.co_reporters)))
        return [Notification("case.counted", Recipient("supervisor", "x"), f"{uid}:counted", case_no)]

    monkeypatch.setattr(handlers, "HANDLERS", MappingProxyType({**handlers.HANDLERS, "comment": (count,)}))
    before = (await repo.get(case_no)).last_seq
    await act(svc.ctx, case_no, DESK, ActionRequest("comment", note="looked at it"))
    assert seen == [("comment", before + 1, 0)]
    assert [n.kind for n in svc.sent.for_case(case_no)][-1] == "case.counted"


async def test_a_failing_handler_rolls_the_step_back_and_publishes_nothing(
        svc: Services, uid: str, monkeypatch: pytest.MonkeyPatch) -> None:
    case_no = await _case(svc, uid)

    async def broken(step: StepTaken) -> list[Notification]:
        raise RuntimeError("statistics are down")

    monkeypatch.setattr(handlers, "HANDLERS", MappingProxyType({**handlers.HANDLERS, "register": (broken,)}))
    before, sent = await repo.get(case_no), len(svc.sent.for_case(case_no))
    with pytest.raises(RuntimeError):
        await act(svc.ctx, case_no, DESK, ActionRequest("register"))
    after = await repo.get(case_no)
    assert (after.status, after.last_seq) == (before.status, before.last_seq)
    assert len(await repo.events(case_no)) == before.last_seq and len(svc.sent.for_case(case_no)) == sent


async def test_opening_is_a_step_its_handlers_follow(svc: Services, uid: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []

    async def note(step: StepTaken) -> list[Notification]:
        opened.append(f"{step.action}:{step.case.channel}:{step.case.reporter}")
        return []

    monkeypatch.setattr(handlers, "EVERY_STEP", (*handlers.EVERY_STEP, note))
    case_no = await _case(svc, uid)
    assert opened == [f"open:test:{uid}"]
    assert [n.kind for n in svc.sent.for_case(case_no)] == ["case.open"]  # the resident heard, as before
