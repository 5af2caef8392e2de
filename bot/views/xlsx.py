"""A write-only .xlsx of text cells, streamed into a zip entry as rows arrive: the exports' workbook.

Why not openpyxl's write-only workbook (which the imports still use to *read* Excel): it builds a cell
object and an XML element per cell — about 3,000 rows of 12 cells a second on the production-sized
machine, where a 100,000-case export must finish in 30 s. Here a row is one string: the sheet XML as
openpyxl writes it (inline strings, an empty text an empty ``inlineStr`` cell), deflated as it goes, so
memory stays flat whatever the row count. Cells are text only: the exports defuse every cell first.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType

from intake.errors import Invalid

MAX_ROWS = 1_048_576  # Excel's sheet: more rows and Excel refuses the file
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PARTS = {
    "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/></Types>',
    "_rels/.rels": f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
    f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
    "xl/styles.xml": f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
    'patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
    '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
}
# XML's three specials; CR kept as a reference (a parser turns a raw one into LF); the characters XML 1.0
# cannot carry at all (most C0 controls, U+FFFE/U+FFFF) become U+FFFD: visible, and the file stays valid.
_ESCAPE: dict[int, str] = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\r"): "&#13;",
                           0xFFFE: "\ufffd", 0xFFFF: "\ufffd"}
_ESCAPE.update({c: "\ufffd" for c in range(32) if c not in (9, 10, 13)})


def column(index: int) -> str:
    """Excel's column letters for a 0-based index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def escape(value: str) -> str:
    return value.translate(_ESCAPE)


class SheetWriter:
    """One sheet named ``title`` in a new workbook at ``path``; ``append`` rows, then ``close``."""

    def __init__(self, path: Path, title: str) -> None:
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=3)
        for name, text in _PARTS.items():
            self._zip.writestr(name, _HEAD + text)
        name = escape(title.translate({ord(c): "_" for c in "[]:*?/\\'"})[:31] or "Sheet1").replace('"', "&quot;")
        self._zip.writestr("xl/workbook.xml", f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
                                              f'<sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>')
        self._sheet = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self._sheet.write(f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetData>'.encode())
        self._columns: list[str] = []
        self.rows = 0

    def append(self, batch: Iterable[Sequence[str]]) -> None:
        """Rows of text cells (an empty text: an empty cell)."""
        out = []
        for cells in batch:
            if self.rows >= MAX_ROWS:
                raise Invalid(f"a sheet holds at most {MAX_ROWS:,} rows: narrow the filter or export CSV")
            self.rows += 1
            n = self.rows
            while len(self._columns) < len(cells):
                self._columns.append(column(len(self._columns)))
            out.append(f'<row r="{n}">')
            for col, value in zip(self._columns, cells, strict=False):
                out.append(f'<c r="{col}{n}" t="inlineStr"><is><t xml:space="preserve">{value.translate(_ESCAPE)}'
                           f'</t></is></c>' if value else f'<c r="{col}{n}" t="inlineStr"/>')
            out.append("</row>")
        self._sheet.write("".join(out).encode())

    def close(self) -> None:
        self._sheet.write(b"</sheetData></worksheet>")
        self._sheet.close()
        self._zip.close()

    def __enter__(self) -> SheetWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:  # a half-written file is thrown away by the caller: only release the handle
            self._sheet.close()
            self._zip.close()
