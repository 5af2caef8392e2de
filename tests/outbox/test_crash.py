"""Crash test: ``kill -9`` a sender process during 10,000 deliveries, start another, lose nothing.

Real processes on loopback: the fake WeChat/WeCom API server (which records every delivery),
``gridline sender`` against PostgreSQL + Redis Streams, and the enqueuer. Duplicates can only
come from rows a sender had claimed and not yet recorded when it died (at least once between
the API call and the record); the database counts those at the kill.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import time
import urllib.request
import uuid

import pytest

from bench import outbox_kit as kit
from tests.conftest import unavailable

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.crash]
N = 10_000
KILL_AT = 0.3  # of the messages delivered


async def _wait(what: str, check: object, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await asyncio.to_thread(check):  # type: ignore[arg-type]
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _contents(port: int) -> list[str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_fake/deliveries", timeout=30) as resp:
        rows = json.loads(resp.read())["deliveries"]
    return [str(r["payload"].get("markdown", {}).get("content", "")) for r in rows]


async def test_a_killed_sender_loses_nothing_and_repeats_at_most_what_was_in_flight(redis_url: str) -> None:
    uid = uuid.uuid4().hex[:8]
    name, stream, key = f"gridline_crash_{os.getpid()}", f"gridline:crash:{uid}", f"crash-{uid}"
    try:
        url = await kit.fresh_database(name)
    except OSError as exc:
        unavailable("PostgreSQL", exc)
    port = kit.free_port()
    fake = kit.start_fake(port, key)
    procs = [fake]
    started = time.monotonic()
    try:
        await asyncio.to_thread(kit.enqueue, url, N, key, uid)
        await kit.clear_stream(stream)
        env = kit.sender_env(url + "?maxsize=16", port, stream, GRIDLINE_SENDER_CONCURRENCY="64")
        first = kit.start_sender(env, f"crash-a-{uid}", lease_s=3)
        procs.append(first)
        await _wait("the first deliveries", lambda: kit.fake_stats(port)["delivered"] >= N * KILL_AT, 60)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        in_flight = (await kit.statuses(url)).get("sending", 0)
        killed_at = kit.fake_stats(port)["delivered"]
        assert 0 < killed_at < N, "the kill must land mid-way"
        procs.append(kit.start_sender(env, f"crash-b-{uid}", lease_s=3))

        async def all_delivered() -> bool:
            return await kit.statuses(url) == {"delivered": N}

        deadline = time.monotonic() + 90
        while not await all_delivered():
            assert time.monotonic() < deadline, await kit.statuses(url)
            await asyncio.sleep(0.3)
        stats = kit.fake_stats(port)
        contents = await asyncio.to_thread(_contents, port)
        found = {int(m.group(1)) for c in contents if (m := re.search(rf"{uid}:(\d+)\b", c))}
        print(f"\ncrash test: {N} messages, killed after {killed_at} deliveries with {in_flight} in flight; "
              f"{stats['delivered']} API calls, {stats['duplicates']} duplicates, "
              f"{time.monotonic() - started:.1f} s")
        assert found == set(range(N))  # every message reached the API
        assert stats["delivered"] - stats["duplicates"] == N
        assert stats["duplicates"] <= in_flight
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            proc.wait(timeout=15)
        await kit.clear_stream(stream)
        await kit.drop_database(name)
