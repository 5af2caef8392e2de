"""Satisfaction surveys on the people-facing side: their sentences, their settings, their periodic sweep.

The domain (``intake.surveys``) decides who is asked what and when; this module
gives it the words (gettext, in the resident's language) and runs the reminder
sweep in one process at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.sections import SurveysSection
from intake.cases.context import CaseContext
from intake.i18n import gettext_for
from intake.surveys.policy import SurveyPolicy
from intake.surveys.reminders import remind

log = logging.getLogger("gridline.surveys")
SWEEP_LOCK = "lock:survey-sweep"


def render(kind: str, lang: str, payload: Mapping[str, Any]) -> str:
    """The text of a survey message; ``payload`` is what :mod:`intake.surveys.lifecycle` puts in it."""
    _ = gettext_for(lang).gettext
    facts = {"case_no": payload.get("case_no", ""), "category": payload.get("category_name") or _("uncategorised")}
    if kind == "survey.reminder":
        return _("Reminder: how was your report {case_no} ({category}) handled? "
                 "Reply 1 satisfied / 2 fairly satisfied / 3 not satisfied.").format(**facts)
    result = str(payload.get("result") or "").rstrip("。.!！;；,，") or _("the problem has been dealt with")
    return _("Your report {case_no} ({category}) has been resolved: {result}. Please rate it: reply 1 satisfied / "
             "2 fairly satisfied / 3 not satisfied, and you may add a sentence.").format(result=result, **facts)


class SurveyTexts:
    """What the 公众号 answers to a survey reply."""

    def __init__(self, lang: str) -> None:
        self._ = gettext_for(lang).gettext

    def thanks(self, case_no: str) -> str:
        return self._("Thank you for rating your report {case_no}.").format(case_no=case_no)

    def reopened(self, case_no: str) -> str:
        return self._("Sorry the problem is not solved. Case {case_no} has been reopened "
                      "and sent back for handling.").format(case_no=case_no)

    def escalated(self, case_no: str) -> str:
        return self._("Sorry. Your feedback on case {case_no} has been passed to the supervisor.").format(
            case_no=case_no)

    def unclear(self, case_no: str) -> str:
        return self._("Please rate case {case_no} with one number: reply 1 satisfied / 2 fairly satisfied / "
                      "3 not satisfied.").format(case_no=case_no)

    def for_effect(self, effect: str, case_no: str) -> str:
        if effect == "reopened":
            return self.reopened(case_no)
        if effect == "escalated":
            return self.escalated(case_no)
        return self.thanks(case_no)


def policy(section: SurveysSection) -> SurveyPolicy:
    return SurveyPolicy(delay=section.delay, reminder_after=section.reminder_after, window=section.window,
                        flag_rate=section.flag_rate, min_sample=section.min_sample, render=render,
                        texted=section.texted)


async def send_reminders(ctx: CaseContext) -> None:
    """The one reminder of each survey left unanswered (run by one process at a time)."""
    sent = await remind(ctx)
    if sent:
        log.info("survey reminders", extra={"sent": sent})
