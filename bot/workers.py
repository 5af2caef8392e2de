"""``gridline serve --workers N``: N processes share one port (SO_REUSEPORT), the kernel spreads connections.

One asyncio process uses one core; the callback path is CPU-bound (XML, crypto,
the ORM), so a multi-core host needs several. Everything the processes must
agree on already lives in Redis (redelivery claims, nonces, drafts, the sweep
lock) and the database, which is why more than one worker needs Redis.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
import threading
from types import FrameType

from bot.settings import Settings

GRACE_S = 30.0


class WorkersRefused(Exception):
    """Several workers would disagree: without Redis each keeps its own dedup and drafts."""


def check(settings: Settings, workers: int) -> None:
    if workers < 1:
        raise WorkersRefused("--workers must be at least 1")
    if workers > 1 and not settings.redis_url:
        raise WorkersRefused("--workers > 1 needs GRIDLINE_REDIS_URL: redelivery dedup, nonces and "
                             "conversation state must be shared by the processes")


def _child(settings: Settings, host: str, port: int) -> None:

    from bot import logs, runner
    from bot.app import create_app
    from bot.default_model import BuildDefault

    logs.configure(settings.log_level)
    build = BuildDefault() if settings.nlp_build_default else None  # one of the workers builds (a lock)
    runner.run(create_app(settings, build_default=build, load_later=True), host, port, reuse_port=True)


def run(settings: Settings, host: str, port: int, workers: int) -> int:
    """Start the workers, forward SIGINT/SIGTERM to them, and exit with the first failure's code."""
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter each: no inherited event loop or sockets
    procs = [ctx.Process(target=_child, args=(settings, host, port), name=f"gridline-{i}") for i in range(workers)]
    for proc in procs:
        proc.start()

    def stop(signum: int, _frame: FrameType | None) -> None:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        # A worker stuck in its shutdown (a hung connection) must not keep the service half-alive.
        timer = threading.Timer(GRACE_S, _kill, args=(procs,))
        timer.daemon = True  # never keeps the parent alive once the workers are gone
        timer.start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    codes = []
    for proc in procs:
        proc.join()
        codes.append(proc.exitcode or 0)
    return _verdict(codes)


def _kill(procs: list[multiprocessing.process.BaseProcess]) -> None:
    for proc in procs:
        if proc.is_alive():
            proc.kill()


def _verdict(codes: list[int]) -> int:
    failed = [c for c in codes if c not in (0, -signal.SIGTERM)]
    if failed:
        print(f"gridline: a worker exited with {failed[0]}", file=sys.stderr)
        return 1
    return 0
