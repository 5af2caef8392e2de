"""``apikey_add``: the key is printed once and only its hash is stored (run in a child process, since it
opens and closes the ORM itself)."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.open311.keys import ApiKeyError, create_client

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ("import asyncio, sys\nfrom bot.open311.keys import apikey_add\n"
          "asyncio.run(apikey_add(sys.argv[1], sys.argv[2]))")


def _add(url: str, name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT, url, name], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)


def test_apikey_add_prints_the_key_once_and_stores_its_hash(tmp_path: Path) -> None:
    path = tmp_path / "keys.sqlite3"
    done = _add(f"sqlite://{path}", "city-hotline")
    assert done.returncode == 0, done.stderr
    key = done.stdout.strip().splitlines()[-1]
    assert key.startswith("o311_") and len(key) > 40
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT name, key_hash, active FROM api_clients").fetchall()
    assert rows == [("city-hotline", hashlib.sha256(key.encode()).hexdigest(), 1)]
    again = _add(f"sqlite://{path}", "city-hotline")
    assert again.returncode != 0 and "exists already" in again.stderr


async def test_client_names_are_checked() -> None:
    for name in ("", "Upper", "has space", "x" * 25, "-leading", "open311:nested"):
        with pytest.raises(ApiKeyError):
            await create_client(name)
