"""The worker case page's forms: which steps it offers, and a posted form as the domain's ``ActionRequest``.

The steps offered are the server's list for this person and case (``intake.cases.offer.allowed_for``: never
核查 on a case they handled, 协办 answers only for their own sub-task …) kept to those with a form here.
Photos are uploaded with the form (``bot.web.uploads``, ``intake.photos.staff``: their media ids become the
step's attachments), positions come from the device (``worker/static/position.js``); the domain validates
both, and refuses what it must.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from intake.cases.model import ActionRequest, Actor
from intake.cases.offer import allowed_for
from intake.store.models import Case

# The steps with a form on this page, in the order offered, with their labels (gettext msgids).
LABELS = {"accept": "Accept", "verified": "On-site verification", "handle": "Report handled",
          "checked": "On-site check", "answer_assist": "Answer the assist request",
          "request_assist": "Ask for assistance", "request_extension": "Request extension", "return": "Return",
          "request_void": "Ask to void"}
FORMS = tuple(LABELS)
NEEDS_NOTE = frozenset({"handle", "return", "request_extension", "request_assist", "answer_assist", "request_void"})
EVIDENCE = frozenset({"verified", "handle", "checked", "answer_assist"})  # position and photos
# 申请作废's reasons (intake.cases.void.REASONS) with their labels
VOID_REASONS = (("false_report", "False report"), ("duplicate", "Duplicate report"),
                ("out_of_area", "Not in this district"), ("cannot_handle", "Cannot be handled here"))
FIELDS = ("result", "reason", "hours", "lat", "lng", "assist")
_SPLIT = re.compile(r"[\s,，]+")
MAX_FIELD = 40


def offered(actor: Actor, case: Case) -> list[tuple[str, str]]:
    allowed = set(allowed_for(actor, case))
    return [(a, LABELS[a]) for a in FORMS if a in allowed]


def request_of(action: str, form: Mapping[str, Any], uploaded: tuple[str, ...] = ()) -> ActionRequest:
    """The posted form as a step: the photos uploaded with it (media ids), then refs of photos sent before
    (``photos``: an offline queue's earlier uploads); fields another step does not use are dropped."""
    note = str(form.get("note", "")).strip() or None
    params = {name: str(form.get(name, ""))[:MAX_FIELD] for name in FIELDS if str(form.get(name, "")).strip()}
    sent = tuple(p for p in _SPLIT.split(str(form.get("photos", ""))[:4000]) if p) if action in EVIDENCE else ()
    if action not in EVIDENCE:
        params.pop("lat", None), params.pop("lng", None)
    return ActionRequest(action, note, uploaded + sent, params)
