"""Reading a chat message as a survey answer: a digit 1–3, or words (满意, 还行, 不行, 没解决 …).

Negation is the trap: 不满意 contains 满意, and 不是很满意 is not 很满意. Terms are
matched longest first at each position, so 不满意 wins over 满意, and a positive
term right after a negator (不, 没, 不是, 谈不上, not …) counts as unhappy.
Free words are accepted only where they plainly answer (at the start, or a short
message), so a new report that says 没人来修 is not taken for a rating.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from intake.surveys.policy import DISSATISFIED, FAIRLY, SATISFIED

MAX_MESSAGE = 2000  # the most a 公众号 text message carries; "3" + a long comment is still an answer
MAX_ANSWER = 300  # a longer message without a leading digit is a report, not an answer
MAX_COMMENT = 500
SHORT = 8  # a message this short is an answer when it holds any term
WORDS_AT = 3  # otherwise its first term must start within this many characters

# Traditional characters of the terms below, folded so that zh_HK residents match the same list.
_FOLD = str.maketrans("滿沒來還決評錯讚謝馬過處辦結夠說談麼啥樣級", "满没来还决评错赞谢马过处办结够说谈么啥样级")

_TERMS: dict[str, int] = {
    **dict.fromkeys(("满意", "很满意", "非常满意", "十分满意", "挺满意", "好评", "五星", "满分", "很好", "非常好",
                     "挺好", "不错", "很棒", "点赞", "赞", "谢谢", "感谢", "解决了", "已解决", "修好了", "👍",
                     "satisfied", "very satisfied", "good", "great", "thanks", "thank you"), SATISFIED),
    **dict.fromkeys(("基本满意", "比较满意", "还算满意", "还行", "还可以", "一般", "凑合", "马马虎虎", "还好",
                     "尚可", "过得去", "fairly satisfied", "fairly", "ok", "okay", "so-so", "so so"), FAIRLY),
    **dict.fromkeys(("不满意", "不太满意", "很不满意", "非常不满意", "不满", "不行", "没解决", "没有解决",
                     "未解决", "没修好", "没人来", "没有人来", "差评", "很差", "太差", "差劲", "不好", "敷衍",
                     "没用", "没处理", "未处理", "失望", "👎", "dissatisfied", "unsatisfied", "not satisfied",
                     "bad", "terrible"), DISSATISFIED),
}
_LONGEST = sorted(_TERMS, key=len, reverse=True)
_NEGATORS = ("谈不上", "说不上", "一点也不", "一点都不", "不怎么", "不是很", "不是", "不太", "不算", "不够", "并不",
             "没有", "不", "没", "未", "无", "非", "not very ", "not ", "n't ")
_DIGIT = re.compile(r"([1-3])(?:$|[\s,，.。、:：;；!！?？)）\]】~～\-—/]+(.*))", re.S)
_OTHER_DIGITS = re.compile(r"[\s,，/、123]*[123][\s,，/、123]*")
_LATIN_WORD = re.compile(r"[a-z]")
_EDGE = " \t\r\n,，.。、:：;；!！?？~～-—()（）[]【】\"'“”‘’"


@dataclass(frozen=True, slots=True)
class Parsed:
    """An answer: ``score`` 1–3, or ``None`` when the message reads as an answer but says two things."""

    score: int | None
    comment: str | None


def parse(message: str) -> Parsed | None:
    """The answer in ``message``, or ``None`` when it does not read as one."""
    original = (message or "").strip()
    text = unicodedata.normalize("NFKC", original)
    if not text or len(text) > MAX_MESSAGE:
        return None
    if len(text) == len(original):
        text = original  # keep the resident's own punctuation (，。) in the comment where positions agree
    folded = unicodedata.normalize("NFKC", text.lower()).translate(_FOLD)
    if len(folded) != len(text):
        text = folded  # a character that changes length when lowered: positions follow the folded text
    digit = _DIGIT.fullmatch(folded)
    if digit is not None:
        return _with_digit(int(digit.group(1)), text, digit.start(2) if digit.group(2) is not None else len(text))
    if len(text) > MAX_ANSWER:
        return None
    found = _terms(folded)
    if not found:
        return None
    start, end, _ = found[0]
    if start > WORDS_AT and len(text) > SHORT and not _ends_strongly(folded, found[-1]):
        return None
    scores = {score for _, _, score in found}
    if SATISFIED in scores and DISSATISFIED in scores:
        return Parsed(None, None)
    score = max(scores)  # a milder word beside a harsher one: the harsher one is what they mean
    rest = text[end:] if start == 0 else text
    return Parsed(score, _comment(rest))


def _with_digit(score: int, text: str, rest_at: int) -> Parsed:
    rest = text[rest_at:]
    folded = unicodedata.normalize("NFKC", rest.lower()).translate(_FOLD)
    words = {s for _, _, s in _terms(folded)}
    if _OTHER_DIGITS.fullmatch(folded) or (words and abs(max(words) - score) == 2) \
            or (words and abs(min(words) - score) == 2):
        return Parsed(None, None)  # "1 3", "1 不满意": two answers at once
    return Parsed(score, _comment(rest))


def _terms(folded: str) -> list[tuple[int, int, int]]:
    """(start, end, score) of every term, longest match first at each position, negation applied."""
    found: list[tuple[int, int, int]] = []
    at = 0
    while at < len(folded):
        term = next((t for t in _LONGEST if folded.startswith(t, at) and _whole_word(folded, at, t)), None)
        if term is None:
            at += 1
            continue
        score = _TERMS[term]
        if _negated(folded, at):
            score = FAIRLY if score == DISSATISFIED else DISSATISFIED  # 没有不满意 is lukewarm at best
        found.append((at, at + len(term), score))
        at += len(term)
    return found


def _ends_strongly(folded: str, last: tuple[int, int, int]) -> bool:
    """A longer message still answers when it ends on an unmistakable verdict (…，很不满意)."""
    term = folded[last[0]:last[1]]
    return last[1] == len(folded.rstrip(_EDGE)) and any(w in term for w in ("满意", "评", "satisfied"))


def _whole_word(text: str, at: int, term: str) -> bool:
    """Latin terms must stand alone ("ok" is not inside "book"); Chinese ones need no spaces."""
    if not _LATIN_WORD.match(term):
        return True
    before = text[at - 1] if at > 0 else " "
    after = text[at + len(term)] if at + len(term) < len(text) else " "
    return not (before.isalpha() and before.isascii()) and not (after.isalpha() and after.isascii())


def _negated(text: str, at: int) -> bool:
    head = text[max(0, at - 9):at]
    return any(head.endswith(n) for n in _NEGATORS)


def _comment(rest: str) -> str | None:
    cleaned = "".join(ch for ch in rest if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    cleaned = cleaned.strip(_EDGE)
    return cleaned[:MAX_COMMENT] or None
