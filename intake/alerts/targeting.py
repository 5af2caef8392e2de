"""Cells → the residents bound to them, as set-based SQL (no per-row ORM: 100,000 residents in seconds).

A resident is bound to a cell by any of: a mini-program alert place (``mp_alert_places``), their home grid
(``residents.home_grid``, from a grid poster's QR code or the mini-program), the cell of one of their own
reports opened in the last ``recent_report_days`` days (公众号 and mini-program reports only: other channels
are systems, not reachable residents), and their last location when they allowed it and it is at most
``location_max_age_h`` hours old. One row per resident and alert (the lowest cell code wins when they are
bound to several), so every resident is told once; residents who unsubscribed are left out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import shapely

from intake.alerts.policy import AlertPolicy
from intake.grid.geodesy import gcj02_to_wgs84
from intake.grid.index import GridIndex
from intake.store import db
from intake.store.models import Case, Resident
from intake.store.models_alerts import Alert, AlertCell, AlertTarget

MP_CHANNEL = "miniprogram"  # the channel name the mini-program files residents under
RESIDENT_CHANNELS = ("wechat", MP_CHANNEL)

_BOUND = f"""
INSERT INTO alert_targets (alert_id, channel, external_id, grid_code, version)
SELECT ?, b.channel, b.external_id, MIN(b.grid_code), ? FROM (
  SELECT '{MP_CHANNEL}' AS channel, p.openid AS external_id, p.grid_code AS grid_code
    FROM mp_alert_places p JOIN alert_cells c ON c.grid_code = p.grid_code WHERE c.alert_id = ?
  UNION ALL
  SELECT r.channel, r.external_id, r.home_grid
    FROM residents r JOIN alert_cells c ON c.grid_code = r.home_grid WHERE c.alert_id = ?
  UNION ALL
  SELECT k.channel, k.reporter, k.grid_code
    FROM cases k JOIN alert_cells c ON c.grid_code = k.grid_code
   WHERE c.alert_id = ? AND k.opened_at >= ? AND k.channel IN ('wechat', '{MP_CHANNEL}')
) AS b
WHERE NOT EXISTS (SELECT 1 FROM residents u WHERE u.channel = b.channel AND u.external_id = b.external_id
                  AND (NOT u.subscribed
                       OR (u.alerts_muted AND (SELECT a.colour FROM alerts a WHERE a.id = ?) <> 'red')))
GROUP BY b.channel, b.external_id
ON CONFLICT DO NOTHING
"""

_LOCATED = """
SELECT channel, external_id, last_lat, last_lng FROM residents
 WHERE location_allowed AND subscribed AND last_location_at >= ?
   AND last_lat BETWEEN ? AND ? AND last_lng BETWEEN ? AND ?
"""
_UNMUTED = " AND NOT alerts_muted"  # below red, residents who turned alerts off are left out


async def store_cells(alert_id: int, codes: list[str]) -> None:
    """Replace the alert's cells (an Update may move the area)."""
    await AlertCell.filter(alert_id=alert_id).delete()
    await AlertCell.bulk_create([AlertCell(alert_id=alert_id, grid_code=c, street_code=c[:9]) for c in codes],
                                batch_size=2000)


async def bind(alert_id: int, version: int, grid: GridIndex, cells: list[str], policy: AlertPolicy,
               now: datetime) -> int:
    """(Re)build the alert's target rows for ``version``; returns the number of residents."""
    await AlertTarget.filter(alert_id=alert_id).delete()
    since = db.db_value(Case, "opened_at", now - timedelta(days=policy.recent_report_days))
    await db.execute(_BOUND, [alert_id, version, alert_id, alert_id, alert_id, since, alert_id])
    await _bind_located(alert_id, version, grid, set(cells), policy, now)
    return await AlertTarget.filter(alert_id=alert_id).count()


async def _bind_located(alert_id: int, version: int, grid: GridIndex, cells: set[str], policy: AlertPolicy,
                        now: datetime) -> None:
    red = await Alert.filter(id=alert_id, colour="red").exists()
    located = await located_in(grid, cells, policy, now, red)
    if not located:
        return
    # ON CONFLICT keeps the binding found first (alert place, home grid, report): one row per resident.
    sql = ("INSERT INTO alert_targets (alert_id, channel, external_id, grid_code, version) VALUES (?, ?, ?, ?, ?) "
           "ON CONFLICT DO NOTHING")
    await db.execute_many(sql, [[alert_id, ch, ext, code, version] for ch, ext, code in located])


async def located_in(grid: GridIndex, cells: set[str], policy: AlertPolicy, now: datetime,
                     red: bool) -> list[tuple[str, str, str]]:
    """(channel, external id, cell) of residents whose recent, allowed last location lies in ``cells``."""
    if not cells:
        return []
    x0, y0, x1, y1 = shapely.total_bounds([grid.cell(c).geometry for c in cells])
    pad = 0.02  # the GCJ-02 offset is under 1 km; the exact test is the grid lookup below
    since = db.db_value(Resident, "last_location_at", now - timedelta(hours=policy.location_max_age_h))
    found = await db.fetch(_LOCATED + ("" if red else _UNMUTED), [since, y0 - pad, y1 + pad, x0 - pad, x1 + pad])
    if not found:
        return []
    # WeChat LOCATION events are GCJ-02, the grid is WGS-84.
    points = [gcj02_to_wgs84(r["last_lng"], r["last_lat"]) for r in found]
    codes = grid.locate_many([p[0] for p in points], [p[1] for p in points])
    return [(r["channel"], r["external_id"], code) for r, code in zip(found, codes, strict=True) if code in cells]


async def targets(alert_id: int) -> list[dict[str, Any]]:
    return await db.fetch("SELECT channel, external_id, grid_code FROM alert_targets WHERE alert_id = ?", [alert_id])
