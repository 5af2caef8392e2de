"""The retention job: ended cases older than the retention period lose their personal data.

"Ended" is any final state (结案, 不予立案, 撤件, 合并, 作废), counted from when it ended (``closed_at``,
else the last change). A resident who asked for deletion has every ended case erased at once, whatever
its age; their open cases follow when they end (the request stays on their row). Each case is one
``anonymise`` step through the workflow, so a case that changed meanwhile (reopened) is skipped by the
optimistic guard, not overwritten. Files are deleted after the step commits: a crash in between leaves
an orphan file for the next run, never a case pointing at a missing one.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from tortoise.expressions import Q

from intake.cases import workflow
from intake.cases.context import CaseContext
from intake.cases.model import SYSTEM, ActionRequest
from intake.cases.states import FINAL
from intake.errors import DomainError
from intake.privacy import erase
from intake.store.models import Case, Resident

log = logging.getLogger("gridline.privacy")
BATCH = 200


@dataclass(frozen=True, slots=True)
class Swept:
    erased: int
    failed: int
    files: int


def due() -> Q:
    """Ended cases not yet anonymised (the age condition is added by :func:`sweep`)."""
    return Q(status__in=[str(s) for s in FINAL], anonymised_at__isnull=True)


async def _requested() -> Q:
    """Cases of residents who asked for deletion."""
    rows = await Resident.filter(erase_requested_at__isnull=False).values_list("channel", "external_id")
    if not rows:
        return Q(id=-1)
    return Q(*(Q(channel=c, reporter=r) for c, r in rows), join_type="OR")


async def sweep(ctx: CaseContext, days: int, media_dir: Path | None, limit: int = BATCH) -> Swept:
    """Erase up to ``limit`` due cases; ``days`` ≤ 0 keeps everything (only deletion requests are served)."""
    now = ctx.clock()
    aged = Q(id=-1)
    if days > 0:
        cutoff = now - timedelta(days=days)
        aged = Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, updated_at__lt=cutoff)
    query = Case.filter(due()).filter(aged | await _requested()).order_by("id").limit(limit)
    erased = failed = files = 0
    for case_no in await query.values_list("case_no", flat=True):
        paths = [str(p) for p in await erase.resident_photos(str(case_no)).values_list("path", flat=True) if p]
        try:
            await workflow.act(ctx, str(case_no), SYSTEM, ActionRequest("anonymise"))
        except DomainError as exc:  # changed meanwhile (reopened, raced): the next run looks again
            log.warning("retention skipped a case", extra={"case_no": case_no, "reason": str(exc)})
            failed += 1
            continue
        erased += 1
        files += await asyncio.to_thread(_delete, media_dir, [str(p) for p in paths])
    return Swept(erased, failed, files)


def _delete(media_dir: Path | None, paths: list[str]) -> int:
    if media_dir is None:
        return 0
    gone = 0
    for name in paths:
        target = (media_dir / name).resolve()
        if media_dir.resolve() not in target.parents:  # a stored path never leaves the media folder
            continue
        try:
            target.unlink()
            gone += 1
        except FileNotFoundError:
            pass
    return gone


async def run(ctx: CaseContext, days: int, media_dir: Path | None, batches: int = 50) -> Swept:
    """The periodic job: batches until the backlog is gone or ``batches`` ran (the next hour goes on)."""
    total = Swept(0, 0, 0)
    for _ in range(batches):
        swept = await sweep(ctx, days, media_dir)
        total = Swept(total.erased + swept.erased, total.failed + swept.failed, total.files + swept.files)
        if swept.erased + swept.failed < BATCH:
            break
    if total.erased or total.failed:
        log.info("personal data retention", extra={"erased": total.erased, "skipped": total.failed,
                                                   "files": total.files})
    return total
