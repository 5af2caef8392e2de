"""The migrations describe the models exactly: Tortoise's autodetector, run as ``makemigrations`` would run it,
finds nothing to write. A model change without its migration fails here, not on an operator's upgrade.

It runs in a child process because the autodetector opens a Tortoise context of its own (a scratch SQLite
file; it compares the models with the migration files, not with a database) and writes no file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import asyncio, json, sys
from tortoise.cli.cli import tortoise_cli_context
from tortoise.config import TortoiseConfig
from tortoise.migrations.autodetector import MigrationAutodetector
from intake.store.db import tortoise_config

async def main() -> None:
    config = TortoiseConfig.from_dict(tortoise_config("sqlite://" + sys.argv[1]))
    apps = {label: app.to_dict() for label, app in config.apps.items()}
    whole = config.to_dict()
    whole["apps"] = apps
    async with tortoise_cli_context(whole) as ctx:
        writers = await MigrationAutodetector(ctx.apps, apps).changes()
    print(json.dumps([op.describe() for w in writers for op in w.operations]))

asyncio.run(main())
"""


def test_the_migrations_match_the_models(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "scratch.sqlite3")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(ROOT)}, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    pending = json.loads(done.stdout.strip().splitlines()[-1])
    assert pending == [], "models changed without a migration: " + "; ".join(pending)
