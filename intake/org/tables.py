"""Reading an onboarding table (CSV or Excel) into rows of text, refusing hostile files whole.

Limits: the file size, the uncompressed size of an .xlsx (a zip: decompression bombs), the row count;
CSV must be UTF-8 (a BOM is fine: Excel writes one); a cell that a spreadsheet would run as a formula
(``= + - @``, tab, CR first) is refused rather than stored, so a later export cannot carry it to a desk.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from intake.errors import Invalid

MAX_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED = 50 * 1024 * 1024
MAX_ROWS = 20_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Row = dict[str, str]


def read_table(path: Path, required: tuple[str, ...]) -> list[Row]:
    """The data rows of ``path`` keyed by the (lower-cased) header; every ``required`` column present."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise Invalid(f"{path.name}: {size} bytes is more than the {MAX_BYTES} allowed")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        grid = _csv(path.read_bytes(), path.name)
    elif suffix == ".xlsx":
        grid = _xlsx(path)
    else:
        raise Invalid(f"{path.name}: expected a .csv or .xlsx file")
    if not grid:
        raise Invalid(f"{path.name}: the file is empty")
    header = [h.strip().lower() for h in grid[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise Invalid(f"{path.name}: missing columns {', '.join(missing)} (header: {', '.join(header)})")
    if len(grid) - 1 > MAX_ROWS:
        raise Invalid(f"{path.name}: more than {MAX_ROWS} rows")
    rows = []
    for number, cells in enumerate(grid[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        for column, cell in zip(header, cells, strict=False):
            if cell.startswith(FORMULA_START):
                raise Invalid(f"{path.name} line {number}, column {column}: {cell[:20]!r} looks like a "
                              "spreadsheet formula; remove the leading character", line=number, column=column)
        rows.append({h: c.strip() for h, c in zip(header, cells, strict=False)} | {"_line": str(number)})
    return rows


def _csv(raw: bytes, name: str) -> list[list[str]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{name}: not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from None
    if "\x00" in text:
        raise Invalid(f"{name}: contains NUL characters; not a text CSV")
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise Invalid(f"{name}: not valid CSV ({exc})") from None


def _xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook  # a heavy import only imports need

    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise Invalid(f"{path.name}: not an .xlsx workbook") from None
    if unzipped > MAX_UNZIPPED:
        raise Invalid(f"{path.name}: unpacks to {unzipped} bytes, more than the {MAX_UNZIPPED} allowed")
    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise Invalid(f"{path.name}: not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        out: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            if len(out) > MAX_ROWS + 1:
                break
            out.append(["" if v is None else str(v) for v in values])
        return out
    finally:
        book.close()
