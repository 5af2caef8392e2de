"""The case page's and the desk's action forms, read into intake's ``ActionRequest``.

Only the shape of each field is checked here (digits, lengths, a date); whether the step is legal,
the category exists or the worker is in the dispatcher's area is intake's to say, in words.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from multidict import MultiDictProxy

from intake.cases.assists import MAX_ASSISTS
from intake.cases.model import ActionRequest
from intake.errors import Invalid

# The steps the case page has a form for, in the order offered, and their labels (msgids).
FORMS = {
    "register": "Register (立案)", "reject": "Reject (不予立案)", "dispatch": "Dispatch (派遣)",
    "assist": "Add assisting department (协办)", "waive_assist": "Waive assistance (免协办)",
    "reclassify": "Change category", "supervise": "Supervise (督办)", "urge": "Urge (催办)",
    "instruct": "Instruct (批示)", "approve_extension": "Approve extension", "deny_extension": "Deny extension",
    "deny_void": "Refuse void request", "void": "Void (作废)", "recall": "Recall (召回)",
    "merge": "Merge", "comment": "Comment",
}
BULK = {"register": FORMS["register"], "dispatch": FORMS["dispatch"], "supervise": FORMS["supervise"]}
MAX_BULK = 100
SHANGHAI = ZoneInfo("Asia/Shanghai")
_CODE = re.compile(r"[0-9A-Za-z_.-]{1,64}")


def _digits(value: str, width: int) -> str:
    return value if value.isascii() and value.isdigit() and len(value) <= width else ""


def _deadline(value: str) -> str | None:
    """A ``datetime-local`` field (Beijing time, as the page shows) as ISO 8601 with its zone."""
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value[:32])
    except ValueError:
        raise Invalid("the deadline is not a date and time") from None
    return (at if at.tzinfo else at.replace(tzinfo=SHANGHAI)).isoformat()


def params(action: str, form: MultiDictProxy[Any]) -> dict[str, Any]:
    """The step's parameters from the form's fields; a malformed field is left out (intake says what's missing)."""
    get = {k: str(form.get(k, "")).strip()[:200] for k in
           ("user_id", "department", "category", "deadline", "reason", "into", "district", "to", "assist")}
    out: dict[str, Any] = {}
    if action == "dispatch":
        if _digits(get["user_id"], 9):
            out["user_id"] = int(get["user_id"])
        elif _CODE.fullmatch(get["department"]):
            out["department"] = get["department"]
    elif action == "assist" and _CODE.fullmatch(get["department"]):
        out["department"] = get["department"]
    elif action == "waive_assist" and _digits(get["assist"], 4):
        out["assist"] = int(get["assist"])
    elif action == "reclassify" and _digits(get["category"], 16):
        out["category"] = get["category"]
    elif action == "supervise" and (deadline := _deadline(get["deadline"])):
        out["deadline"] = deadline
    elif action in ("merge", "void"):
        out |= {k: get[k] for k in ("reason", "into", "district") if get[k]}
    elif action == "recall" and get["to"]:
        out["to"] = get["to"][:16]
    return out


def request(action: str, form: MultiDictProxy[Any]) -> ActionRequest:
    note = str(form.get("note", "")).strip()[:2000] or None
    if action == "comment" and note is None:
        raise Invalid("a comment needs words")  # intake takes a bare comment step; a page has no use for one
    return ActionRequest(action, note, params=params(action, form))


def assist_departments(form: MultiDictProxy[Any]) -> list[str]:
    """The dispatch form's 协办 departments, each once; a malformed code or too many is an error in words."""
    picked = [str(v).strip() for v in form.getall("assist_department", []) if str(v).strip()]
    if len(picked) > MAX_ASSISTS:
        raise Invalid(f"at most {MAX_ASSISTS} assisting departments")
    if any(not _CODE.fullmatch(code) for code in picked):
        raise Invalid("an assisting department's code is malformed")
    return list(dict.fromkeys(picked))


def case_numbers(form: MultiDictProxy[Any]) -> list[str]:
    """The ticked cases of a bulk form, each once, in order; at most ``MAX_BULK``."""
    picked = [str(v)[:40] for v in form.getall("case_no", [])]
    if len(picked) > MAX_BULK:
        raise Invalid(f"at most {MAX_BULK} cases at once")
    return list(dict.fromkeys(picked))
