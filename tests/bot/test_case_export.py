"""GET /admin/v1/cases/export: both formats read back, no personal data, formulas defused, scope, roles."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from intake.cases import export
from intake.cases.model import Actor
from intake.cases.repo import CaseFilter
from intake.cases.states import Role
from tests.bot.conftest import Api, open_case

URL = "/admin/v1/cases/export"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SECRET = "我的手机13812345678，家住3栋"


async def fetch(api: Api, who: str, **params: str) -> tuple[int, str, bytes]:
    async with api.client.get(URL, params=params, headers=api.auth(who)) as resp:
        return resp.status, resp.content_type, await resp.read()


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())  # the BOM Excel needs
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(body: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    assert sheet is not None
    return [list(r) for r in sheet.iter_rows(values_only=True)]


async def two_cases(api: Api, uid: str) -> list[str]:
    # "-1.5" is a channel a caller controls that Excel would read as a formula
    return [await open_case(api, uid, description=SECRET),
            await open_case(api, uid, description=SECRET, channel="-1.5")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_export_reads_back_without_personal_data(api: Api, uid: str, fmt: str) -> None:
    opened = await two_cases(api, uid)
    status, ctype, body = await fetch(api, "admin", format=fmt, reporter=uid)
    assert status == 200, body[:300]
    rows = read_csv(body) if fmt == "csv" else read_xlsx(body)
    assert rows[0] == list(export.HEADER)
    by_no = {r[0]: dict(zip(export.HEADER, r, strict=True)) for r in rows[1:]}
    assert sorted(by_no) == sorted(opened)
    first, second = by_no[opened[0]], by_no[opened[1]]
    assert (first["channel"], second["channel"]) == ("test", "'-1.5")
    assert first["category_code"] == "01037" and first["category_name"] == "路灯异常"
    assert first["status"] == "reported" and first["grid_code"] == api.leaves[0]
    assert first["street"] == "南澳街道"
    assert first["sla_light"] in {"green", "yellow", "red"}
    assert len(first["opened_at"]) == 19 and first["deadline"] > first["opened_at"]
    raw = body if fmt == "csv" else str(rows).encode()
    assert b"13812345678" not in raw and uid.encode() not in raw  # no description, no reporter
    assert ctype == ("text/csv" if fmt == "csv" else XLSX)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_defuse_prefixes_every_formula_start(value: str) -> None:
    assert export.defuse(value) == "'" + value
    assert export.defuse("plain=1") == "plain=1"


async def test_another_streets_dispatcher_exports_none_of_them(api: Api, uid: str) -> None:
    await open_case(api, uid, leaf=api.other_leaf)
    for fmt in ("csv", "xlsx"):
        status, _, body = await fetch(api, "street", format=fmt, reporter=uid)
        assert status == 200
        assert (read_csv(body) if fmt == "csv" else read_xlsx(body)) == [list(export.HEADER)]
    status, _, body = await fetch(api, "desk", format="csv", reporter=uid, lang="en")
    rows = read_csv(body)
    assert len(rows) == 2 and rows[1][3] == "Streetlight out or damaged"  # the unscoped dispatcher does see it


async def test_batches_page_by_id_without_losing_rows(api: Api, uid: str) -> None:
    opened = await two_cases(api, uid)
    admin = Actor("test:admin", "admin", Role.ADMIN)
    got = [b async for b in export.batches(api.svc.ctx, admin, CaseFilter(reporter=uid), api.svc.clock(), size=1)]
    assert [[r[0] for r in b] for b in got] == [[opened[0]], [opened[1]]]


async def test_worker_is_refused_and_bad_input_is_400(api: Api, uid: str) -> None:
    status, ctype, body = await fetch(api, "w1", format="csv")
    assert (status, ctype) == (403, "application/json"), body
    status, ctype, body = await fetch(api, "admin", format="pdf")
    assert (status, ctype) == (400, "application/json") and b"format" in body
    status, _, _ = await fetch(api, "admin", format="csv", grid="x" * 21)
    assert status == 400
