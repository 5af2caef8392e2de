"""Onboarding a district from files: 10,000 grid cells (GeoJSON) and 2,000 staff (CSV), goal ≤ 60 s.

Generates a district (one district, 10 streets, 100 communities, 10,000 unit grids of about 200 m × 200 m,
every level covering its parent without gaps or overlaps) and a staff table (1,800 workers with 5 cells
each, 100 supervisors with a street, 100 dispatchers; WeCom user ids and mobiles), then runs the code of
``gridline setup import-grids FILE`` and ``gridline setup import-staff FILE.csv`` (``bot.setup_cli``: the
grid check with every validation, then the store; the staff rows, their references, then the store) on a
fresh PostgreSQL database, and again on the same files (the idempotent re-import: nothing changes).

Run: ``.venv/bin/python bench/import_setup.py [--cells-side 100] [--staff 2000] [--keep]``
(``GRIDLINE_TEST_PG`` names the server's admin URL; the database ``gridline_bench_import`` is recreated).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import pgdb
from bot.setup_cli import COMMANDS
from intake.store import db

PG_ADMIN = os.environ.get("GRIDLINE_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")
NAME = "gridline_bench_import"
GOAL_S = 60.0
DISTRICT, WEST, SOUTH, STEP = "440399", 114.30, 22.50, 0.002  # a cell is STEP degrees square


def _square(i0: int, j0: int, i1: int, j1: int) -> dict[str, Any]:
    """A rectangle over whole cells (corners from integer steps: shared edges are exactly equal)."""
    x0, y0, x1, y1 = (round(WEST + i0 * STEP, 7), round(SOUTH + j0 * STEP, 7),
                      round(WEST + i1 * STEP, 7), round(SOUTH + j1 * STEP, 7))
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def _feature(code: str, name: str, level: str, geometry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"code": code, "name": name, "level": level}, "geometry": geometry}


def grid_file(side: int) -> tuple[dict[str, Any], list[str]]:
    """``side`` × ``side`` unit cells: streets are columns of ``side // 10`` cells, communities blocks in them."""
    block = side // 10
    features = [_feature(DISTRICT, "基准区", "district", _square(0, 0, side, side))]
    units: list[str] = []
    for s in range(10):
        street = f"{DISTRICT}{s + 1:03d}"
        features.append(_feature(street, f"第{s + 1}街道", "street", _square(s * block, 0, (s + 1) * block, side)))
        for c in range(10):
            community = f"{street}{c + 1:03d}"
            features.append(_feature(community, f"第{s + 1}街道第{c + 1}社区", "community",
                                     _square(s * block, c * block, (s + 1) * block, (c + 1) * block)))
            for n in range(block * block):
                i, j = s * block + n % block, c * block + n // block
                code = f"{community}{n + 1:03d}"
                features.append(_feature(code, f"网格{code[-6:]}", "unit", _square(i, j, i + 1, j + 1)))
                units.append(code)
    return {"type": "FeatureCollection", "features": features}, units


def staff_file(path: Path, count: int, units: list[str]) -> None:
    supervisors = dispatchers = count // 20
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "role", "grids", "department", "wecom_userid", "mobile", "active"])
        for n in range(count):
            if n < supervisors:
                role, grids = "supervisor", f"{DISTRICT}{n % 10 + 1:03d}"
            elif n < supervisors + dispatchers:
                role, grids = "dispatcher", ""
            else:
                role, first = "worker", (n * 5) % len(units)
                grids = ";".join(units[(first + k) % len(units)] for k in range(5))
            out.writerow([f"员工{n:04d}", role, grids, "", f"bench.{n:04d}", f"139{n:08d}", "true"])


async def timed(command: tuple[str, str], path: Path) -> tuple[float, str]:
    t0 = time.perf_counter()
    said = await COMMANDS[command](argparse.Namespace(file=path))
    return time.perf_counter() - t0, said


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cells-side", type=int, default=100, help="unit cells per side (a multiple of 10)")
    parser.add_argument("--staff", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gridline-import-"))
    grids, units = grid_file(args.cells_side)
    (work / "grids.geojson").write_text(json.dumps(grids, ensure_ascii=False), encoding="utf-8")
    staff_file(work / "staff.csv", args.staff, units)
    size = (work / "grids.geojson").stat().st_size
    print(f"files: {len(units):,} unit cells ({len(grids['features']):,} regions, {size / 1e6:.1f} MB GeoJSON), "
          f"{args.staff:,} staff rows")
    url = await pgdb.fresh_database(PG_ADMIN, NAME)
    await db.migrate(url)
    await db.open_db(url)
    try:
        results = []
        for label in ("first import", "re-import"):
            grid_s, grid_said = await timed(("setup", "import-grids"), work / "grids.geojson")
            staff_s, staff_said = await timed(("setup", "import-staff"), work / "staff.csv")
            total = grid_s + staff_s
            results.append(total)
            print(f"{label}: grids {grid_s:.1f} s ({grid_said}); staff {staff_s:.1f} s ({staff_said})")
            print(f"{label}: total {total:.1f} s   goal <= {GOAL_S:.0f} s   {'OK' if total <= GOAL_S else 'MISSED'}")
    finally:
        await db.close_db()
        if not args.keep:
            await pgdb.drop_database(PG_ADMIN, NAME)
    return 0 if results[0] <= GOAL_S else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
