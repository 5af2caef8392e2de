"""Answers: 不满意 reopens the case once (SYSTEM, back to dispatch, with the comment), the next one escalates."""

from __future__ import annotations

import pytest

from intake.cases import repo
from intake.cases.model import ActionRequest
from intake.cases.workflow import act
from intake.errors import IllegalTransition, Invalid
from intake.store.models import Rating
from intake.store.models_surveys import Survey, SurveyEffect
from intake.surveys.answers import AlreadyAnswered, answer
from tests.conftest import Services
from tests.intake.surveys.helpers import AFTER_REOPEN, DESK, TO_CLOSED, world


async def test_unhappy_reopens_once_then_escalates(svc: Services, uid: str) -> None:
    w = world(svc)
    me, neighbour = f"a{uid}", f"b{uid}"
    await w.resident(me)
    await w.resident(neighbour)
    case_no = await w.report(me)
    await act(w.ctx, case_no, DESK, ActionRequest("second", params={"channel": "wechat", "reporter": neighbour}))
    await w.step(case_no, *TO_CLOSED)
    svc.clock.advance(hours=25)
    done = await answer(w.ctx, case_no, "wechat", me, 3, "  灯还是不亮  ", via="wechat")
    assert (done.effect, done.round) == ("reopened", 0)
    case = await repo.get(case_no)
    assert (case.status, case.reopen_count, case.closed_at) == ("registered", 1, None)
    last = (await repo.events(case_no))[-1]
    assert (last.action, last.actor, last.role, last.note) == ("reopen", "system", "system", "回访不满意：灯还是不亮")
    # The neighbour's survey no longer applies; the queue was told to stop it.
    assert {(s.reporter, s.status) for s in await Survey.filter(case_no=case_no)} == {(me, "answered"),
                                                                                   (neighbour, "withdrawn")}
    assert f"survey:{case_no}" in w.sent.withdrawn
    assert "case.reopen" in {n.kind for n in w.sent.for_case(case_no)}
    # Handled again, closed again: a new round asks again, and a second 不满意 goes to the supervisor.
    await w.step(case_no, *AFTER_REOPEN)
    assert [(s.round, s.reporter) for s in await Survey.filter(case_no=case_no, round=1).order_by("id")] == \
        [(1, me), (1, neighbour)]
    svc.clock.advance(hours=25)
    again = await answer(w.ctx, case_no, "wechat", neighbour, 3, "还是不行", via="miniprogram")
    assert (again.effect, again.round) == ("escalated", 1)
    assert (await repo.get(case_no)).status == "closed"
    escalation = await SurveyEffect.get(case_no=case_no, kind="escalate")
    assert escalation.target == case.grid_code[:9]  # type: ignore[index]  # the street above the grid
    told = [n for n in w.sent.for_case(case_no) if n.kind == "survey.escalated"]
    assert [(n.recipient.kind, n.recipient.ref) for n in told] == [("supervisor", escalation.target)]
    assert told[0].payload["comment"] == "还是不行"
    # A third 不满意 (the reporter's, same round) is recorded and changes nothing more.
    third = await answer(w.ctx, case_no, "wechat", me, 3, None, via="wechat")
    assert third.effect == "none" and await SurveyEffect.filter(case_no=case_no).count() == 2
    assert (await repo.get(case_no)).status == "closed"


async def test_happy_answers_change_nothing_and_count_once(svc: Services, uid: str) -> None:
    w = world(svc)
    await w.resident(f"a{uid}")
    case_no = await w.report(f"a{uid}")
    await w.step(case_no, *TO_CLOSED)
    svc.clock.advance(hours=25)
    done = await answer(w.ctx, case_no, "wechat", f"a{uid}", 2, "x" * 900, via="wechat")
    assert done.effect == "none" and (await repo.get(case_no)).status == "closed"
    rating = await Rating.get(case_no=case_no)
    assert (rating.score, len(rating.comment or "")) == (2, 500)
    with pytest.raises(AlreadyAnswered):
        await answer(w.ctx, case_no, "wechat", f"a{uid}", 3, None, via="wechat")
    assert await Rating.filter(case_no=case_no).count() == 1 and (await repo.get(case_no)).status == "closed"
    with pytest.raises(Invalid):
        await answer(w.ctx, case_no, "wechat", f"b{uid}", 4, None, via="wechat")


async def test_an_open_case_cannot_be_rated(svc: Services, uid: str) -> None:
    w = world(svc)
    await w.resident(f"a{uid}")
    case_no = await w.report(f"a{uid}")
    with pytest.raises(IllegalTransition):
        await answer(w.ctx, case_no, "wechat", f"a{uid}", 3, None, via="wechat")
    assert await Rating.filter(case_no=case_no).count() == 0


async def test_answering_before_the_question_goes_out_stops_it(svc: Services, uid: str) -> None:
    w = world(svc)
    await w.resident(f"a{uid}")
    case_no = await w.report(f"a{uid}")
    await w.step(case_no, *TO_CLOSED)
    svc.clock.advance(hours=1)  # the question is still queued for tomorrow
    await answer(w.ctx, case_no, "wechat", f"a{uid}", 1, None, via="miniprogram")
    assert w.sent.withdrawn == [f"survey:{case_no}"]
    survey = await Survey.get(case_no=case_no)
    assert (survey.status, survey.via) == ("answered", "miniprogram")
