"""``gridline serve --workers N``: several processes on one port, refused without shared state."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.bot.test_cli import ROOT, gridline


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_more_than_one_worker_needs_redis(tmp_path: Path) -> None:
    result = gridline(tmp_path, "serve", "--workers", "2")
    assert result.returncode == 2
    assert "GRIDLINE_REDIS_URL" in result.stderr


def test_two_workers_share_the_port_and_stop_on_sigterm(tmp_path: Path, redis_url: str) -> None:
    assert gridline(tmp_path, "demo").returncode == 0
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDLINE_")}
    env.update({"GRIDLINE_DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}", "PYTHONPATH": str(ROOT),
                "GRIDLINE_REDIS_URL": redis_url, "GRIDLINE_NLP_BUILD_DEFAULT": "false"})  # no build's CPU here
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--workers", "2", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        statuses = _poll_health(port, deadline=time.monotonic() + 120)
        assert statuses and all(s == 200 for s in statuses)
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False)
        assert len(children.stdout.split()) >= 2  # two workers (plus, maybe, the spawn resource tracker)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=90)
    assert code == 0, proc.stderr.read().decode() if proc.stderr else ""


def _poll_health(port: int, deadline: float) -> list[int]:
    """Wait for the first answer, then ask ten more times (each may land on either worker)."""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as first:
                statuses = [first.status]
            break
        except OSError:
            time.sleep(0.3)
    else:
        return []
    for _ in range(10):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            statuses.append(response.status)
    return statuses


def test_a_sigterm_during_start_up_still_closes_everything_and_exits(tmp_path: Path, redis_url: str) -> None:
    """Start-up is finished, then cleaned up: before, the open SQLite connection's thread (and a
    background loop that missed its cancellation) kept the process alive until it was killed."""
    assert gridline(tmp_path, "demo").returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDLINE_")}
    env.update({"GRIDLINE_DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}", "PYTHONPATH": str(ROOT),
                "GRIDLINE_REDIS_URL": redis_url, "GRIDLINE_NLP_BUILD_DEFAULT": "false"})  # no build's CPU here
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(_free_port())],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # "services built" comes from the middle of start-up, before the jobs start
            if "services built" in line:
                proc.send_signal(signal.SIGTERM)
                break
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 0


def test_the_database_is_prepared_once_before_the_workers_start(tmp_path: Path) -> None:
    """Migrations, demo city, taxonomy version 1: done by `serve` before it forks, and idempotent
    (workers starting on a fresh database raced to insert version 1, and one died)."""
    database = tmp_path / "prep.sqlite3"
    code = ("import asyncio, sys; from bot.settings import load_settings; "
            "from bot.composition import prepare_database; "
            "s = load_settings({'GRIDLINE_DATABASE_URL': sys.argv[1]}); "
            "asyncio.run(prepare_database(s)); asyncio.run(prepare_database(s))")
    result = subprocess.run([sys.executable, "-c", code, f"sqlite://{database}"], cwd=tmp_path, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT version FROM taxonomy_versions").fetchall() == [(1,)]
        assert conn.execute("SELECT count(*) FROM regions").fetchone()[0] > 7000  # the demo city (sandbox mode)
