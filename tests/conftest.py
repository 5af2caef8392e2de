"""Shared fixtures: one database per backend (SQLite file, real PostgreSQL), a demo city, a clock.

PostgreSQL and Redis are real servers, and some tests read reference data from ``../shared`` beside the
checkout (never copied into it). Outside CI a missing server or data skips the tests that need it; with
``CI=true`` it fails them, so CI can never go green without having exercised all of them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn

import asyncpg
import pytest
from redis import Redis

from bot.composition import build_context
from bot.demo import load_demo
from intake.cases.context import CaseContext
from intake.store import db
from notify.recording import RecordingNotifier
from tuning.serving import ServingClassifier

PG_ADMIN_URL = os.environ.get("GRIDLINE_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")


# Redis databases for the test processes: 15, then one of its own for each further pytest-xdist worker,
# skipping 0 (the service's default) and the benches' 11, 13 and 14.
_REDIS_DBS = (15, 12, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1)


def _redis_url() -> str:
    """The worker's own database: apps under test share fixed names in it (job locks, the outbox stream),
    so two workers on one database would take each other's locks and deliveries."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    if worker >= len(_REDIS_DBS):
        raise pytest.UsageError(f"at most {len(_REDIS_DBS)} test workers (-n): one Redis database each")
    return f"redis://127.0.0.1:6379/{_REDIS_DBS[worker]}"


REDIS_URL = os.environ.get("GRIDLINE_TEST_REDIS") or _redis_url()
IN_CI = os.environ.get("CI", "").lower() == "true"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def missing(message: str) -> NoReturn:
    """Skip locally, fail in CI."""
    if IN_CI:
        pytest.fail(message + " (CI=true: required)", pytrace=False)
    pytest.skip(message)


def unavailable(what: str, exc: BaseException) -> NoReturn:
    missing(f"{what} is not reachable: {exc!r}")


def shared_data(relative: str) -> Path:
    """``../shared/data/<relative>``, which a fresh clone does not have: call it in the test (or fixture)
    that reads the file, so only that test skips (fails in CI) when it is absent."""
    path = SHARED / "data" / relative
    if not path.exists():
        missing(f"../shared/data/{relative} is absent (reference data beside the checkout: README, Quick start)")
    return path


def shared_names(folder: str, pattern: str = "*") -> list[str]:
    """For ``parametrize``: ``<folder>/<name>`` of each file in ``../shared/data/<folder>`` matching
    ``pattern``. Without the folder, the one name ``<folder>/<pattern>``, whose ``shared_data`` skips (or
    fails in CI): an empty parameter list would pass silently."""
    found = sorted((SHARED / "data" / folder).glob(pattern))
    return [f"{folder}/{path.name}" for path in found] or [f"{folder}/{pattern}"]


@pytest.fixture(scope="session", autouse=True)
def outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Run every test in an empty folder with no GRIDLINE_* settings from the shell (GRIDLINE_TEST_* stay).

    ``gridline serve`` keeps its state relative to where it runs (``./var``: the SQLite file, models,
    media, demo tokens): a test that read it passed or failed by what the developer did before, e.g.
    ``gridline nlp build-default --out var/models/default`` made a default model serve in the tuning
    tests. Tests name their own folders (``state_dirs``); this catches any they forget."""
    home = tmp_path_factory.mktemp("cwd")
    settings = {k: v for k, v in os.environ.items() if k.startswith("GRIDLINE_") and not k.startswith("GRIDLINE_TEST_")}
    before = Path.cwd()
    for name in settings:
        del os.environ[name]
    os.chdir(home)
    yield home
    os.chdir(before)
    os.environ.update(settings)


def state_dirs(home: Path) -> dict[str, str]:
    """The settings that put an app's folders (trained models, uploaded media) under ``home``."""
    return {"GRIDLINE_MODEL_DIR": str(home / "models"), "GRIDLINE_MEDIA_DIR": str(home / "media")}


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


# A Wednesday morning in Shanghai, clear of holidays.
T0 = datetime(2026, 11, 18, 1, 0, tzinfo=UTC)


async def _postgres_url() -> AsyncIterator[str]:
    name = f"gridline_test_{os.getpid()}"
    try:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        unavailable("PostgreSQL", exc)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@dataclass
class _Backend:
    url: str
    dropped: AsyncIterator[str] | None  # PostgreSQL's database, dropped when the session ends
    services: Services | None = None


@pytest.fixture(scope="session")
async def _backends() -> AsyncIterator[dict[str, _Backend]]:
    """Each backend's database, built once per process. pytest tears the parametrized ``database`` down at
    every switch of backend, and with ``-n`` (pytest-xdist) a worker switches at nearly every file, since a
    file runs its SQLite tests, then its PostgreSQL ones; rebuilding (migrations, the demo city, the domain's
    services) at each switch cost more than the tests. A switch now only reconnects."""
    made: dict[str, _Backend] = {}
    yield made
    for backend in made.values():
        if backend.dropped is not None:
            with pytest.raises(StopAsyncIteration):
                await backend.dropped.__anext__()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                   _backends: dict[str, _Backend]) -> AsyncIterator[str]:
    """A migrated database with the demo city loaded; yields its URL. Tests share it and
    keep apart by using their own reporters (the event log is append-only, so nothing is wiped)."""
    backend = _backends.get(request.param)
    if backend is not None:
        await db.open_db(backend.url)
    else:
        if request.param == "sqlite":
            backend = _Backend(f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}", None)
        else:
            gen = _postgres_url()
            backend = _Backend(await gen.__anext__(), gen)
        await db.migrate(backend.url)
        await db.open_db(backend.url)
        await load_demo(None, tmp_path_factory.mktemp("tokens") / "tokens.json", replace=True)
        _backends[request.param] = backend
    yield backend.url
    await db.close_db()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A reachable Redis (synchronous, so async fixtures can ask for it with ``getfixturevalue``)."""
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except Exception as exc:  # any connection failure
        unavailable("Redis", exc)
    finally:
        client.close()
    return REDIS_URL


@dataclass
class Services:
    """The domain's collaborators for one backend, built once (jieba and the grid index are slow to load)."""

    url: str
    ctx: CaseContext
    clock: FakeClock
    sent: RecordingNotifier
    serving: ServingClassifier  # what ctx classifies and triages through
    home: Path  # this backend's folder for the apps' state (``state_dirs``)


@pytest.fixture(scope="session")
async def services(database: str, tmp_path_factory: pytest.TempPathFactory,
                   _backends: dict[str, _Backend]) -> Services:
    """The backend's services, built once per process like its database (``_backends``)."""
    backend = next(b for b in _backends.values() if b.url == database)
    if backend.services is None:
        clock, sent = FakeClock(T0), RecordingNotifier()
        domain = await build_context(sent, clock)
        backend.services = Services(database, domain.ctx, clock, sent, domain.serving,
                                    tmp_path_factory.mktemp("state"))
    return backend.services


@pytest.fixture
def svc(services: Services) -> Services:
    """The session's services with the clock back at ``T0``."""
    services.clock.now = T0
    return services


@pytest.fixture
def uid() -> str:
    """A short unique id, so tests sharing a database never see each other's cases."""
    return uuid.uuid4().hex[:12]
