"""Config for Tortoise's own CLI, used only to write new migrations::

    PYTHONPATH=. .venv/bin/tortoise -c intake.store.tortoise_cli.TORTOISE_ORM makemigrations --name WHAT

The autodetector compares the models with the migration history, not with a
live database, so a scratch SQLite file is enough. Then rewrite the schema snapshots
a blank database is created from (``.venv/bin/python tools/schema_snapshot.py``;
tests/intake/test_schema_snapshot.py fails until they match the migrations).
"""

from intake.store.db import tortoise_config

TORTOISE_ORM = tortoise_config("sqlite:///tmp/gridline-makemigrations.sqlite3")
