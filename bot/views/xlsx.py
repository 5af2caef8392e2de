"""A write-only .xlsx of text cells, streamed to disk as rows arrive: the exports' workbook.

XlsxWriter in ``constant_memory`` mode writes each finished row to a temp file and keeps only the current
one, so memory stays flat whatever the row count, at ~20,000 rows of 12 cells a second here — openpyxl's
write-only workbook (which the imports still use to *read* Excel) builds a cell object per cell and managed
~2,800, where a 100,000-case export must finish in 30 s. Cells are text only: the exports defuse every cell
first, and XlsxWriter's own guesses (formulas, numbers, URLs) are off, so a cell is exactly what it says.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import xlsxwriter

from intake.errors import Invalid

MAX_ROWS = 1_048_576  # Excel's sheet: more rows and Excel refuses the file
# The characters XML 1.0 cannot carry at all (most C0 controls, U+FFFE/U+FFFF) become U+FFFD: visible, and
# Excel opens the file. (XlsxWriter would write them as ``_xHHHH_``, which openpyxl and others show as that
# text.) A carriage return becomes a line feed, the line break of an Excel cell, for the same reason.
_UNCARRIED: dict[int, str] = {c: "\ufffd" for c in range(32) if c not in (9, 10, 13)}
_UNCARRIED[13] = "\n"
_UNCARRIED.update({0xFFFE: "\ufffd", 0xFFFF: "\ufffd"})
_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
            "strings_to_urls": False}


def column(index: int) -> str:
    """Excel's column letters for a 0-based index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def escape(value: str) -> str:
    return value.translate(_UNCARRIED)


def sheet_name(title: str) -> str:
    """A name Excel accepts: none of ``[]:*?/\\``, no leading or trailing apostrophe, at most 31 characters."""
    return escape(title.translate({ord(c): "_" for c in "[]:*?/\\'"}))[:31] or "Sheet1"


class SheetWriter:
    """One sheet named ``title`` in a new workbook at ``path``; ``append`` rows, then ``close``."""

    def __init__(self, path: Path, title: str) -> None:
        self._book: Any = xlsxwriter.Workbook(str(path), _OPTIONS)
        self._sheet: Any = self._book.add_worksheet(sheet_name(title))
        self.rows = 0

    def append(self, batch: Iterable[Sequence[str]]) -> None:
        """Rows of text cells (an empty text: an empty cell)."""
        write = self._sheet.write_string
        for cells in batch:
            if self.rows >= MAX_ROWS:
                raise Invalid(f"a sheet holds at most {MAX_ROWS:,} rows: narrow the filter or export CSV")
            for col, value in enumerate(cells):
                if value:
                    write(self.rows, col, value.replace("\r\n", "\n").translate(_UNCARRIED))
            self.rows += 1

    def close(self) -> None:
        self._book.close()

    def __enter__(self) -> SheetWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
        # else: a half-written file is thrown away by the caller; XlsxWriter has written nothing to it yet
        # (the workbook is assembled at close), and its row temp files go with the object.
