"""``gridline department …`` and ``gridline setup import-departments``, run as subprocesses on SQLite."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.bot.test_cli import gridline

HEADER = "code,line,name,region_code,email,wecom_group\n"
GOOD = HEADER + ("440307009-water,water,葵涌水务所,440307009,kc-water@example.org,\n"
                 "440307010-water,water,大鹏水务所,440307010,,grp-2\n")


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("orgcli")
    assert gridline(tmp, "demo").returncode == 0
    return tmp


def departments(city: Path) -> dict[str, tuple[str, str | None, int]]:
    with sqlite3.connect(city / "cli.sqlite3") as conn:
        return {r[0]: (r[1], r[2], r[3]) for r in conn.execute("SELECT code, name, email, active FROM departments")}


def test_list_add_edit_deactivate(city: Path) -> None:
    listed = gridline(city, "department", "list", "--line", "water")
    assert listed.returncode == 0, listed.stderr
    assert [json.loads(line)["code"] for line in listed.stdout.splitlines()] == ["440307-water"]
    added = gridline(city, "department", "add", "--code", "cli-gas", "--line", "gas", "--name", "燃气所",
                     "--region", "440307011", "--email", "gas@example.org")
    assert added.returncode == 0, added.stdout + added.stderr
    assert gridline(city, "department", "edit", "cli-gas", "--name", "南澳燃气所").returncode == 0
    assert gridline(city, "department", "deactivate", "cli-gas").returncode == 0
    assert departments(city)["cli-gas"] == ("南澳燃气所", "gas@example.org", 0)
    bad = gridline(city, "department", "edit", "cli-gas", "--email", "not-mail")
    assert bad.returncode == 2 and "email" in bad.stdout
    missing = gridline(city, "department", "deactivate", "no-such")
    assert missing.returncode == 2 and "no department" in missing.stdout


def test_import_is_idempotent(city: Path) -> None:
    (city / "d.csv").write_text(GOOD, encoding="utf-8-sig")
    first = gridline(city, "setup", "import-departments", "d.csv")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "2 created, 0 updated" in first.stdout
    before = departments(city)
    second = gridline(city, "setup", "import-departments", "d.csv")
    assert "0 created, 2 updated" in second.stdout
    assert departments(city) == before
    assert before["440307010-water"] == ("大鹏水务所", None, 1)


def test_import_from_excel(city: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "line", "name", "region_code", "email"])
    sheet.append(["xl-1", "health", "卫生站", "440307011", "h@example.org"])
    book.save(city / "d.xlsx")
    result = gridline(city, "setup", "import-departments", "d.xlsx")
    assert result.returncode == 0, result.stdout + result.stderr
    assert departments(city)["xl-1"] == ("卫生站", "h@example.org", 1)


def hostile(city: Path) -> dict[str, tuple[str, bytes]]:
    formula_book = Workbook()
    sheet = formula_book.active
    assert sheet is not None
    sheet.append(["code", "line", "name", "region_code"])
    sheet.append(["xl-bad", "water", "=HYPERLINK(\"http://evil\")", "440307011"])
    formula_book.save(city / "formula.xlsx")
    return {
        "formula": ("f.csv", (HEADER + "h-1,water,\"=cmd|' /C calc'!A0\",440307009,,\n").encode()),
        "formula-at": ("f2.csv", (HEADER + "h-1,water,@SUM(A1),440307009,,\n").encode()),
        "gbk": ("g.csv", GOOD.replace("440307009-water", "h-1").encode("gbk")),
        "huge": ("big.csv", GOOD.encode() + b"x" * (6 * 1024 * 1024)),
        "missing-column": ("m.csv", b"code,name\nh-1,x\n"),
        "unknown-region": ("r.csv", (HEADER + "h-1,water,x,999999999,,\n").encode()),
        "duplicate": ("dup.csv", (HEADER + "h-1,water,x,440307009,,\nh-1,water,y,440307009,,\n").encode()),
        "bad-row-last": ("late.csv", (GOOD.replace("440307009-water", "h-1") + "h-2,water,x,440307009,bad,\n")
                         .encode()),
        "not-a-workbook": ("fake.xlsx", b"PK\x03\x04 not really a zip"),
        "formula-xlsx": ("formula.xlsx", (city / "formula.xlsx").read_bytes()),
        "other-type": ("d.json", b"{}"),
    }


@pytest.mark.parametrize("kind", ["formula", "formula-at", "gbk", "huge", "missing-column", "unknown-region",
                                  "duplicate", "bad-row-last", "not-a-workbook", "formula-xlsx", "other-type"])
def test_hostile_imports_are_refused_whole(city: Path, kind: str) -> None:
    name, content = hostile(city)[kind]
    (city / name).write_bytes(content)
    before = departments(city)
    result = gridline(city, "setup", "import-departments", name)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout.startswith("gridline: ") and "Traceback" not in result.stderr
    assert departments(city) == before


def users(city: Path) -> dict[int, tuple[str, str, str | None, int, str | None]]:
    with sqlite3.connect(city / "cli.sqlite3") as conn:
        return {r[0]: (r[1], r[2], r[3], r[4], r[5])
                for r in conn.execute("SELECT id, role, token_hash, department_code, active, wecom_userid "
                                      "FROM users")}


def test_user_list_edit_rotate_deactivate(city: Path) -> None:
    listed = gridline(city, "user", "list", "--role", "worker")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) == 48 and all(r["role"] == "worker" and "token" not in r for r in rows)
    uid = rows[-1]["id"]
    edited = gridline(city, "user", "edit", str(uid), "--role", "department", "--department", "440307-water",
                      "--wecom-userid", "zhang.san", "--mobile", "13800009999")
    assert edited.returncode == 0, edited.stdout + edited.stderr
    assert users(city)[uid][0] == "department" and users(city)[uid][2] == "440307-water"
    before = users(city)[uid][1]
    rotated = gridline(city, "user", "rotate-token", str(uid))
    assert rotated.returncode == 0 and rotated.stdout.strip().splitlines()[-1].startswith("glt_")
    assert users(city)[uid][1] != before
    assert gridline(city, "user", "deactivate", str(uid)).returncode == 0
    assert users(city)[uid][3] == 0
    bad = gridline(city, "user", "edit", str(uid), "--department", "nope")
    assert bad.returncode == 2 and "unknown department" in bad.stdout
    assert gridline(city, "user", "edit", "999999", "--name", "x").returncode == 2
