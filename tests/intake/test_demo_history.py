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
    mine = {c.case_no for c in cases}  # other tests tamper with their own chains on purpose (test_audit_tamper)
    problems = [p async for p in verify_all() if isinstance(p, Break) and p.case_no in mine]
    assert problems == []


async def test_the_same_seed_writes_the_same_history(svc: Services) -> None:
    seed = int(svc.clock.now.timestamp()) % 100_000 + 9

    async def shape(after: int) -> list[tuple[str, str | None, str, str]]:
        rows = await Case.filter(channel=CHANNEL, reporter__startswith=f"r{seed}-", id__gt=after).order_by("id")
        return [(c.reporter, c.grid_code, str(c.category_code), c.status) for c in rows]

    first = await write_history(svc.ctx, 12, svc.clock.now, seed=seed)
    last_id = max(c.id for c in await Case.filter(channel=CHANNEL, reporter__startswith=f"r{seed}-"))
    again = await write_history(svc.ctx, 12, svc.clock.now, seed=seed)
    assert first.cases == again.cases == 12
    assert [r[1:] for r in await shape(last_id)] == [r[1:] for r in (await shape(0))[:12]]
