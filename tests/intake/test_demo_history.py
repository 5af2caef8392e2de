"""The demo history: a small year of cases in many states, written through the real actions, chains intact."""

from __future__ import annotations

from intake.audit import Break
from intake.cases.demo_history import CHANNEL, write_history
from intake.cases.states import OPEN
from intake.cases.verify import verify_all
from intake.store.models import Case, CaseEvent, Rating
from tests.conftest import Services


async def test_a_small_history_has_closed_overdue_supervised_rated_and_reopened_cases(svc: Services) -> None:
    seed = int(svc.clock.now.timestamp()) % 100_000 + 7  # its own reporters in the shared database
    history = await write_history(svc.ctx, 50, svc.clock.now, seed=seed)
    cases = await Case.filter(channel=CHANNEL, reporter__startswith=f"r{seed}-")
    assert history.cases == len(cases) == 50 and sum(history.statuses.values()) == 50
    statuses = {c.status for c in cases}
    assert len(statuses) >= 4 and "closed" in statuses, statuses
    opened = [c.opened_at for c in cases]
    assert (max(opened) - min(opened)).days > 300 and max(opened) <= svc.clock.now
    overdue = [c for c in cases if c.status in {str(s) for s in OPEN} and c.deadline_at < svc.clock.now]
    assert overdue and history.supervised >= 1
    assert any(c.escalation_level >= 1 for c in overdue)
    assert any(c.reopen_count > 0 and c.status == "closed" for c in cases)
    assert await Rating.filter(case_no__in=[c.case_no for c in cases]).count() >= 10
    actions = set(await CaseEvent.filter(case_no__in=[c.case_no for c in cases]).values_list("action", flat=True))
    assert {"open", "dispatch", "close", "reopen", "supervise"} <= actions
    problems = [p async for p in verify_all() if isinstance(p, Break)]
    assert problems == []
