"""The intake use-case: one report in, one case out — classified, placed, timed and routed.

A confident case whose category :mod:`intake.cases.routing` can place — a self-handle
category (自处清单) to the cell's worker, a department's category (条线分流) to its line's
department — is registered and dispatched by the system at once (点对点); everything
else waits in the dispatcher's queue in state 上报.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from intake.audit import GENESIS
from intake.cases import handlers, notices, repo, routing
from intake.cases.context import CaseContext
from intake.cases.events import next_event
from intake.cases.model import SYSTEM, Actor, NewReport
from intake.cases.numbers import format_case_no
from intake.cases.routing import Route
from intake.cases.seal import seal
from intake.cases.states import Status
from intake.cases.steps import StepTaken
from intake.duplicates import DEFAULT_RADIUS_M, Candidate, Probe, find
from intake.errors import Invalid
from intake.grid.geodesy import to_wgs84
from intake.grid.model import Cell
from intake.photos import wechat as wechat_photos
from intake.sla.calendar import to_shanghai
from intake.store.models import Case, CaseEvent, Department, InboundMessage, User
from intake.taxonomy.catalog import Category, Severity
from intake.tuning import triage
from nlp.types import Prediction

MAX_DESCRIPTION = 2000
FALLBACK_DISTRICT = "000000"


@dataclass(frozen=True, slots=True)
class Opened:
    case: Case
    category: Category | None
    grid: Cell | None
    duplicates: list[Candidate]
    assignee: User | None
    opening_hash: str = ""  # the opening event's hash: it commits to the report (the resident's receipt)
    department: Department | None = None  # the department intake dispatched it to (条线分流)

    @property
    def routed(self) -> bool:
        """Dispatched by intake itself (点对点), not left in the dispatcher's queue."""
        return self.assignee is not None or self.department is not None


@dataclass(frozen=True, slots=True)
class _Placed:
    code: str | None
    lng: float | None
    lat: float | None


@dataclass(frozen=True, slots=True)
class Preview:
    """What intake would make of a report, without opening a case (for the resident to confirm)."""

    category: Category | None
    top: tuple[str, ...]
    grid: Cell | None
    duplicates: list[Candidate]


async def preview(ctx: CaseContext, report: NewReport) -> Preview:
    prediction = ctx.classifier.classify(report.description)
    category, _, _ = _classify(ctx, report, prediction)
    placed = _place(ctx, report)
    dups = await _find_duplicates(ctx, category, report.description, placed, ctx.clock())
    cell = ctx.grid.index.find(placed.code) if placed.code else None
    top = tuple(s.code for s in prediction.top if (c := ctx.taxonomy.catalog.find(s.code)) and c.is_leaf)
    return Preview(category, top, cell, dups)


async def open_case(ctx: CaseContext, report: NewReport) -> Opened:
    description = report.description.strip()
    if not description or len(description) > MAX_DESCRIPTION:
        raise Invalid(f"description must be 1–{MAX_DESCRIPTION} characters")
    now = ctx.clock()
    prediction = ctx.classifier.classify(description)
    category, confidence, model = _classify(ctx, report, prediction)
    placed = _place(ctx, report)
    severity = _severity(category, prediction)
    limit = category.limit_hours if category and severity is category.severity else severity.default_hours
    case = await _new_case(ctx, report, now, category, placed, severity, float(limit), confidence, model)
    held = triage.threshold_missed(ctx, report, prediction)
    reporter = Actor.resident(report.channel, report.reporter)
    events = [next_event(case, action="open", to_status=Status.REPORTED, actor=reporter, at=now,
                         attachments=report.photos, data={"confidence": confidence, "classifier": model,
                                                          **seal(case), **_evidence(report),
                                                          **({"triage": held} if held is not None else {})})]
    route = None if held is not None else await _route(ctx, case, category, events, now)
    duplicates = await _find_duplicates(ctx, category, case.description, placed, now)
    async with in_transaction():  # the outbox rows exist exactly when the case does
        await repo.insert(case, events)
        if report.source:  # in the same transaction: a turn re-run after a crash finds its case, opens none
            await InboundMessage.filter(dedup_key=report.source).update(case_no=case.case_no)
        await wechat_photos.enlist(case, now)  # fetched later by a background job, never on the reply path
        if held is not None:
            await triage.enqueue(case, prediction, held, now)
        task = notices.to_worker(case, case.grid_code) if route else []  # as a dispatcher's 派遣 would
        # Opening is a step like the others: its handlers run here (act runs them for the rest).
        await ctx.notifier.publish(await handlers.handle(StepTaken(ctx, case, "open", reporter, None, now,
                                                                   notices=tuple(task))))
    leaf = ctx.grid.index.find(case.grid_code) if case.grid_code else None
    return Opened(case, category, leaf, duplicates, route.worker if route else None, events[0].hash,
                  route.department if route else None)


async def opened_from(source: str) -> Opened | None:
    """The case a stored message's turn opened (its turn ran to ``open_case`` before its process died)."""
    linked = await InboundMessage.filter(dedup_key=source, case_no__isnull=False).values_list("case_no", flat=True)
    case = await Case.get_or_none(case_no=linked[0]) if linked else None
    if case is None:
        return None
    first = await CaseEvent.filter(case_no=case.case_no).order_by("seq").first().only("hash")
    return Opened(case, None, None, [], None, first.hash if first else "")


def _classify(ctx: CaseContext, report: NewReport, prediction: Prediction) -> tuple[Category | None, float, str]:
    catalog = ctx.taxonomy.catalog
    if report.category:
        chosen = catalog.find(report.category)
        live = catalog.resolve(chosen.code) if chosen is not None and chosen.is_leaf else None
        if live is None or live.retired:  # retired without a successor: hidden from new cases
            raise Invalid(f"unknown or retired category {report.category!r}")
        return live, 1.0, "reporter"
    found = catalog.find(prediction.code) if prediction.code else None
    if found is None or not found.is_leaf:
        return None, prediction.confidence, prediction.model
    return catalog.resolve(found.code), prediction.confidence, prediction.model


def _place(ctx: CaseContext, report: NewReport) -> _Placed:
    if report.lng is not None and report.lat is not None:
        lng, lat = to_wgs84(report.lng, report.lat, report.datum)
        hit = ctx.grid.index.locate(lng, lat)
        return _Placed(hit.code if hit else None, lng, lat)
    match = ctx.grid.match_address(report.address or "") or ctx.grid.match_address(report.description)
    return _Placed(match.code if match else None, None, None)


def _severity(category: Category | None, prediction: Prediction) -> Severity:
    """The category's severity, raised to red when the text speaks of danger to life."""
    base = category.severity if category else Severity.BLUE
    return Severity.RED if prediction.severity_hint == "red" else base


async def _new_case(ctx: CaseContext, report: NewReport, now: datetime, category: Category | None,
                    placed: _Placed, severity: Severity, limit: float, confidence: float, model: str) -> Case:
    district = ctx.grid.district_of(placed.code) or FALLBACK_DISTRICT
    local_day = to_shanghai(now).date()
    serial = await repo.next_serial(district, f"{local_day:%Y%m%d}")
    return Case(
        case_no=format_case_no(district, local_day, serial), status=Status.REPORTED, channel=report.channel,
        reporter=report.reporter, description=report.description.strip(), address=report.address,
        lat=placed.lat, lng=placed.lng, grid_code=placed.code,
        category_code=category.code if category else None, taxonomy_version=ctx.taxonomy.version,
        confidence=round(confidence, 4), classifier=model, severity=str(severity), limit_hours=limit,
        photos=list(report.photos), anonymous=report.anonymous, opened_at=now,
        deadline_at=ctx.sla.deadline(now, limit, str(severity)),
        last_seq=0, last_hash=GENESIS, updated_at=now,
    )


async def _route(ctx: CaseContext, case: Case, category: Category | None, events: list[CaseEvent],
                 now: datetime) -> Route | None:
    """立案 and 派遣 by the system when :mod:`intake.cases.routing` names a worker or a department."""
    route = await routing.route_for(ctx, case, category)
    if route is None:
        return None
    events.append(next_event(case, action="register", to_status=Status.REGISTERED, actor=SYSTEM, at=now,
                             note=route.note, from_status=Status.REPORTED))
    case.assignee_user_id = route.worker.id if route.worker else None
    case.assignee_department = route.department.code if route.department else None
    events.append(next_event(case, action="dispatch", to_status=Status.DISPATCHED, actor=SYSTEM, at=now,
                             note=route.note, from_status=Status.REGISTERED,
                             data={"assignee_user_id": case.assignee_user_id, "department": case.assignee_department}))
    case.status = Status.DISPATCHED
    return route


async def _find_duplicates(ctx: CaseContext, category: Category | None, description: str, placed: _Placed,
                           now: datetime) -> list[Candidate]:
    if category is None:
        return []
    code = placed.code
    near = frozenset({code, *ctx.grid.index.neighbours(code)}) if code and code in ctx.grid.index else frozenset()
    radius = float(category.duplicate_radius_m or DEFAULT_RADIUS_M)
    return await find(Probe(category.code, description, near, placed.lng, placed.lat, radius), now)


def _evidence(report: NewReport) -> dict[str, Any]:
    """Staff photos' originals' SHA-256 and EXIF position/time, for the opening event."""
    out: dict[str, Any] = {"photos": list(report.evidence)} if report.evidence else {}
    if report.position_source:
        out["position_source"] = report.position_source  # the point came from a photo's EXIF, not the device
    return out
