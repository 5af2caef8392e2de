"""``gridline audit verify``: walk every case's chain and report what does not hold.

For each case: the chain links (:func:`intake.audit.verify`), the chain's head against the case row
(deleting the last events leaves the row pointing past them), and the report the chain committed to
against the row's reporter, description, location and photos. Then every daily checkpoint against the
chains as they are now (a rewritten and re-hashed history no longer matches an earlier checkpoint), and
the checkpoints witnessed outside the database against the table (a rebuilt table no longer matches them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from intake import audit_witness
from intake.audit import Break, verify
from intake.audit_checkpoint import CheckpointCheck
from intake.cases.seal import report_digest, sealed_digest
from intake.store.models import Case, CaseEvent
from intake.store.models_workflow import AuditCheckpoint


async def verify_all(batch: int = 500, witness: Path | None = None) -> AsyncIterator[Break | str]:
    """Yields each problem found (a ``Break`` per case, a line per checkpoint), then a summary line; with a
    ``witness`` file, its checkpoints against the table's, and a line saying how many were compared."""
    checked = broken = 0
    last_id = 0
    checkpoints = CheckpointCheck(await AuditCheckpoint.all().order_by("id"))
    while True:
        cases = await Case.filter(id__gt=last_id).order_by("id").limit(batch)
        if not cases:
            break
        last_id = cases[-1].id
        for case in cases:
            events = await CaseEvent.filter(case_no=case.case_no).order_by("seq").values()
            found = verify(case.case_no, events) or _against_row(case, events)
            checkpoints.feed(case.case_no, events)
            checked += 1
            if found is not None:
                broken += 1
                yield found
    problems = checkpoints.problems()
    for line in problems:
        yield line
    yield (f"{checked} case chains checked, {broken} broken; {len(checkpoints.checkpoints)} checkpoints checked, "
           f"{len(problems)} broken")
    if witness is not None:
        count, lines = await audit_witness.check(witness)
        for line in lines:
            yield line
        yield f"witness {witness}: {count} checkpoints witnessed, {len(lines)} problems"


def _against_row(case: Case, events: list[dict[str, Any]]) -> Break | None:
    head = events[-1] if events else None
    if head is None or int(head["seq"]) != case.last_seq or head["hash"] != case.last_hash:
        seq = int(head["seq"]) + 1 if head is not None else 1
        return Break(case.case_no, seq, f"the chain ends at event {seq - 1} but the case records "
                                        f"{case.last_seq} events: events were deleted or the row was edited")
    sealed = sealed_digest(events)
    if sealed is not None and sealed != report_digest(case):
        return Break(case.case_no, 1, "the case's report (reporter, description, location or photos) is not "
                                      "what the chain committed to")
    return None
