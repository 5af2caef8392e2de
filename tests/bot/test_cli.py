"""The command line, run as a resident admin would run it: as a subprocess on a fresh SQLite file."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.auth import hash_token
from intake.audit import GENESIS, link_hash

ROOT = Path(__file__).resolve().parents[2]


def gridline(tmp: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GRIDLINE_")}
    environ.update({"GRIDLINE_DATABASE_URL": f"sqlite://{tmp / 'cli.sqlite3'}", "PYTHONPATH": str(ROOT)})
    environ.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp, env=environ, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli")
    result = gridline(tmp, "demo")
    assert result.returncode == 0, result.stderr
    assert "demo city loaded" in result.stdout
    return tmp


def test_demo_gives_streets_and_communities_fake_groups_only_where_nothing_is_sent(
        city: Path, tmp_path: Path) -> None:
    with sqlite3.connect(city / "cli.sqlite3") as con:
        keys = [k for (k,) in con.execute("SELECT webhook_key FROM grid_groups")]
    assert len(keys) > 20 and all(k.startswith("DEMO-FAKE-KEY-") for k in keys)
    staging = gridline(tmp_path, "demo", env={"GRIDLINE_OUTBOUND": "blackhole"})
    assert staging.returncode == 0, staging.stderr
    assert " 0 sandbox WeCom groups" in staging.stdout
    with sqlite3.connect(tmp_path / "cli.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM grid_groups").fetchone() == (0,)


def test_demo_history_is_written_and_its_chains_verify(tmp_path: Path) -> None:
    result = gridline(tmp_path, "demo", "--history", "30")
    assert result.returncode == 0, result.stderr
    assert "demo history: 30 cases over the past year (" in result.stdout and "closed" in result.stdout
    with sqlite3.connect(tmp_path / "cli.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM cases WHERE channel = 'demo'").fetchone() == (30,)
        assert con.execute("SELECT count(*) FROM outbox").fetchone() == (0,)  # last year's messages: not sent
    verified = gridline(tmp_path, "audit", "verify")
    assert verified.returncode == 0 and "30 case chains checked, 0 broken" in verified.stdout, verified.stdout
    bad = gridline(tmp_path, "demo", "--history", "-1")
    assert bad.returncode == 2 and "--history must be between 0 and 100000" in bad.stdout


def test_help_reads_well(tmp_path: Path) -> None:
    result = gridline(tmp_path, "--help")
    assert result.returncode == 0
    for command in ("serve", "migrate", "demo", "user", "audit"):
        assert command in result.stdout


def test_bad_configuration_names_the_variable(tmp_path: Path) -> None:
    result = gridline(tmp_path, "migrate", env={"GRIDLINE_DATABASE_URL": "mysql://nope"})
    assert result.returncode == 2 and "GRIDLINE_DATABASE_URL" in result.stderr


def test_demo_writes_private_token_file(city: Path) -> None:
    tokens = city / "var" / "demo-tokens.json"
    assert oct(tokens.stat().st_mode & 0o777) == "0o600"
    people = json.loads(tokens.read_text(encoding="utf-8"))
    assert {p["role"] for p in people} == {"admin", "dispatcher", "worker"}
    with sqlite3.connect(city / "cli.sqlite3") as conn:
        stored = {row[0] for row in conn.execute("SELECT token_hash FROM users")}
    assert all(hash_token(p["token"]) in stored for p in people)
    assert not any(p["token"] in stored for p in people)


def test_user_add_prints_the_token_once_and_stores_its_hash(city: Path) -> None:
    result = gridline(city, "user", "add", "--role", "worker", "--name", "张三", "--grid", "440307009001")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("glt_")
    with sqlite3.connect(city / "cli.sqlite3") as conn:
        row = conn.execute("SELECT id, role, token_hash FROM users WHERE name = '张三'").fetchone()
        grids = conn.execute("SELECT grid_code FROM user_grids WHERE user_id = ?", (row[0],)).fetchall()
    assert row[1] == "worker" and row[2] == hash_token(token) and grids == [("440307009001",)]


def test_user_add_refuses_unknown_grids(city: Path) -> None:
    assert gridline(city, "user", "add", "--role", "worker", "--name", "x", "--grid", "999").returncode == 2
    bad = gridline(city, "user", "add", "--role", "worker", "--name", "x", "--grid", "440307999999")
    assert bad.returncode == 2 and "unknown grid" in bad.stdout


def _insert_chain(db: Path, case_no: str, n: int) -> None:
    prev = GENESIS
    with sqlite3.connect(db) as conn:
        for seq in range(1, n + 1):
            at = datetime(2026, 11, 18, 1, seq, tzinfo=UTC)
            body: dict[str, Any] = {"case_no": case_no, "seq": seq, "action": "comment", "from_status": "reported",
                                    "to_status": "reported", "actor": "system", "role": "system", "at": at,
                                    "note": f"n{seq}", "attachments": [], "data": {}}
            digest = link_hash(prev, body)
            conn.execute("INSERT INTO case_events (case_no, seq, action, from_status, to_status, actor, role, at,"
                         " note, attachments, data, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         (case_no, seq, "comment", "reported", "reported", "system", "system", at.isoformat(),
                          f"n{seq}", "[]", "{}", prev, digest))
            prev = digest
        conn.execute("INSERT INTO cases (case_no, status, channel, reporter, description, taxonomy_version,"
                     " confidence, classifier, severity, limit_hours, photos, opened_at, deadline_at,"
                     " escalation_level, reopen_count, last_seq, last_hash, updated_at) VALUES"
                     " (?, 'reported', 'test', 'r', 'd', 1, 0, 'k', 'blue', 72, '[]', ?, ?, 0, 0, ?, ?, ?)",
                     (case_no, "2026-11-18T01:00:00+00:00", "2026-11-21T01:00:00+00:00", n, prev,
                      "2026-11-18T01:00:00+00:00"))


def test_audit_verify_names_the_first_broken_link(city: Path) -> None:
    db = city / "cli.sqlite3"
    _insert_chain(db, "440307-20261118-00900-0", 4)
    ok = gridline(city, "audit", "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "0 broken" in ok.stdout
    with sqlite3.connect(db) as conn:  # someone with database access bypasses the triggers
        conn.execute("DROP TRIGGER case_events_no_update")
        conn.execute("UPDATE case_events SET note = 'forged' WHERE case_no = '440307-20261118-00900-0' AND seq = 3")
    broken = gridline(city, "audit", "verify")
    assert broken.returncode == 1
    assert "BROKEN case 440307-20261118-00900-0 at event 3" in broken.stdout


def test_apikey_add_prints_a_key_once_and_refuses_a_duplicate_name(city: Path) -> None:
    first = gridline(city, "apikey", "add", "--name", "hotline-12345")
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip().splitlines()[-1]
    with sqlite3.connect(city / "cli.sqlite3") as conn:
        stored = [row[0] for row in conn.execute("SELECT key_hash FROM api_clients WHERE name = 'hotline-12345'")]
    assert len(stored) == 1 and key not in stored[0]
    again = gridline(city, "apikey", "add", "--name", "hotline-12345")
    assert again.returncode == 2 and "exists" in again.stderr


def test_apikey_add_with_a_scope_and_channels(city: Path) -> None:
    made = gridline(city, "apikey", "add", "--name", "city-portal", "--scope", "private", "--channels", "wechat,mp")
    assert made.returncode == 0, made.stderr
    assert "private" in made.stdout and "wechat, mp" in made.stdout
    with sqlite3.connect(city / "cli.sqlite3") as conn:
        row = conn.execute("SELECT private, channels FROM api_clients WHERE name = 'city-portal'").fetchone()
    assert bool(row[0]) and json.loads(row[1]) == ["mp", "wechat"]
    plain = gridline(city, "apikey", "add", "--name", "open-data")
    assert plain.returncode == 0 and "public" in plain.stdout
    bad = gridline(city, "apikey", "add", "--name", "bad-one", "--channels", "Wechat;drop")
    assert bad.returncode == 2 and "channels" in bad.stderr
