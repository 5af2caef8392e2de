"""``gridline setup import-grids|export-grids|import-staff``, run as subprocesses on SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from openpyxl import Workbook

from intake.org.tables import MAX_BYTES
from tests.bot.test_cli import gridline
from tests.intake.grid_files import DISTRICT, box, collection, district, feature


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("setupcli")
    assert gridline(tmp, "demo").returncode == 0
    return tmp


def count(tmp: Path, sql: str) -> int:
    with sqlite3.connect(tmp / "cli.sqlite3") as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_the_demo_city_round_trips_into_an_empty_database(city: Path, tmp_path: Path) -> None:
    exported = gridline(city, "setup", "export-grids", "--out", str(tmp_path / "demo.geojson"))
    assert exported.returncode == 0, exported.stdout + exported.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    assert gridline(empty, "migrate").returncode == 0
    first = gridline(empty, "setup", "import-grids", str(tmp_path / "demo.geojson"))
    assert first.returncode == 0, first.stdout + first.stderr
    regions = count(city, "SELECT count(*) FROM regions")
    assert f"{regions} created, 0 updated, 0 unchanged" in first.stdout
    again = gridline(empty, "setup", "import-grids", str(tmp_path / "demo.geojson"))
    assert f"0 created, 0 updated, {regions} unchanged" in again.stdout  # idempotent
    back = gridline(empty, "setup", "export-grids", "--out", str(tmp_path / "back.geojson"))
    assert back.returncode == 0
    assert (tmp_path / "back.geojson").read_bytes() == (tmp_path / "demo.geojson").read_bytes()


def test_one_bad_feature_stores_nothing_and_is_named(city: Path) -> None:
    before = count(city, "SELECT count(*) FROM regions")
    bow = {"type": "Polygon", "coordinates": [[[113.0, 22.0], [113.01, 22.02], [113.01, 22.0], [113.0, 22.02],
                                               [113.0, 22.0]]]}
    (city / "bad.geojson").write_bytes(collection([*district()[:2], feature(f"{DISTRICT}002", "street", bow)]))
    bad = gridline(city, "setup", "import-grids", "bad.geojson")
    assert bad.returncode == 2 and f"feature 3 ({DISTRICT}002): invalid polygon: Self-intersection" in bad.stdout
    assert count(city, "SELECT count(*) FROM regions") == before
    (city / "good.geojson").write_bytes(collection(district()))
    assert "3 created" in gridline(city, "setup", "import-grids", "good.geojson").stdout
    renamed = district()
    renamed[1]["properties"]["name"] = "新西街道"
    (city / "good.geojson").write_bytes(collection(renamed))
    assert "0 created, 1 updated, 2 unchanged" in gridline(city, "setup", "import-grids", "good.geojson").stdout


STAFF = ("name,role,grids,department,wecom_userid,mobile\n"
         "导入网格员甲,worker,440307011001;440307011002,,imp-w1,\n"
         "导入条线员,department,,440307-water,,19900000001\n")


def users(city: Path) -> dict[str, tuple[str, str, str | None]]:
    with sqlite3.connect(city / "cli.sqlite3") as conn:
        rows = conn.execute("SELECT name, role, department_code, coalesce(wecom_userid, phone) FROM users "
                            "WHERE origin = 'import'")
        return {r[3]: (r[0], r[1], r[2]) for r in rows}


def test_staff_import_is_idempotent_and_updates(city: Path) -> None:
    (city / "s.csv").write_text(STAFF, encoding="utf-8-sig")
    first = gridline(city, "setup", "import-staff", "s.csv")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "2 created, 0 updated, 0 unchanged" in first.stdout
    assert "0 created, 0 updated, 2 unchanged" in gridline(city, "setup", "import-staff", "s.csv").stdout
    (city / "s.csv").write_text(STAFF.replace("导入网格员甲,worker", "导入网格员甲,supervisor"), encoding="utf-8")
    assert "0 created, 1 updated, 1 unchanged" in gridline(city, "setup", "import-staff", "s.csv").stdout
    assert users(city)["imp-w1"] == ("导入网格员甲", "supervisor", None)
    assert users(city)["19900000001"] == ("导入条线员", "department", "440307-water")
    assert count(city, "SELECT count(*) FROM user_grids g JOIN users u ON u.id = g.user_id "
                       "WHERE u.wecom_userid = 'imp-w1'") == 2
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "role", "wecom_userid"])
    sheet.append(["表格网格员", "worker", "imp-x1"])
    book.save(city / "s.xlsx")
    assert "1 created" in gridline(city, "setup", "import-staff", "s.xlsx").stdout


@pytest.mark.parametrize(("content", "said"), [
    ("name,role,wecom_userid\n=HYPERLINK(\"http://x\"),worker,h1\n", "looks like a spreadsheet formula"),
    ("name,role,wecom_userid\n甲,worker,h1\n乙,worker,h1\n", "the same person as line 2"),
    ("name,role,wecom_userid\n甲,king,h1\n", "role must be one of"),
    ("name,role\n甲,worker\n", "give wecom_userid or mobile"),
    ("name,role,wecom_userid,grids\n甲,worker,h1,999999999\n", "unknown grid codes 999999999"),
    ("name,role,wecom_userid,department\n甲,department,h1,no-such\n", "unknown department"),
    ("name,wecom_userid\n甲,h1\n", "missing columns role"),
])
def test_hostile_staff_files_store_nothing(city: Path, content: str, said: str) -> None:
    before = count(city, "SELECT count(*) FROM users")
    (city / "h.csv").write_text(content, encoding="utf-8")
    result = gridline(city, "setup", "import-staff", "h.csv")
    assert result.returncode == 2 and said in result.stdout, result.stdout + result.stderr
    assert count(city, "SELECT count(*) FROM users") == before


def test_wrong_encoding_and_huge_staff_files(city: Path) -> None:
    (city / "gbk.csv").write_bytes("name,role,wecom_userid\n网格员,worker,g1\n".encode("gbk"))
    assert "not UTF-8" in gridline(city, "setup", "import-staff", "gbk.csv").stdout
    (city / "big.csv").write_bytes(b"name,role,wecom_userid\n" + b"x" * MAX_BYTES)
    assert "more than the" in gridline(city, "setup", "import-staff", "big.csv").stdout
    (city / "big.geojson").write_bytes(b" " * (64 * 1024 * 1024 + 1))
    assert "more than the" in gridline(city, "setup", "import-grids", "big.geojson").stdout
    assert box(0, 0, 1, 1)["type"] == "Polygon"
