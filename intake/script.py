"""Which language a message is written in, so replies follow the resident's own script.

A resident who writes 查詢 should be answered in Traditional Chinese without first finding the
`繁體` command, and one who writes in English in English. Traditional is told from Simplified by
the national character sets Python already carries: a character in Big5 but not in GB2312 is
Traditional (詢, 進, 幫), one in GB2312 but not Big5 is Simplified (询, 进, 帮); characters
shared by both (我, 的, 路) decide nothing.
"""

from __future__ import annotations

from intake.intent import meaningful


def _in(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def language_of(text: str) -> str | None:
    """``zh_HK``, ``zh_CN`` or ``en`` for a message written in one of them; ``None`` when it says nothing
    (digits, emoji, shared characters only)."""
    han = [ch for ch in text if "\u3400" <= ch <= "\u9fff"]
    latin = sum(1 for ch in text if "a" <= ch.lower() <= "z")
    if han:
        traditional = sum(1 for ch in han if _in(ch, "big5") and not _in(ch, "gb2312"))
        simplified = sum(1 for ch in han if _in(ch, "gb2312") and not _in(ch, "big5"))
        if traditional > simplified:
            return "zh_HK"
        if simplified > traditional:
            return "zh_CN"
        return "en" if latin > 2 * len(han) else None  # only shared characters: no evidence either way
    return "en" if latin >= 2 and meaningful(text) == latin else None


def reply_language(chosen: str, default: str, written: str | None, sticky: str | None) -> str:
    """The language to answer in: a language the resident chose wins; otherwise the script of this
    message, else of the conversation so far, else the default."""
    if chosen != default:
        return chosen
    return written or sticky or default
