"""Processes for outbox benchmarks and the crash test: a fresh PostgreSQL database, the fake WeChat/WeCom
API server, ``gridline sender`` processes, and the enqueuer (``bench/fanout.py``) — all on loopback."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import asyncpg

from bench import harness, pgdb

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = harness.PG_ADMIN_URL
REDIS_URL = os.environ.get("GRIDLINE_TEST_REDIS", "redis://127.0.0.1:6379/15")
GRID = "440307"  # the demo district: the group robot the messages go to (no region rows needed)


async def robot_for_district(url: str, key: str) -> None:
    """The demo district's WeCom group: every card for it (task cards, alert cards) goes to the fake robot."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("INSERT INTO grid_groups (grid_code, webhook_key, updated_at, updated_by) "
                           "VALUES ($1, $2, now(), 'bench') ON CONFLICT (grid_code) DO UPDATE SET webhook_key = $2",
                           GRID, key)
    finally:
        await conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def fresh_database(name: str) -> str:
    return await pgdb.fresh_database(PG_ADMIN_URL, name)


async def drop_database(name: str) -> None:
    await pgdb.drop_database(PG_ADMIN_URL, name)


async def statuses(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url, timeout=5)
    try:
        rows = await conn.fetch("SELECT status, count(*) AS n FROM outbox GROUP BY status")
    finally:
        await conn.close()
    return {str(r["status"]): int(r["n"]) for r in rows}


def start_fake(port: int, robot_key: str, *limits: str) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "tests.fakes.wechat_api", "--port", str(port), "--robot", robot_key]
    for limit in limits:
        args += ["--limit", limit]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_port(port)
    return proc


def wait_port(port: int, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


def fake_stats(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_fake/stats", timeout=10) as resp:
        data: dict[str, Any] = json.loads(resp.read())
        return data


def sender_env(database_url: str, fake_port: int, stream: str, **extra: str) -> dict[str, str]:
    env = harness.base_env()
    env.update({"GRIDLINE_DATABASE_URL": database_url, "GRIDLINE_REDIS_URL": REDIS_URL, "GRIDLINE_OUTBOUND": "live",
                "GRIDLINE_WECOM_API_BASE": f"http://127.0.0.1:{fake_port}", "GRIDLINE_OUTBOX_STREAM": stream,
                "GRIDLINE_LOG_LEVEL": "WARNING", **extra})
    return env


def start_sender(env: dict[str, str], consumer: str, lease_s: float = 60.0) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bot", "sender", "--consumer", consumer, "--lease", str(lease_s)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def enqueue(database_url: str, count: int, robot_key: str, prefix: str) -> float:
    """Runs ``bench/fanout.py --enqueue`` in its own process; returns the seconds it took to enqueue."""
    out = subprocess.run([sys.executable, "bench/fanout.py", "--enqueue", "--database", database_url,
                          "--count", str(count), "--robot", robot_key, "--prefix", prefix],
                         cwd=ROOT, check=True, capture_output=True, text=True, timeout=600)
    return float(out.stdout.strip().splitlines()[-1])


async def clear_stream(stream: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.delete(stream)
        await redis.delete(*[k async for k in redis.scan_iter("gridline:rl:*")] or ["-"])
    finally:
        await redis.aclose()


def run(coro: Any) -> Any:
    return asyncio.run(coro)
