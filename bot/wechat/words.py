"""Every text command a resident can type, in every language and script, in one table.

A resident writes 查詢 in Traditional, `status` in English or 查询 in Simplified and means the
same thing; before this table each handler listed its own spellings and most knew only
Simplified, so 進度 or `new` at the duplicate prompt fell through to the report. Matching is on
the whole message (NFKC, lower case, surrounding punctuation and inner spaces folded), except
for commands that take an argument (进度 + case number), which match as a prefix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

COMMANDS: Mapping[str, frozenset[str]] = {
    "my_cases": frozenset({"查询", "查詢", "我的诉求", "我的訴求", "status", "my reports", "my cases"}),
    "progress": frozenset({"进度", "進度", "progress"}),  # + a case number
    "second": frozenset({"附议", "附議", "second", "join"}),
    "new": frozenset({"新建", "new"}),
    "cancel": frozenset({"取消", "cancel"}),
    "help": frozenset({"帮助", "幫助", "help", "menu", "菜单", "菜單", "?"}),
    "alerts": frozenset({"预警", "預警", "alerts"}),
    "my_data": frozenset({"我的数据", "我的數據", "我的资料", "我的資料", "my data"}),
    "erase_ask": frozenset({"删除我的数据", "刪除我的數據", "删除我的资料", "刪除我的資料", "delete my data"}),
    "erase_confirm": frozenset({"确认删除我的数据", "確認刪除我的數據", "确认删除我的资料", "確認刪除我的資料",
                                "confirm delete my data"}),
    "alerts_off": frozenset({"退订", "退訂", "取消预警", "取消預警", "退订预警", "退訂預警", "unsubscribe",
                             "stop alerts"}),
    "alerts_on": frozenset({"订阅预警", "訂閱預警", "恢复预警", "恢復預警", "subscribe", "alerts on"}),
    "lang_en": frozenset({"english", "英文"}),
    "lang_zh_CN": frozenset({"中文", "简体", "简体中文", "簡體"}),
    "lang_zh_HK": frozenset({"繁體", "繁体", "繁體中文", "繁体中文"}),
    "auto_submit_on": frozenset({"设置自动提交", "設置自動提交", "設定自動提交", "auto submit on"}),
    "auto_submit_off": frozenset({"设置确认提交", "設置確認提交", "設定確認提交", "auto submit off"}),
    "location_on": frozenset({"设置共享位置", "設置共享位置", "設定共享位置", "share location on"}),
    "location_off": frozenset({"设置关闭位置", "設置關閉位置", "設定關閉位置", "share location off"}),
    # a resident's own report (+ an optional case number; 补充 also + the text to add)
    "urge": frozenset({"催办", "催辦", "urge"}),
    "supplement": frozenset({"补充", "補充", "add details", "supplement"}),
    "withdraw": frozenset({"撤件", "撤回", "withdraw"}),
    "my_worker": frozenset({"我的网格员", "我的網格員", "网格员", "網格員", "my grid worker", "grid worker"}),
}
WITH_ARGUMENT = frozenset({"progress", "urge", "supplement", "withdraw"})
_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")  # 设置 自动提交 = 设置自动提交
_EDGES = re.compile(r"^[\s.!。！，,]+|[\s.!。！，,]+$")
_SPACES = re.compile(r"\s+")
_WORD_TO_COMMAND = {word: name for name, words in COMMANDS.items() for word in words}


def fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).lower()
    return _SPACES.sub(" ", _CJK_SPACE.sub("", _EDGES.sub("", folded)))


def command_of(text: str) -> tuple[str, str] | None:
    """``(command, argument)`` when ``text`` is a command, else ``None``."""
    folded = fold(text)
    if folded in _WORD_TO_COMMAND:
        return _WORD_TO_COMMAND[folded], ""
    for name in sorted(WITH_ARGUMENT):
        for word in COMMANDS[name]:
            if folded.startswith(word) and _boundary(word, folded[len(word):]):
                return name, folded[len(word):].strip()
    return None


def _boundary(word: str, rest: str) -> bool:
    """An English command word ends the word ("urgent: …" is a report, not ``urge``); Chinese has no spaces."""
    return not (word.isascii() and rest[:1].isalpha())


def command_name(text: str) -> str:
    found = command_of(text)
    return found[0] if found else ""


def command_argument(text: str) -> str:
    found = command_of(text)
    return found[1] if found else ""
