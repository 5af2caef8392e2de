"""``gridline audit verify``: walk every case's chain and report the first broken link."""

from __future__ import annotations

from collections.abc import AsyncIterator

from intake.audit import Break, verify
from intake.store.models import Case, CaseEvent


async def verify_all(batch: int = 500) -> AsyncIterator[Break | str]:
    """Yields each broken link found, then a final summary line."""
    checked = broken = 0
    last_id = 0
    while True:
        cases = await Case.filter(id__gt=last_id).order_by("id").limit(batch).values("id", "case_no")
        if not cases:
            break
        last_id = cases[-1]["id"]
        for row in cases:
            events = await CaseEvent.filter(case_no=row["case_no"]).order_by("seq").values()
            found = verify(row["case_no"], events)
            checked += 1
            if found is not None:
                broken += 1
                yield found
    yield f"{checked} case chains checked, {broken} broken"
