"""bot.views.xlsx: the exports' streaming sheet writer, read back by openpyxl — hostile text stays text and
the file stays valid; a sheet never holds more rows than Excel opens."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.views import xlsx
from bot.views.xlsx import SheetWriter, column
from intake.errors import Invalid


def read(path: Path) -> tuple[str, list[list[Any]]]:
    book = load_workbook(path, read_only=True)
    sheet = book.active
    assert sheet is not None
    return sheet.title, [list(r) for r in sheet.iter_rows(values_only=True)]


def test_rows_read_back_cell_for_cell_with_hostile_text(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    hostile = ["a&b<c>\"d'", "'=1+1", " 前后空格 ", "two\nlines", "'\rx\r\ny", "bell\x07\x00end", "\ufffe", "", "末"]
    with SheetWriter(path, "cases") as sheet:
        sheet.append([["h1", "h2"]])
        sheet.append([hostile, ["only"]])
    title, rows = read(path)
    assert title == "cases"
    assert rows[0][:2] == ["h1", "h2"]
    assert rows[1] == ["a&b<c>\"d'", "'=1+1", " 前后空格 ", "two\nlines", "'\nx\ny", "bell\ufffd\ufffdend", "\ufffd",
                       None, "末"]
    assert rows[2][0] == "only" and all(c is None for c in rows[2][1:])
    assert zipfile.ZipFile(path).testzip() is None


def test_a_sheet_title_excel_refuses_is_made_safe(tmp_path: Path) -> None:
    path = tmp_path / "b.xlsx"
    with SheetWriter(path, "a/b:c*d?[e]'<&>" + "x" * 40) as sheet:
        sheet.append([["v"]])
    title, rows = read(path)
    assert title == "a_b_c_d__e__<&>xxxxxxxxxxxxxxxx" and len(title) == 31 and rows == [["v"]]


def test_more_rows_than_a_sheet_holds_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    sheet = SheetWriter(tmp_path / "c.xlsx", "t")
    sheet.append([["1"], ["2"], ["3"]])
    with pytest.raises(Invalid, match="at most"), sheet:
        sheet.append([["4"]])


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")])
def test_column_letters(index: int, letters: str) -> None:
    assert column(index) == letters
