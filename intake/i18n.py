"""User-facing text through gettext catalogs in ``locale/`` (zh_CN default, en, zh_HK).

The ``.po`` files are compiled in memory with Babel at start-up, so the
repository carries no generated ``.mo`` files.
"""

from __future__ import annotations

import gettext
import io
import sys
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def _locale_dir() -> Path:
    """``locale/`` beside the packages (a checkout), else where an installed wheel put it."""
    for candidate in (Path(__file__).resolve().parent.parent / "locale", Path(sys.prefix) / "share/gridline/locale"):
        if candidate.is_dir():
            return candidate
    return Path(sys.prefix) / "share/gridline/locale"


LOCALE_DIR = _locale_dir()
DOMAIN = "gridline"
DEFAULT = "zh_CN"
SUPPORTED = ("zh_CN", "en", "zh_HK")


@lru_cache(maxsize=8)
def translations(lang: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def pick(accept: str | None) -> str:
    """The best supported language for an ``Accept-Language`` header or a ``lang`` parameter."""
    for part in (accept or "").replace("-", "_").split(","):
        tag = part.split(";")[0].strip()
        if not tag:
            continue
        if tag.lower() in ("zh_hk", "zh_tw", "zh_hant", "zh_mo"):
            return "zh_HK"
        if tag.lower().startswith("zh"):
            return "zh_CN"
        if tag.lower().startswith("en"):
            return "en"
    return DEFAULT


def gettext_for(lang: str) -> gettext.NullTranslations:
    return translations(lang if lang in SUPPORTED else DEFAULT)
