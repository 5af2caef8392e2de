"""A reply to a satisfaction survey (1 / 2 / 3, 满意, 还行, 不行, 没解决 …), matched to the resident's open survey.

It runs before the report conversation, and only for a resident who is not in the
middle of a report (there, 1 / 2 / 3 confirm the draft). A message that reads
like an answer from someone with no open survey goes on to the report conversation.
"""

from __future__ import annotations

from bot.surveys import SurveyTexts
from bot.wechat.handlers import report
from bot.wechat.router import Router, Turn
from intake.errors import IllegalTransition
from intake.surveys.answers import AlreadyAnswered, answer, open_survey
from intake.surveys.parse import parse

router = Router()
CHANNEL = "wechat"
IDLE = frozenset({"idle", "submitted"})


def _words(turn: Turn) -> str:
    return turn.text if turn.msg.kind == "text" else (turn.msg.recognition or "").strip()


def _reads_as_answer(turn: Turn) -> bool:
    return turn.msg.kind in ("text", "voice") and turn.draft.state in IDLE and parse(_words(turn)) is not None


@router.on(_reads_as_answer)
async def survey_answer(turn: Turn) -> str | None:
    parsed = parse(_words(turn))
    survey = await open_survey(CHANNEL, turn.resident.external_id, turn.now)
    if parsed is None or survey is None:
        return await report.router.dispatch(turn)  # no survey to answer: the normal conversation
    texts = SurveyTexts(turn.t.lang)
    if parsed.score is None:
        return texts.unclear(survey.case_no)
    try:
        done = await answer(turn.ctx, survey.case_no, CHANNEL, turn.resident.external_id, parsed.score,
                            parsed.comment, via=CHANNEL)
    except (AlreadyAnswered, IllegalTransition):
        return texts.thanks(survey.case_no)  # a concurrent answer or reopening got there first
    return texts.for_effect(done.effect, done.case_no)
