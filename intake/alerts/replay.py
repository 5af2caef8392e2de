"""Typhoon replay: a best track → the timed typhoon signals the grids within a radius would have received.

The CMA best track gives the centre, 6-hourly, with the maximum sustained wind and no wind radii, so a
cell counts as affected when the centre is within ``radius_km`` of its centroid, and the colour follows
the typhoon signal criteria (signals.yaml, 台风) on that wind: mean wind force 6 (≥ 10.8 m/s) blue,
8 (≥ 17.2) yellow, 10 (≥ 24.5) orange, 12 (≥ 32.7) red — each issued ahead by its lead time (24 h, 24 h,
12 h, 6 h: "24小时内可能或者已经受热带气旋影响 …"). The track is interpolated hourly. Nothing is sent.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from intake.errors import Invalid
from intake.grid.geodesy import EARTH_RADIUS_M
from intake.grid.index import GridIndex

# (colour, Beaufort threshold in m/s, lead time in hours), lowest first.
LEVELS = (("blue", 10.8, 24), ("yellow", 17.2, 24), ("orange", 24.5, 12), ("red", 32.7, 6))
MAX_ROWS, MAX_BYTES = 20_000, 5 * 1024 * 1024
COLUMNS = ("time_utc", "lat", "lon", "max_wind_ms")


@dataclass(frozen=True, slots=True)
class TrackPoint:
    storm: str
    at: datetime
    lat: float
    lon: float
    wind: float


@dataclass(frozen=True, slots=True)
class Step:
    """One message of the replayed sequence."""

    at: datetime
    msg_type: str  # Alert | Update | Cancel
    colour: str | None  # the highest colour now in force (None after a Cancel)
    cells: dict[str, list[str]]  # colour → cell codes now at that colour
    nearest_km: float
    wind: float


def read_track(data: bytes) -> list[TrackPoint]:
    """A best-track CSV with at least time_utc, lat, lon, max_wind_ms (and optionally name_en)."""
    if len(data) > MAX_BYTES:
        raise Invalid(f"the track file is larger than {MAX_BYTES} bytes")
    try:
        reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    except UnicodeDecodeError:
        raise Invalid("the track file must be UTF-8 CSV") from None
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise Invalid(f"the track CSV lacks the columns {', '.join(missing)}")
    points = []
    for n, row in enumerate(reader, start=2):
        if n > MAX_ROWS:
            raise Invalid(f"the track has more than {MAX_ROWS} rows")
        try:
            at = datetime.fromisoformat(row["time_utc"].replace("Z", "+00:00"))
            lat, lon, wind = float(row["lat"]), float(row["lon"]), float(row["max_wind_ms"])
        except (TypeError, ValueError):
            raise Invalid(f"line {n}: time_utc, lat, lon and max_wind_ms must be a time and numbers") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 <= wind < 150 and math.isfinite(wind)):
            raise Invalid(f"line {n}: lat, lon or wind out of range")
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        points.append(TrackPoint((row.get("name_en") or "").strip() or "track", at, lat, lon, wind))
    if not points:
        raise Invalid("the track has no rows")
    return points


def storms(points: list[TrackPoint]) -> dict[str, list[TrackPoint]]:
    out: dict[str, list[TrackPoint]] = {}
    for p in points:
        out.setdefault(p.storm, []).append(p)
    return {k: sorted(v, key=lambda p: p.at) for k, v in out.items()}


def hourly(track: list[TrackPoint]) -> list[TrackPoint]:
    """Linear interpolation between fixes, one point an hour."""
    out = [track[0]]
    for a, b in itertools.pairwise(track):
        hours = int((b.at - a.at).total_seconds() // 3600)
        for h in range(1, hours + 1):  # a repeated fix time adds nothing
            f = h / hours
            out.append(TrackPoint(a.storm, a.at + timedelta(hours=h), a.lat + f * (b.lat - a.lat),
                                  a.lon + f * (b.lon - a.lon), a.wind + f * (b.wind - a.wind)))
    return out


def replay(track: list[TrackPoint], grid: GridIndex, radius_km: float, prefix: str = "") -> list[Step]:
    if not 0 < radius_km <= 2000:
        raise Invalid("the radius must be within 0–2000 km")
    cells = [c.code for c in grid.leaves if c.code.startswith(prefix)]
    if not cells:
        raise Invalid(f"no grid cells under {prefix[:20]!r}")
    points = hourly(track)
    lng, lat = np.array([grid.centroid(c) for c in cells]).T
    dist = _km(np.array([p.lat for p in points]), np.array([p.lon for p in points]), lat, lng)  # points × cells
    wind = np.array([p.wind for p in points])
    level = np.zeros(dist.shape, dtype=np.int8)  # 0 none, 1 blue … 4 red
    for rank, (_, threshold, lead) in enumerate(LEVELS, start=1):
        hit = (dist <= radius_km) & (wind >= threshold)[:, None]
        # In force at hour t when hit at some hour in [t, t + lead]: a reversed running window.
        ahead = np.zeros_like(hit)
        for shift in range(lead + 1):
            ahead[: len(points) - shift] |= hit[shift:]
        level = np.where(ahead, np.maximum(level, rank), level)
    return _steps(points, cells, level, dist, wind)


def _steps(points: list[TrackPoint], cells: list[str], level: np.ndarray, dist: np.ndarray,
           wind: np.ndarray) -> list[Step]:
    steps: list[Step] = []
    previous = np.zeros(len(cells), dtype=np.int8)
    for t, p in enumerate(points):
        now = level[t]
        if np.array_equal(now, previous):
            continue
        nearest = int(np.argmin(dist[t]))
        top = int(now.max())
        msg = "Cancel" if top == 0 else ("Alert" if previous.max() == 0 else "Update")
        by_colour = {LEVELS[r - 1][0]: [cells[i] for i in np.flatnonzero(now == r)] for r in range(1, 5)}
        steps.append(Step(p.at, msg, LEVELS[top - 1][0] if top else None, {k: v for k, v in by_colour.items() if v},
                          round(float(dist[t, nearest]), 1), round(float(wind[t]), 1)))
        previous = now
    return steps


def _km(plat: np.ndarray, plon: np.ndarray, clat: np.ndarray, clon: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(plat)[:, None], np.radians(clat)[None, :]
    dphi, dl = p2 - p1, np.radians(clon)[None, :] - np.radians(plon)[:, None]
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    result: np.ndarray = 2 * EARTH_RADIUS_M / 1000.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return result


def closest(track: list[TrackPoint], grid: GridIndex, prefix: str = "") -> tuple[float, TrackPoint]:
    """The closest 6-hourly fix to any cell centroid under ``prefix`` (km, fix)."""
    cells = [c.code for c in grid.leaves if c.code.startswith(prefix)]
    lng, lat = np.array([grid.centroid(c) for c in cells]).T
    dist = _km(np.array([p.lat for p in track]), np.array([p.lon for p in track]), lat, lng).min(axis=1)
    i = int(np.argmin(dist))
    return float(dist[i]), track[i]
