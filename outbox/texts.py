"""The words of outbound messages, through gettext in the recipient's language.

Residents read their own language (``residents.lang``); group chats and
department mail are read by staff and use the default language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from intake.i18n import DEFAULT, gettext_for


def _(msgid: str) -> str:
    """Marks a msgid for extraction; the text is translated when a message is rendered."""
    return msgid


RESIDENT: dict[str, str] = {
    "case.open": _("Your report {case_no} has been received."),
    "case.register": _("Your report {case_no} has been registered as a case."),
    "case.dispatch": _("Your report {case_no} has been dispatched to the people who handle it."),
    "case.accept": _("Your report {case_no} is being handled."),
    "case.handle": _("Your report {case_no} has been handled and awaits checking. Note: {note}"),
    "case.close": _("Your report {case_no} is resolved. Handler's note: {note}. Photos of the site: {photos}."),
    "case.reject": _("Your report {case_no} was not registered as a case. Reason: {note}"),
    "case.return": _("Your report {case_no} was returned for dispatch to someone else. Reason: {note}"),
    "case.withdraw": _("Your report {case_no} was withdrawn."),
    "case.reopen": _("Your report {case_no} has been reopened."),
    "case.merge": _("Your report {case_no} was merged into {into}; you will hear how that case goes."),
    "case.void.false_report": _("Your report {case_no} was closed: the problem could not be confirmed on site. "
                                "Note: {note}"),
    "case.void.duplicate": _("Your report {case_no} duplicates case {into}; you will hear how that case goes."),
    "case.void.out_of_area": _("Your report {case_no} is outside this district and was passed on to those "
                               "responsible. Note: {note}"),
    "case.void.cannot_handle": _("Your report {case_no} was closed because it cannot be handled here. "
                                 "Reason: {note}"),
}
# The step in a few words, for an SMS template's parameter (a provider allows at most 35 characters).
PROGRESS: dict[str, str] = {
    "case.open": _("has been received"), "case.register": _("has been registered"),
    "case.dispatch": _("has been dispatched"), "case.accept": _("is being handled"),
    "case.handle": _("has been handled, awaiting check"), "case.close": _("has been resolved"),
    "case.reject": _("was not registered"), "case.return": _("is being dispatched again"),
    "case.withdraw": _("was withdrawn"), "case.reopen": _("has been reopened"),
    "case.merge": _("was merged into another case"),
}
CLOSED = _("was closed as void")  # every case.void.<reason>
NO_NOTE = _("none")
STAFF: dict[str, str] = {
    "case.task": _("New task {case_no}"),
    "case.remind": _("Task {case_no}: {percent}% of the time limit used"),
    "case.overdue": _("Case {case_no} is overdue (supervision level {level})"),
    "case.supervise": _("Case {case_no} is under supervision by {by}: {note}"),
    "case.urge": _("Case {case_no}: {by} urges you to act: {note}"),
    "case.instruct": _("Case {case_no}: instruction from {by}: {note}"),
    "case.recall": _("Case {case_no} was recalled by {by} ({to}): {note}"),
    "case.escalated": _("Case {case_no} was escalated to your region (level {level})"),
    "digest.grid": _("Daily digest: {count} open tasks"),
    "digest.department": _("Daily digest for {name}: {count} open cases, {escalated} escalated"),
    "alert.card": _("Weather warning for grid {grid}: {title}"),
    "alert.test": _("[TEST, not sent to residents] {title} ({cells} grids)"),
    "alert.card.updated": _("Weather warning updated for grid {grid}: {title}"),
    "alert.cancelled": _("Weather warning lifted: {title}"),
    "alert.silent": _("{silent_count} grids of street {street} have not acknowledged the warning {title}"),
    "survey.escalated": _("Case {case_no}: the resident is still not satisfied after it was reopened"),
    "case.verify_task": _("Verification task {case_no}: please verify on site, with photos and your position"),
    "case.check_task": _("Check task {case_no}: please check the handling on site, with photos and your position"),
    "case.spot_check_task": _("Spot check {case_no}: please re-check this closed case on site"),
    "case.assist_task": _("Assist task {case_no}: your help is needed: {note}"),
    "case.assist_answered": _("Case {case_no}: {by} answered your assist request: {note}"),
    "case.resident_urge": _("Case {case_no}: the reporter urges you to act ({count} so far)"),
    "case.supplement": _("Case {case_no}: the reporter added details: {text}"),
    "group.test": _("Test message from gridline: this group receives the tasks of grid {grid} (sent by {by})"),
}
LABELS = {
    "category": _("Category"), "severity": _("Severity"), "deadline": _("Deadline"), "address": _("Address"),
    "map": _("Map"), "photos": _("Photos"), "accept": _("Accept"), "handle": _("Report handled"),
    "assignee": _("Assignee"), "details": _("Details"), "open": _("Open cases"), "unknown": _("unknown"),
}


class Words:
    """Translated templates for one language; unknown placeholders render as empty text, never fail."""

    def __init__(self, lang: str = DEFAULT) -> None:
        self.lang = lang
        self._gettext: Callable[[str], str] = gettext_for(lang).gettext

    def t(self, msgid: str, **values: Any) -> str:
        return self._gettext(msgid).format_map(_Blank(values))

    def label(self, name: str) -> str:
        return self._gettext(LABELS[name])

    def resident(self, kind: str, values: Mapping[str, Any]) -> str | None:
        msgid = RESIDENT.get(kind)
        if msgid is None:
            return None
        note = values.get("note") or self._gettext(NO_NOTE)
        return self.t(msgid, **{**values, "note": note})

    @staticmethod
    def has_progress(kind: str) -> bool:
        return kind in PROGRESS or kind.startswith("case.void.")

    def progress(self, kind: str) -> str:
        msgid = PROGRESS.get(kind) or (CLOSED if kind.startswith("case.void.") else None)
        return self._gettext(msgid) if msgid else kind.rpartition(".")[2]

    def staff(self, kind: str, values: Mapping[str, Any]) -> str:
        msgid = STAFF.get(kind)
        if msgid:
            return self.t(msgid, **values)
        return str(values.get("text") or values.get("title") or f"{kind} {values.get('case_no') or ''}".strip())


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""
