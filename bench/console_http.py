"""The console's desk, case page and Excel export timed through the real app (in this process, on the
bench's database), signed in as the dispatcher of one street: server time as the client sees it on
localhost. Used by :mod:`bench.console_map`.
"""

from __future__ import annotations

import asyncio
import math
import re
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.settings import load_settings
from intake import passwords
from intake.store.db import fetch
from intake.store.models import User, UserGrid

PASSWORD = "bench-desk-password-0123"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def rss_mb() -> float:
    """This process's resident memory now (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 1e6


async def _timed(runs: int, call: Callable[[], Awaitable[Any]]) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        await call()
        times.append(time.perf_counter() - t0)
    return times


async def _sign_in(client: TestClient[Any, Any], user_id: int) -> None:
    async with client.get("/console/login") as resp:
        token = CSRF.search(await resp.text())
    assert token, "no login form"
    data = {"csrf": token.group(1), "account": str(user_id), "password": PASSWORD, "next": ""}
    async with client.post("/console/login", data=data, allow_redirects=False) as resp:
        assert resp.status in (302, 303), resp.status


async def _get(client: TestClient[Any, Any], path: str) -> None:
    async with client.get(path) as resp:
        assert resp.status == 200, (path, resp.status)
        await resp.read()


async def http_figures(url: str, now: datetime, street: str, runs: int, verdict: Callable[[float, float], str]) -> None:
    home = Path(tempfile.mkdtemp())
    settings = load_settings({"GRIDLINE_DATABASE_URL": url,
                              "GRIDLINE_ADMIN_TOKEN": "bench-admin-token-0123456789abcdef",
                              "GRIDLINE_MODEL_DIR": str(home / "models"), "GRIDLINE_MEDIA_DIR": str(home / "media")})
    app = create_app(settings, clock=lambda: now, sweeper=False, own_database=False)
    client: TestClient[Any, Any] = TestClient(TestServer(app), cookie_jar=aiohttp.CookieJar(unsafe=True))
    await client.start_server()
    try:
        link = await UserGrid.filter(grid_code=street, user__role="dispatcher").first()
        assert link is not None, f"no dispatcher for street {street}"
        user = await User.get(id=link.user_id)  # type: ignore[attr-defined]
        await passwords.set_password(user.id, PASSWORD, now)
        await _sign_in(client, user.id)
        for label, path in (("desk page (new queue)", "/console/"), ("desk queue counts", "/console/counts.json")):
            await _get(client, path)  # warm-up
            took = p95(await _timed(runs, lambda p=path: _get(client, p)))  # type: ignore[misc]
            print(f"{label}, dispatcher of street {street}: p95 {took * 1000:.0f} ms over {runs} "
                  f"(goal ≤ 100 ms) {verdict(took, 0.1)}")
        sample = [r["case_no"] for r in await fetch(
            "SELECT case_no FROM cases WHERE grid_code LIKE ? ORDER BY md5(case_no) LIMIT ?", [street + "%", runs])]
        await _get(client, f"/console/cases/{sample[0]}")
        pages = iter(sample)
        took = p95(await _timed(len(sample), lambda: _get(client, f"/console/cases/{next(pages)}")))
        print(f"case page: p95 {took * 1000:.0f} ms over {len(sample)} cases (goal ≤ 100 ms) {verdict(took, 0.1)}")
        await _export(client, street, verdict)
    finally:
        await client.close()


async def _export(client: TestClient[Any, Any], street: str, verdict: Callable[[float, float], str]) -> None:
    count = (await fetch("SELECT COUNT(*) AS n FROM cases WHERE grid_code LIKE ?", [street + "%"]))[0]["n"]
    before, peak, size = rss_mb(), rss_mb(), 0
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_mb())
            await asyncio.sleep(0.05)
    sampler = asyncio.create_task(sample())
    t0 = time.perf_counter()
    async with client.get(f"/console/cases/export?format=xlsx&grid={street}") as resp:
        assert resp.status == 200, resp.status
        async for chunk in resp.content.iter_chunked(1 << 16):
            size += len(chunk)
    took = time.perf_counter() - t0
    done.set()
    await sampler
    print(f"Excel export of street {street}'s {count:,} cases: {took:.1f} s, {size / 1e6:.1f} MB .xlsx "
          f"(goal ≤ 30 s) {verdict(took, 30)}; this process's memory {before:.0f} MB before, "
          f"peak {peak:.0f} MB (+{peak - before:.0f} MB)")
