"""The outbox side of ``bench/redis_outage.py``: outbound work made while Redis is down, and how long the
outbox takes to drain once Redis is back (#18: within 60 s of its return).

The work is red alerts issued through the admin API (``POST /admin/v1/alerts``), each over ``cells`` leaf
cells: one WeCom group card per cell, all routed to the demo district's robot on the fake WeChat/WeCom API
server (``tests/fakes/wechat_api.py``). One alert just before Redis dies (its cards are on the stream, or
being sent, when the stream is lost), then one every ``every`` seconds of the outage, the last one second
before Redis returns (empty). The drain is timed from the return until no row is left to send (pending,
retry, sending) and the fake API has received every card.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import aiohttp
import asyncpg

from bench import outbox_kit as kit

OPEN = ("pending", "retry", "sending")
GOAL_S = 60.0


@dataclass
class Outbound:
    """What was asked of the outbox, when, and how it drained."""

    url: str  # the server's database
    fake_port: int
    token: str  # the admin API's
    cells: list[str]  # each alert during the outage: a card per cell
    backlog: list[str]  # the alert before the kill: a backlog the robot's rate limit keeps on the stream
    every: float
    wait_s: float = 180.0  # how long after the return the drain is watched
    alerts: list[tuple[float, int]] = field(default_factory=list)  # (seconds into the run, HTTP status)
    returned_at: float | None = None  # monotonic time Redis came back
    drain_s: float | None = None  # None: not drained within the wait
    tally: dict[str, object] = field(default_factory=dict)

    async def issue(self, base: str, started: float, at: list[float]) -> None:
        async with aiohttp.ClientSession() as session:
            tasks = []
            for n, when in enumerate(at):
                await asyncio.sleep(max(0.0, started + when - time.monotonic()))
                tasks.append(asyncio.create_task(alert(session, base, self, n, started)))
            await asyncio.gather(*tasks)

    async def drain(self) -> None:
        await drain(self.url, self.fake_port, self, self.wait_s)


async def robot_for_district(url: str, key: str) -> None:
    """The demo district's WeCom group: every alert card goes to the fake robot."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("INSERT INTO grid_groups (grid_code, webhook_key, updated_at, updated_by) "
                           "VALUES ($1, $2, now(), 'bench') ON CONFLICT (grid_code) DO UPDATE SET webhook_key = $2",
                           kit.GRID, key)
    finally:
        await conn.close()


async def leaf_cells(url: str, count: int) -> list[str]:
    from intake.grid.store import GridService
    from intake.store import db

    await db.open_db(url)
    try:
        index = (await GridService.from_db()).index
    finally:
        await db.close_db()
    step = max(1, len(index.leaves) // count)
    return [index.leaves[i * step].code for i in range(count)]



async def alert(session: aiohttp.ClientSession, base: str, out: Outbound, n: int, started: float) -> None:
    body = {"signal": "台风", "colour": "red", "message": f"台风红色预警（演练 {n}）",
            "area": {"grids": out.backlog if n == 0 else out.cells}}
    async with session.post(base + "/admin/v1/alerts", json=body, headers={"Authorization": f"Bearer {out.token}"},
                            timeout=aiohttp.ClientTimeout(total=30)) as resp:
        await resp.read()
        out.alerts.append((round(time.monotonic() - started, 1), resp.status))


def schedule(before: float, outage: float, every: float) -> list[float]:
    """Seconds into the run an alert is issued: just before the kill, through the outage, just before the return."""
    during = [before + every * i for i in range(1, int(outage / every) + 1) if every * i < outage - 1]
    return [max(0.0, before - 2), *during, before + outage - 1]


async def drain(url: str, fake_port: int, out: Outbound, wait_s: float) -> None:
    """Until nothing is left to send and the fake API has every delivered card, or ``wait_s`` after the return."""
    assert out.returned_at is not None
    conn = await asyncpg.connect(url)
    try:
        while time.monotonic() - out.returned_at < wait_s:
            left = await conn.fetchval("SELECT count(*) FROM outbox WHERE status = ANY($1::text[]) "
                                       "OR (status = 'pending' AND channel = '')", list(OPEN))
            sent = await conn.fetchval("SELECT count(*) FROM outbox WHERE status = 'delivered' "
                                       "AND channel = 'wecom_robot'")
            if left == 0 and int(kit.fake_stats(fake_port)["delivered"]) >= sent:
                out.drain_s = round(time.monotonic() - out.returned_at, 1)
                break
            await asyncio.sleep(0.5)
        rows = await conn.fetch("SELECT status, count(*) AS n FROM outbox WHERE \"group\" LIKE 'alert:%' "
                                "GROUP BY status")
    finally:
        await conn.close()
    by = {str(r["status"]): int(r["n"]) for r in rows}
    stats = kit.fake_stats(fake_port)
    out.tally = {"alert_rows": sum(by.values()), "delivered": by.get("delivered", 0),
                 "pending": sum(by.get(s, 0) for s in OPEN), "by_status": by,
                 "api_delivered": stats["delivered"], "api_duplicates": stats["duplicates"]}


def figures(out: Outbound) -> dict[str, object]:
    drained = f"{out.drain_s} s" if out.drain_s is not None else "not drained"
    ok = out.drain_s is not None and out.drain_s <= GOAL_S and out.tally.get("pending") == 0
    return {"outbox_drained_after_return (goal <= 60 s)": f"{drained} {'PASS' if ok else 'FAIL'}",
            "alerts_issued": len(out.alerts), "alert_statuses": sorted({s for _, s in out.alerts}),
            "cards_per_alert": len(out.cells), "cards_before_the_kill": len(out.backlog), **out.tally}
