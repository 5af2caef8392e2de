"""Config for Tortoise's own CLI, used only to write new migrations::

    PYTHONPATH=. .venv/bin/tortoise -c intake.store.tortoise_cli.TORTOISE_ORM makemigrations --name WHAT

The autodetector compares the models with the migration history, not with a
live database, so a scratch SQLite file is enough.
"""

from intake.store.db import tortoise_config

TORTOISE_ORM = tortoise_config("sqlite:///tmp/gridline-makemigrations.sqlite3")
