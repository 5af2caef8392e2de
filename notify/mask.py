"""Personal data masking for group messages (a grid's WeCom group sees the task, not the resident).

Mobile numbers become ``138****5678``, resident ID numbers ``1101**********123X``, names keep their first
character. Full-width digits and the usual separators are recognised too; the full details stay
behind the task link, for the assigned worker only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_D = "[0-9０-９]"
_SEP = r"[-\s\u2010-\u2015－]?"
# 18-digit (last may be X) or legacy 15-digit ID numbers, not inside a longer run of digits or letters.
_ID = re.compile(rf"(?<![0-9０-９A-Za-z])({_D}{{4}})({_D}{{10}}|{_D}{{7}})({_D}{{3}}[0-9０-９XxＸｘ]|{_D}{{4}})"
                 rf"(?![0-9０-９A-Za-z])")
# Mainland mobile numbers: 1[3-9]x xxxx xxxx, optionally +86 / 0086 and separated in 3-4-4 groups.
_MOBILE = re.compile(rf"(?<![0-9０-９])((?:\+|00)?86{_SEP})?([1１][3-9３-９]{_D}){_SEP}({_D}{{4}}){_SEP}({_D}{{4}})"
                     rf"(?![0-9０-９])")
NAME_FIELDS = frozenset({"name", "reporter_name", "contact_name", "resident_name", "full_name"})


def _id(match: re.Match[str]) -> str:
    first, middle, last = match.groups()
    if len(first + middle + last) == 15:
        return first + "*" * 7 + last  # 15-digit form: 4 + 7 + 4
    return first + "*" * 10 + last


def _mobile(match: re.Match[str]) -> str:
    prefix, head, _, tail = match.groups()
    return f"{prefix or ''}{head}****{tail}"


def mask_text(text: str) -> str:
    """Mask ID numbers and mobile numbers wherever they appear in free text."""
    # Mobiles first: "0086" + a mobile is fifteen digits, which would otherwise read as a legacy ID number.
    return _ID.sub(_id, _MOBILE.sub(_mobile, text))


def mask_name(name: str) -> str:
    """``张三`` → ``张*``, ``欧阳娜娜`` → ``欧***``; blanks are kept so a Latin name keeps its shape."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "".join(c if c.isspace() else "*" for c in name[1:])


def mask_fields(data: Mapping[str, Any], names: Iterable[str] = NAME_FIELDS) -> dict[str, Any]:
    """A copy of ``data`` with name fields masked as names and every other string masked as text."""
    name_set = frozenset(names)
    return {key: _mask_value(value, key in name_set, name_set) for key, value in data.items()}


def _mask_value(value: Any, is_name: bool, names: frozenset[str]) -> Any:
    if isinstance(value, str):
        return mask_name(value) if is_name else mask_text(value)
    if isinstance(value, Mapping):
        return mask_fields(value, names)
    if isinstance(value, list | tuple):
        return [_mask_value(item, is_name, names) for item in value]
    return value
