"""What the case pages (worker and console) show, built from the domain: task rows, the case page, labels.

Personal data is masked (notify.mask): a phone is shown on a shared screen in the street. The
actions offered are the domain's ``allowed_actions`` for this role and state; the page only shows them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from intake.cases.context import CaseContext
from intake.cases.states import Status
from intake.grid.geodesy import wgs84_to_gcj02
from intake.sla.calendar import to_shanghai
from intake.sla.light import state as sla_state
from intake.store.models import Case, CaseEvent
from notify.mask import mask_text

Gettext = Callable[[str], str]
LIGHT_ORDER = {"red": 0, "yellow": 1, "green": 2}
# A severity in words (msgids), never the stored colour code.
SEVERITY_WORDS = {"red": "Urgent (red)", "yellow": "Pressing (yellow)", "blue": "Routine (blue)"}
# Notes the system writes on a timeline in English: shown through the catalogs as well.
SYSTEM_NOTES = {"self-handle list": "On the self-handle list: sent straight to the cell's worker",
                "line dispatch": "Line dispatch: sent straight to the line's department",
                "upstream closed": "The upstream platform reports it closed",
                "triage": "Category set at triage"}


@dataclass(frozen=True, slots=True)
class Row:
    case_no: str
    status: str
    status_label: str
    category: str
    place: str
    deadline: str
    light: str | None


def status_label(status: str, _: Gettext) -> str:
    return _(Status(status).name.title())


def category_name(ctx: CaseContext, code: str | None, lang: str, _: Gettext) -> str:
    found = ctx.taxonomy.catalog.find(code) if code else None
    return found.name(lang) if found else _("uncategorised")


def severity(code: str, _: Gettext) -> str:
    return _(SEVERITY_WORDS[code]) if code in SEVERITY_WORDS else code


def place(ctx: CaseContext, case: Case, _: Gettext) -> str:
    """The address the resident gave (masked), else the names of the case's cell and the regions above it."""
    if case.address:
        return mask_text(case.address)
    index = ctx.grid.index
    if case.grid_code and case.grid_code in index:
        return " · ".join(c.name for c in index.chain(case.grid_code)[1:])  # the district goes without saying
    if case.lat is not None and case.lng is not None:
        return f"{case.lat:.5f}, {case.lng:.5f}"
    return _("unknown")


def local_time(at: datetime) -> str:
    return f"{to_shanghai(at):%m-%d %H:%M}"


def light(ctx: CaseContext, case: Case, now: datetime) -> str | None:
    """The SLA light from the case's current deadline (:mod:`intake.sla.light`, the one place lists read)."""
    found = sla_state(ctx.sla, case, now).light
    return str(found) if found else None


def rows(ctx: CaseContext, cases: Sequence[Case], now: datetime, lang: str, _: Gettext) -> list[Row]:
    """My open tasks, the nearest deadline first."""
    return [Row(c.case_no, c.status, status_label(c.status, _), category_name(ctx, c.category_code, lang, _),
                place(ctx, c, _), local_time(c.deadline_at), light(ctx, c, now))
            for c in sorted(cases, key=lambda c: (c.deadline_at, c.id))]


def counts(cases: Sequence[Case], _: Gettext) -> list[tuple[str, int]]:
    found = Counter(c.status for c in cases)
    return [(status_label(s, _), found[s]) for s in Status if found[s]]


def map_url(case: Case) -> str | None:
    if case.lat is None or case.lng is None:
        return None
    lng, lat = wgs84_to_gcj02(case.lng, case.lat)  # Amap speaks GCJ-02; cases are stored in WGS-84
    return f"https://uri.amap.com/marker?position={lng:.6f},{lat:.6f}&name={case.case_no}&coordinate=gaode"


# What each step is called on a timeline (gettext msgids; the catalogs hold them).
STEP_WORDS = {
    "open": "Reported",
    "verify": "Verified",
    "register": "Registered",
    "dispatch": "Dispatched",
    "accept": "Accepted",
    "handle": "Handled",
    "check": "Checked",
    "close": "Closed",
    "reject": "Not registered",
    "withdraw": "Withdrawn",
    "return": "Returned",
    "redo": "Sent back for redo",
    "suspend": "Suspended",
    "resume": "Resumed",
    "merge": "Merged",
    "reopen": "Reopened",
    "request_extension": "Extension requested",
    "approve_extension": "Extension approved",
    "deny_extension": "Extension denied",
    "reclassify": "Reclassified",
    "comment": "Comment",
    "second": "Seconded",
    "supervise": "Supervised",
    "escalate": "Escalated",
    "urge": "Urged",
    "instruct": "Instruction",
    "recall": "Recalled",
    "void": "Voided",
    "request_void": "Void requested",
    "verified": "Verification done",
    "checked": "Check done",
    "spot_check": "Drawn for spot check",
    "request_assist": "Assistance requested",
    "assist": "Assisting unit added",
    "answer_assist": "Assistance answered",
    "waive_assist": "Assistance waived",
    "resident_urge": "Urged by the reporter",
    "supplement": "Details added by the reporter",
    "deny_void": "Void request refused",
    "upstream": "Upstream platform update",
}


def timeline(events: Sequence[CaseEvent], _: Gettext) -> list[dict[str, str]]:
    return [{"at": local_time(e.at), "action": _(STEP_WORDS[e.action]) if e.action in STEP_WORDS else e.action,
             "status": status_label(e.to_status, _),
             "note": _note(e, _)} for e in reversed(events)]


def _note(event: CaseEvent, _: Gettext) -> str:
    if event.role == "system" and event.note in SYSTEM_NOTES:
        return _(SYSTEM_NOTES[event.note])
    return mask_text(event.note or "")
