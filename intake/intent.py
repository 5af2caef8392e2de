"""What a resident's message is before it is a report: a complaint, a greeting, thanks, a question or noise.

Commands are matched by the channel before this runs. Everything else used to become a
report, so "你好" was classified (表扬感谢 at 0.97) and an emoji string became a case once a
location followed. The rules here are deliberately conservative: only whole messages that
are a greeting, a thank-you or a bare topic word are taken out; any sentence with content
stays a complaint, and the classifier's confidence only decides about very short texts.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class Intent(StrEnum):
    COMPLAINT = "complaint"
    GREETING = "greeting"
    THANKS = "thanks"
    QUESTION = "question"  # a bare topic ("有问题", "台风") that says nothing yet about what or where
    NOISE = "noise"  # emoji, punctuation, one or two characters, or text the classifier cannot place


GREETINGS = frozenset({"你好", "您好", "你们好", "你們好", "大家好", "在吗", "在嗎", "在不在", "有人吗", "有人嗎",
                       "早上好", "早安", "晚上好", "下午好", "哈喽", "哈囉", "喂", "hi", "hello", "hey", "hi there",
                       "good morning", "good evening", "anyone there", "哈啰"})
THANKS = frozenset({"谢谢", "謝謝", "多谢", "多謝", "感谢", "感謝", "谢谢你", "謝謝你", "谢谢你们", "謝謝你們",
                    "thanks", "thank you", "thank you very much", "thanks a lot", "thx", "ty", "好的谢谢",
                    "好的謝謝", "ok thanks", "辛苦了"})
QUESTIONS = frozenset({"有问题", "有問題", "我有问题", "我有問題", "问题", "問題", "台风", "颱風", "台風", "暴雨",
                       "订阅", "訂閱", "投诉", "投訴", "举报", "舉報", "反映", "反映问题", "反映問題", "咨询", "諮詢",
                       "请问", "請問", "problem", "i have a problem", "question", "complaint", "report",
                       "typhoon", "subscribe"})
MIN_CHARS = 3  # Han characters or Latin letters; "好", "ok", "嗯嗯" say nothing to act on
SHORT = 5  # below this many characters the classifier's confidence is asked (longer text is taken as said)
MIN_CONFIDENCE = 0.05
_TRIM = re.compile(r"^[\s\W_]+|[\s\W_]+$")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lower-case, NFKC, surrounding punctuation and emoji dropped, inner spaces collapsed."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return _SPACES.sub(" ", _TRIM.sub("", folded))


def meaningful(text: str) -> int:
    """How many Han characters and Latin letters ``text`` has (emoji, digits, punctuation do not count)."""
    return sum(1 for ch in text if _is_han(ch) or ("a" <= ch.lower() <= "z"))


def classify(text: str, confidence: float | None = None) -> Intent:
    """The intent of one message; ``confidence`` is the complaint classifier's, when it was asked."""
    core = normalize(text)
    if core in GREETINGS:
        return Intent.GREETING
    if core in THANKS:
        return Intent.THANKS
    if core in QUESTIONS:
        return Intent.QUESTION
    count = meaningful(core)
    if count < MIN_CHARS:
        return Intent.NOISE
    if confidence is not None and count < SHORT and confidence < MIN_CONFIDENCE:
        return Intent.NOISE
    return Intent.COMPLAINT


def wants_classifier(text: str) -> bool:
    """Whether :func:`classify` would use a confidence for ``text`` (so long texts skip the model)."""
    return meaningful(normalize(text)) < SHORT


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"
