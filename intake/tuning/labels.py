"""Labels from the work itself: closed cases, dispatchers' corrections (改类), triage decisions, CSV imports.

A label stores the code as it was chosen; codes never change, and a code retired
since then is read through :meth:`Catalog.resolve` to its successor when a
training set is built, so renaming or retiring a category loses no label.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from intake.cases.steps import StepTaken
from intake.errors import Invalid
from intake.store.models import Case
from intake.store.models_nlp import Label, TriageItem
from intake.taxonomy.catalog import Catalog
from notify.types import Notification

CLOSED, CORRECTION, TRIAGE, IMPORT = "closed", "correction", "triage", "import"
SOURCES = (CLOSED, CORRECTION, TRIAGE, IMPORT)
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
MAX_TEXT = 2000
MAX_ERRORS = 20


@dataclass(frozen=True, slots=True)
class TrainingSet:
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    holdout_texts: list[str] = field(default_factory=list)
    holdout_labels: list[str] = field(default_factory=list)
    skipped: int = 0


async def capture(case: Case, code: str, source: str, actor: str, now: datetime) -> Label:
    return await Label.create(text=case.description, code=code, source=source, case_no=case.case_no,
                              actor=actor[:128], taxonomy_version=case.taxonomy_version, created_at=now)


async def after_step(case: Case, action: str, actor: str, now: datetime) -> None:
    """Hook for :func:`intake.cases.workflow.act`: the labels a step vouches for."""
    if action == "close" and case.category_code:
        await capture(case, case.category_code, CLOSED, actor, now)
    elif action == "reclassify" and case.category_code:
        # Reclassifying a case held for triage is the triage decision; otherwise a correction (改类).
        triaged = await TriageItem.filter(case_no=case.case_no, status="pending").update(
            status="decided", decided_code=case.category_code, decided_by=actor[:128], decided_at=now)
        await capture(case, case.category_code, TRIAGE if triaged else CORRECTION, actor, now)


async def on_step(step: StepTaken) -> list[Notification]:
    """Step handler (close, reclassify): the labels the step vouches for; it tells nobody."""
    await after_step(step.case, step.action, step.actor.ref, step.at)
    return []


def in_holdout(text: str, percent: int) -> bool:
    """A fixed share of labels, by a hash of the text, that retraining never sees: the comparison slice."""
    bucket = int(hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:8], 16) % 100
    return bucket < percent


async def training_set(catalog: Catalog, holdout_percent: int) -> TrainingSet:
    """Every usable label, the latest per case, codes resolved, split into training and held-out parts."""
    rows = await Label.all().order_by("id").values_list("text", "code", "case_no")
    latest: dict[str, tuple[str, str]] = {}
    loose: list[tuple[str, str]] = []
    for text, code, case_no in rows:
        if case_no:
            latest[str(case_no)] = (str(text), str(code))
        else:
            loose.append((str(text), str(code)))
    out = TrainingSet()
    skipped = 0
    for text, code in [*latest.values(), *loose]:
        live = live_code(catalog, code)
        if live is None:
            skipped += 1
            continue
        held = in_holdout(text, holdout_percent)
        (out.holdout_texts if held else out.texts).append(text)
        (out.holdout_labels if held else out.labels).append(live)
    return TrainingSet(out.texts, out.labels, out.holdout_texts, out.holdout_labels, skipped)


def live_code(catalog: Catalog, code: str) -> str | None:
    """The live leaf a stored code means now, or None when it means nothing any more."""
    found = catalog.find(code)
    if found is None or not found.is_leaf:
        return None
    live = catalog.resolve(code)
    return None if live.retired else live.code


async def import_csv(content: bytes, catalog: Catalog, actor: str, now: datetime, taxonomy_version: int) -> int:
    """Store every row of a ``text,label`` CSV, or none: a bad row refuses the whole file."""
    # In a thread: a 2 MB sheet of 20,000 rows is a second of parsing that would hold every request.
    rows = await asyncio.to_thread(parse_csv, content, catalog)
    async with in_transaction():
        await Label.bulk_create([Label(text=text, code=code, source=IMPORT, case_no=None, actor=actor[:128],
                                       taxonomy_version=taxonomy_version, created_at=now) for text, code in rows])
    return len(rows)


def parse_csv(content: bytes, catalog: Catalog) -> list[tuple[str, str]]:
    if len(content) > MAX_IMPORT_BYTES:
        raise Invalid(f"the file is over {MAX_IMPORT_BYTES:,} bytes")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"not UTF-8 (byte {exc.start}); save the sheet as UTF-8 CSV") from None
    if "\x00" in text:
        raise Invalid("the file contains NUL bytes: not a text CSV")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = {(name or "").strip().lower() for name in reader.fieldnames or ()}
    if not {"text", "label"} <= header:
        raise Invalid("the header must name the columns text and label")
    rows: list[tuple[str, str]] = []
    errors: list[str] = []
    try:
        for row in reader:
            if len(rows) >= MAX_IMPORT_ROWS:
                raise Invalid(f"more than {MAX_IMPORT_ROWS:,} rows; split the file")
            _row(row, reader.line_num, catalog, rows, errors)
    except csv.Error as exc:
        raise Invalid(f"line {reader.line_num}: malformed CSV ({exc})") from None
    if errors:
        raise Invalid(f"{len(errors)} bad row(s); nothing was imported", errors=errors[:MAX_ERRORS])
    if not rows:
        raise Invalid("no rows")
    return rows


def _row(row: dict[str | None, str | list[str] | None], line: int, catalog: Catalog,
         rows: list[tuple[str, str]], errors: list[str]) -> None:
    cells = {(k or "").strip().lower(): v.strip() for k, v in row.items() if isinstance(v, str)}
    text, code = cells.get("text", ""), cells.get("label", "")
    if not text and not code:
        return
    if not 1 <= len(text) <= MAX_TEXT:
        errors.append(f"line {line}: text must be 1–{MAX_TEXT} characters")
    elif (live := live_code(catalog, code)) is None:
        errors.append(f"line {line}: {code[:20]!r} is not a live category code")
    else:
        rows.append((text, live))


async def listing(source: str | None, code: str | None, offset: int, limit: int) -> tuple[int, list[Label]]:
    query = Label.all()
    if source:
        query = query.filter(source=source)
    if code:
        query = query.filter(code=code)
    return await query.count(), await query.order_by("-id").offset(offset).limit(limit)


async def counts() -> dict[str, dict[str, int]]:
    """How many labels each category has from each source: ``{code: {source: n}}``."""
    rows = await Label.annotate(n=Count("id")).group_by("code", "source").values("code", "source", "n")
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        out.setdefault(str(row["code"]), {})[str(row["source"])] = int(row["n"])
    return out


async def everything(batch: int = 1000) -> list[Sequence[Label]]:
    """All labels in batches of ``batch`` (for the CSV export)."""
    out: list[Sequence[Label]] = []
    last = 0
    while True:
        rows = await Label.filter(id__gt=last).order_by("id").limit(batch)
        if not rows:
            return out
        out.append(rows)
        last = rows[-1].id
