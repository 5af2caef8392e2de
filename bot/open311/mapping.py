"""gridline's categories and cases in Open311's terms.

service_code is the category code, group its major class. Open311 knows only
``open`` and ``closed``: the workflow state (立案, 派遣, 处置 …) goes to
``status_notes``. Datetimes are ISO 8601 in Asia/Shanghai with the offset.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from intake.cases.context import CaseContext
from intake.cases.states import Status
from intake.sla.calendar import to_shanghai
from intake.store.models import Case
from intake.taxonomy.catalog import Category

ATTRIBUTES: list[dict[str, Any]] = [
    {"variable": True, "code": "landmark", "datatype": "string", "required": False,
     "datatype_description": "free text, at most 100 characters", "order": 1,
     "description": "A landmark near the problem; it is added to the address for the handler."},
    {"variable": True, "code": "urgent", "datatype": "singlevaluelist", "required": False,
     "datatype_description": "yes or no", "order": 2,
     "description": "Whether people are in danger now; kept with the request for the dispatcher.",
     "values": [{"key": "no", "name": "No"}, {"key": "yes", "name": "Yes, people are in danger now"}]},
]
NOTES = {
    Status.REPORTED: "reported: waiting for the dispatcher",
    Status.VERIFYING: "verifying: the report is being checked on site",
    Status.REGISTERED: "registered: accepted as a case",
    Status.DISPATCHED: "dispatched: sent to the handler",
    Status.HANDLING: "handling: the handler is working on it",
    Status.HANDLED: "handled: the handler reports it done",
    Status.CHECKING: "checking: the result is being checked",
    Status.CLOSED: "closed: resolved and checked",
    Status.REJECTED: "rejected: not accepted as a case",
    Status.WITHDRAWN: "withdrawn by the reporter",
    Status.RETURNED: "returned: waiting to be dispatched again",
    Status.SUSPENDED: "suspended: on hold",
    Status.MERGED: "merged into another request",
    Status.VOIDED: "voided: closed without handling (false, outside the district or cannot be handled)",
}


def stamp(moment: datetime | None) -> str | None:
    return to_shanghai(moment).isoformat() if moment is not None else None


def service(c: Category, group: Category | None, lang: str) -> dict[str, Any]:
    return {"service_code": c.code, "service_name": c.name(lang),
            "description": f"{c.name_en}; to be resolved within {c.limit_hours} hours",
            "metadata": True, "type": "realtime", "keywords": ",".join(c.synonyms),
            "group": group.name(lang) if group else ""}


def definition(c: Category) -> dict[str, Any]:
    return {"service_code": c.code, "attributes": ATTRIBUTES}


def request(ctx: CaseContext, case: Case, agencies: dict[str, str], lang: str) -> dict[str, Any]:
    status = Status(case.status)
    category = ctx.taxonomy.catalog.find(case.category_code) if case.category_code else None
    notes = NOTES[status] + (f" {case.merged_into}" if status is Status.MERGED and case.merged_into else "")
    closed = status.is_final
    media = next((p for p in case.photos if p.startswith(("https://", "http://"))), None)
    return {
        "service_request_id": case.case_no, "status": "closed" if closed else "open", "status_notes": notes,
        "service_name": category.name(lang) if category else None, "service_code": case.category_code,
        "description": case.description, "agency_responsible": agency(ctx, case, category, agencies, lang),
        "service_notice": None, "requested_datetime": stamp(case.opened_at),
        "updated_datetime": stamp(case.closed_at if closed and case.closed_at else case.updated_at),
        "expected_datetime": stamp(case.deadline_at), "address": case.address, "address_id": case.grid_code,
        "zipcode": None, "lat": case.lat, "long": case.lng, "media_url": media,
    }


def agency(ctx: CaseContext, case: Case, category: Category | None, agencies: dict[str, str],
           lang: str) -> str | None:
    """The department the case went to, else the category's line department, else the grid's street."""
    if case.assignee_department:
        return agencies.get(case.assignee_department, case.assignee_department)
    departments = ctx.taxonomy.catalog.departments
    if category and category.department and category.department in departments:
        found = departments[category.department]
        return found.name_en if lang.startswith("en") else found.name_zh
    if case.grid_code and case.grid_code in ctx.grid.index:
        chain = ctx.grid.index.chain(case.grid_code)
        return chain[1].name if len(chain) > 1 else chain[0].name
    return None
