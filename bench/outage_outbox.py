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
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

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
    lead: float = 4.0  # seconds before the kill the backlog's alert is issued
    wait_s: float = 180.0  # how long after the return the drain is watched
    alerts: list[tuple[float, int]] = field(default_factory=list)  # (seconds into the run, HTTP status)
    returned_at: float | None = None  # monotonic time Redis came back
    killed_wall: datetime | None = None  # when Redis died, and came back: the rows' created_at is wall time
    returned_wall: datetime | None = None
    drain_s: float | None = None  # None: not drained within the wait
    tally: dict[str, object] = field(default_factory=dict)
    left: list[tuple[float, int]] = field(default_factory=list)  # (s after the return, rows to send), every 5 s

    async def issue(self, base: str, started: float, at: list[float]) -> None:
        async with aiohttp.ClientSession() as session:
            tasks = []
            for n, when in enumerate(at):
                await asyncio.sleep(max(0.0, started + when - time.monotonic()))
                tasks.append(asyncio.create_task(alert(session, base, self, n, started)))
            await asyncio.gather(*tasks)

    async def drain(self) -> None:
        await drain(self.url, self.fake_port, self, self.wait_s)


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
    try:
        async with session.post(base + "/admin/v1/alerts", json=body, timeout=aiohttp.ClientTimeout(total=60),
                                headers={"Authorization": f"Bearer {out.token}"}) as resp:
            await resp.read()
            status = resp.status
    except (aiohttp.ClientError, TimeoutError):
        status = 0  # no answer: its cards may or may not have been written (the drain counts what was)
    out.alerts.append((round(time.monotonic() - started, 1), status))


def schedule(before: float, outage: float, every: float, lead: float) -> list[float]:
    """Seconds into the run an alert is issued: ``lead`` s before the kill, through the outage, just before the
    return."""
    during = [before + every * i for i in range(1, int(outage / every) + 1) if every * i < outage - 1]
    return [max(0.0, before - lead), *during, before + outage - 1]


def requeued(logs: list[Path]) -> int:
    """Rows the relay put back on the queue after it lost its entries (its warning, in the processes' logs)."""
    found = (re.findall(r"lost its entries[^;]*; (\d+) rows queued again", p.read_text(errors="replace"))
             for p in logs if p.exists())
    return sum(int(n) for each in found for n in each)


async def drain(url: str, fake_port: int, out: Outbound, wait_s: float) -> None:
    """Until every row written before the return is sent (none pending, retry or sending, the fake API holding
    every delivered card), or ``wait_s`` after the return. Rows written after it (late replies to the traffic
    that goes on) are the outbox's ordinary flow, counted apart."""
    assert out.returned_at is not None and out.returned_wall is not None and out.killed_wall is not None
    conn = await asyncpg.connect(url)
    try:
        while time.monotonic() - out.returned_at < wait_s:
            left, sent = await conn.fetchrow(
                "SELECT count(*) FILTER (WHERE status = ANY($1::text[])), "
                "count(*) FILTER (WHERE status = 'delivered' AND channel = 'wecom_robot') "
                "FROM outbox WHERE created_at < $2", list(OPEN), out.returned_wall)
            since = time.monotonic() - out.returned_at
            if not out.left or since - out.left[-1][0] >= 5:
                out.left.append((round(since, 1), int(left)))
            if left == 0 and int(kit.fake_stats(fake_port)["delivered"]) >= sent:
                out.drain_s = round(since, 1)
                break
            await asyncio.sleep(0.5)
        during = await _by_status(conn, "created_at >= $1 AND created_at < $2", out.killed_wall, out.returned_wall)
        before = await _by_status(conn, "created_at < $1", out.returned_wall)
        everything = await conn.fetch("SELECT channel, status, count(*) AS n FROM outbox GROUP BY channel, status")
    finally:
        await conn.close()
    stats = kit.fake_stats(fake_port)
    out.tally = {"rows_written_during_outage": sum(during.values()), "delivered": during.get("delivered", 0),
                 "pending": sum(during.get(s, 0) for s in OPEN), "during_by_status": during,
                 "rows_before_return_unsent": sum(before.get(s, 0) for s in OPEN),
                 "all_rows_by_channel_status": {f"{r['channel'] or '(unrouted)'}:{r['status']}": r["n"]
                                                for r in everything},
                 "api_delivered": stats["delivered"], "api_duplicates": stats["duplicates"]}


async def _by_status(conn: asyncpg.Connection, where: str, *args: object) -> dict[str, int]:
    rows = await conn.fetch(f"SELECT status, count(*) AS n FROM outbox WHERE {where} GROUP BY status", *args)
    return {str(r["status"]): int(r["n"]) for r in rows}


def figures(out: Outbound) -> dict[str, object]:
    drained = f"{out.drain_s} s" if out.drain_s is not None else "not drained"
    ok = out.drain_s is not None and out.drain_s <= GOAL_S and out.tally.get("rows_before_return_unsent") == 0
    return {"outbox_drained_after_return (goal <= 60 s)": f"{drained} {'PASS' if ok else 'FAIL'}",
            "alerts_issued": len(out.alerts), "alert_statuses": sorted({s for _, s in out.alerts}),
            "alerts_answered_at_s": sorted(t for t, _ in out.alerts),
            "cards_per_alert": len(out.cells), "cards_before_the_kill": len(out.backlog), **out.tally,
            "rows_before_return_to_send": out.left}
