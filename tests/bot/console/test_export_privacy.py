"""The console's case exports and the PIPL read log (intake.privacy.reads).

The export's columns carry no resident personal data: a case with a phone number and a name in its text,
a reporter id and a place is exported and read back (CSV and xlsx), and none of it is in the file, so a
plain export writes no read-log row. A list picked by the reporter's id or by words of the report does
say who reported what: each exported case then gets a row naming the field and the console export.
"""

from __future__ import annotations

import csv
import io

import aiohttp
import openpyxl
import pytest

from intake.cases.export import HEADER
from intake.store.models import Case, PersonalDataRead
from tests.bot.conftest import Api, open_case
from tests.bot.console.conftest import browser, sign_in

PURPOSE = "console case export"
PERSONAL = {"description", "address", "reporter", "lat", "lng", "phone", "contact", "photos"}


async def _export(b: aiohttp.ClientSession, **params: str) -> list[list[str]]:
    async with b.get("/console/cases/export", params=params) as resp:
        assert resp.status == 200, await resp.text()
        body = await resp.read()
    if params["format"] == "csv":
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    assert sheet is not None
    return [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_a_plain_export_carries_no_resident_data_and_logs_no_read(console: Api, uid: str, fmt: str) -> None:
    words = f"张三家门口路灯坏了 电话13912345678 {uid}"
    case_no = await open_case(console, f"pipl-{uid}", description=words)
    case = await Case.get(case_no=case_no)
    assert case.grid_code
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        rows = await _export(b, format=fmt, grid=case.grid_code, category=case.category_code or "")
    assert rows[0] == list(HEADER) and not PERSONAL & set(HEADER)
    mine = [r for r in rows[1:] if r[0] == case_no]
    assert len(mine) == 1
    for cell in (c for r in rows for c in r):
        assert uid not in cell and "13912345678" not in cell and "张三" not in cell
        assert cell != (case.address or "-") and cell not in (str(case.lat), str(case.lng))
    assert not await PersonalDataRead.filter(case_no=case_no, purpose=PURPOSE).exists()


@pytest.mark.parametrize(("search", "field"), [("reporter", "reporter"), ("text", "description")])
async def test_a_list_picked_by_a_residents_data_logs_each_exported_case(console: Api, uid: str, search: str,
                                                                        field: str) -> None:
    first = await open_case(console, f"pipl-by-{uid}", description=f"井盖松动 {uid}")
    second = await open_case(console, f"pipl-by-{uid}", description=f"井盖又松了 {uid}")
    desk = console.staff["desk"].user_id
    async with browser(console) as b:
        await sign_in(b, desk)
        rows = await _export(b, format="xlsx", **{search: f"pipl-by-{uid}" if search == "reporter" else uid})
    assert sorted(r[0] for r in rows[1:]) == sorted([first, second])
    logged = await PersonalDataRead.filter(case_no__in=[first, second], purpose=PURPOSE).order_by("case_no")
    assert [(r.case_no, r.user_id, r.fields_read) for r in logged] == \
        [(no, desk, [field]) for no in sorted([first, second])]
