"""Benchmark: point → unit grid placement throughput of ``GridIndex.locate_many``.

Builds a synthetic district of 200 × 160 ≈ 100 m unit grids (32,000 leaves) whose
lattice vertices are jittered, so cells are irregular quadrilaterals that still tile
the plane; every 50th cell is cut in two and stored as a MultiPolygon. Points are
uniform over the lattice plus a 300 m margin, so some fall outside and exercise the
≤ 200 m snap path and the "nowhere" path.

Goal: ≥ 200,000 points/s on one core. Run: ``.venv/bin/python bench/grid_lookup.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import shapely

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake.grid.index import GridIndex
from intake.grid.model import Cell, Level

COLS, ROWS = 200, 160
STEP_DEG = 0.001  # ≈ 100 m of latitude, ≈ 92 m of longitude at 22.5° N
WEST, NORTH = 114.40, 22.66
BLOCK_COLS, BLOCK_ROWS = 40, 20  # one community = 40 × 20 = 800 unit grids (3-digit serial)
N_POINTS = 500_000
N_SINGLE = 5_000
REPEATS = 3
GOAL = 200_000


def jittered_vertices(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Lattice vertex coordinates, moved up to 25 % of a step (shared, so cells still tile)."""
    cols, rows = np.meshgrid(np.arange(COLS + 1), np.arange(ROWS + 1))
    jx = rng.uniform(-0.25, 0.25, cols.shape) * STEP_DEG
    jy = rng.uniform(-0.25, 0.25, rows.shape) * STEP_DEG
    return WEST + cols * STEP_DEG + jx, NORTH - rows * STEP_DEG + jy


def unit_geometry(vx: np.ndarray, vy: np.ndarray, r: int, c: int) -> shapely.Geometry:
    ring = [(vx[r, c], vy[r, c]), (vx[r, c + 1], vy[r, c + 1]), (vx[r + 1, c + 1], vy[r + 1, c + 1])]
    ring.append((vx[r + 1, c], vy[r + 1, c]))
    quad = shapely.Polygon(ring)
    if (r * COLS + c) % 50:
        return quad
    # Remove a thin strip through the middle: the rest is two parts, one MultiPolygon.
    x0, y0, x1, y1 = quad.bounds
    mid = (x0 + x1) / 2
    return quad.difference(shapely.box(mid - STEP_DEG * 0.02, y0, mid + STEP_DEG * 0.02, y1))


def build_cells(seed: int = 7) -> list[Cell]:
    vx, vy = jittered_vertices(np.random.default_rng(seed))
    district = Cell("440307", "bench district", Level.DISTRICT, None, shapely.box(0, 0, 0, 0))
    cells = [district]
    serials: dict[str, int] = {}
    for r in range(ROWS):
        for c in range(COLS):
            block = (r // BLOCK_ROWS) * (COLS // BLOCK_COLS) + c // BLOCK_COLS
            street = f"440307{block // 10 + 1:03d}"
            community = f"{street}{block % 10 + 1:03d}"
            serials[community] = serials.get(community, 0) + 1
            code = f"{community}{serials[community]:03d}"
            cells.append(Cell(code, code, Level.UNIT, community, unit_geometry(vx, vy, r, c)))
    for community in serials:
        cells.append(Cell(community, community, Level.COMMUNITY, community[:9], shapely.box(0, 0, 0, 0)))
        cells.append(Cell(community[:9], community[:9], Level.STREET, "440307", shapely.box(0, 0, 0, 0)))
    return cells


def main() -> None:
    cells = build_cells()
    t0 = time.perf_counter()
    index = GridIndex(cells)
    built = time.perf_counter() - t0
    print(f"index: {len(index.leaves):,} unit grids (leaves), {len(index):,} cells, indexed in {built:.2f} s")
    rng = np.random.default_rng(11)
    margin = 0.003
    lngs = rng.uniform(WEST - margin, WEST + COLS * STEP_DEG + margin, N_POINTS)
    lats = rng.uniform(NORTH - ROWS * STEP_DEG - margin, NORTH + margin, N_POINTS)
    index.locate_many(lngs[:1000], lats[:1000])  # warm-up
    timings = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        codes = index.locate_many(lngs, lats)
        timings.append(time.perf_counter() - t0)
    placed = sum(c is not None for c in codes)
    rate = N_POINTS / statistics.median(timings)
    runs = ", ".join(f"{t:.3f}" for t in timings)
    print(f"locate_many: {N_POINTS:,} points, {REPEATS} runs ({runs} s), median {rate:,.0f} points/s")
    print(f"  placed {placed:,}; the rest lie over 200 m outside every grid")
    t0 = time.perf_counter()
    for lng, lat in zip(lngs[:N_SINGLE], lats[:N_SINGLE], strict=True):
        index.locate(float(lng), float(lat))
    single = N_SINGLE / (time.perf_counter() - t0)
    print(f"locate (single calls): {single:,.0f} points/s over {N_SINGLE:,} points")
    verdict = "meets" if rate >= GOAL else "MISSES"
    print(f"goal: locate_many >= {GOAL:,} points/s on one core -> {verdict}")


if __name__ == "__main__":
    main()
