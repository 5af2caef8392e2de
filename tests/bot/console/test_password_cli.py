"""``gridline user password``: the password comes on stdin, is checked, and only its argon2id hash is stored."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from tests.bot.test_cli import ROOT, gridline


def _password(tmp: Path, user: str, stdin: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GRIDLINE_")}
    environ.update({"GRIDLINE_DATABASE_URL": f"sqlite://{tmp / 'cli.sqlite3'}", "PYTHONPATH": str(ROOT)})
    return subprocess.run([sys.executable, "-m", "bot", "user", "password", "--user", user], cwd=tmp, env=environ,
                          input=stdin, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("pwcli")
    assert gridline(tmp, "migrate").returncode == 0
    assert gridline(tmp, "user", "add", "--role", "dispatcher", "--name", "调度").returncode == 0
    return tmp


def test_sets_an_argon2id_hash_never_the_password(city: Path) -> None:
    result = _password(city, "1", "correct horse battery\n")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(city / "cli.sqlite3") as conn:
        (digest,) = conn.execute("SELECT hash FROM staff_passwords WHERE user_id = 1").fetchone()
        audit = conn.execute("SELECT event, actor FROM staff_audit WHERE user_id = 1").fetchall()
    assert digest.startswith("$argon2id$") and "correct horse" not in digest
    assert PasswordHasher().verify(digest, "correct horse battery")
    assert ("password_set", "cli") in audit  # the audit table has it, not only the log


@pytest.mark.parametrize(("user", "stdin", "words"), [
    ("1", "short\n", "10 to 256"), ("1", "x" * 300 + "\n", "10 to 256"),
    ("1", " padded password \n", "spaces"), ("999", "a fine password\n", "no user 999")])
def test_refuses_bad_passwords_and_unknown_users(city: Path, user: str, stdin: str, words: str) -> None:
    result = _password(city, user, stdin)
    assert result.returncode == 2 and words in result.stderr
