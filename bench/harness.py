"""What every server benchmark does around its load: the environment a gridline process gets, its
command line (optionally under a CPU profiler), ``gridline demo`` on a fresh database, the server
process itself (started, pinned, waited for, stopped) and the CPU it used.

Imports nothing of the project: ``bench/intake.py`` is only a load generator, and the project's
packages are loaded by the child processes from the checkout (``PYTHONPATH``).
"""

from __future__ import annotations

import asyncio
import os
import pstats
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("GRIDLINE_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")
READY_S = 180.0  # a fresh server builds its grid index and loads jieba first

# ``python -m cProfile`` times wall clock, which charges the server for time spent waiting for its
# core or for the database; this profiles its CPU time (``time.process_time``) instead.
_PROFILED = """
import cProfile, runpy, sys, time
out, sys.argv = sys.argv[1], ["gridline", *sys.argv[2:]]
profiler = cProfile.Profile(time.process_time)
try:
    profiler.runcall(runpy.run_module, "bot", run_name="__main__")
except SystemExit:
    pass
finally:
    profiler.dump_stats(out)
"""


def base_env() -> dict[str, str]:
    """This process's environment without its GRIDLINE_* settings, the checkout first on the path
    (whether or not it is installed in this interpreter). A server benchmarked on a fresh database does not
    build the default model in the background (``bot.default_model``: ~10 s of CPU beside the load being
    measured); ``bench/startup.py`` turns it back on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDLINE_")}
    env["GRIDLINE_NLP_BUILD_DEFAULT"] = "false"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def gridline_env(settings: Mapping[str, str | None]) -> dict[str, str]:
    """``base_env`` with these settings, by their names without ``GRIDLINE_``; None leaves one out."""
    return {**base_env(), **{f"GRIDLINE_{k}": v for k, v in settings.items() if v is not None}}


def gridline_argv(args: list[str], profile: Path | None = None) -> list[str]:
    """``gridline <args>`` from the checkout; under a CPU-time profiler writing ``profile`` when given."""
    if profile is not None:
        return [sys.executable, "-c", _PROFILED, str(profile), *args]
    return [sys.executable, "-m", "bot", *args]


@contextmanager
def work_folder(prefix: str, keep: bool = False) -> Iterator[Path]:
    """A fresh folder for the servers' cwd (their ``var/`` lands there, not in the checkout) and logs;
    removed afterwards unless ``keep``."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield work
    finally:
        if keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def load_demo(env: dict[str, str], cwd: Path, log: Path) -> float:
    """``gridline demo`` (migrations + the demo city) on the database of ``env``; returns its seconds."""
    t0 = time.perf_counter()
    with log.open("ab") as out:
        subprocess.run(gridline_argv(["demo"]), cwd=cwd, env=env, stdout=out, stderr=out, check=True, timeout=300)
    return time.perf_counter() - t0


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a live process and its descendants (Linux ``/proc``); None once it is gone."""
    total, pending, found = 0.0, [pid], False
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found = True
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        pending.extend(int(c) for c in children)
    return total if found else None


async def http_status(port: int, path: str) -> int:
    """The status of ``GET path`` on loopback, with no client library (the peer servers differ)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        return int((await reader.readline()).split(b" ", 2)[1])
    finally:
        writer.close()


@dataclass
class Server:
    """A server in its own process, its output appended to ``log``."""

    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self, core: int | None = None) -> None:
        """Start it, pinned to ``core`` when given (taskset execs it: the pid held is the server's own)."""
        argv = self.argv if core is None else ["taskset", "-c", str(core), *self.argv]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(argv, cwd=self.cwd, env=self.env, stdout=log, stderr=log)

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    async def wait_ready(self, path: str = "/healthz", ready: Callable[[int], bool] = lambda s: s == 200) -> None:
        """Until ``GET path`` answers a status that ``ready`` accepts; fails fast if the process exits."""
        assert self.process is not None, "not started"
        deadline = time.monotonic() + READY_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.process.returncode} before it was ready")
            try:
                if ready(await asyncio.wait_for(http_status(self.port, path), 10)):
                    return
            except (OSError, TimeoutError, ValueError, IndexError):  # not listening yet, or a torn answer
                pass
            await asyncio.sleep(0.25)
        raise RuntimeError(f"{self.name} did not answer {path} within {READY_S:.0f} s")

    def stop(self) -> None:
        """SIGTERM (aiohttp shuts down gracefully, cProfile then writes its file), SIGKILL after 30 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 20) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n  ".join(text.splitlines()[-lines:])


def print_profile(path: Path, title: str, by_self: int = 25, by_cumulative: int = 40) -> None:
    """The top functions of a profile a server wrote (``gridline_argv(..., profile=path)``)."""
    if not path.is_file():
        print(f"no profile was written to {path}")
        return
    stats = pstats.Stats(str(path))
    stats.strip_dirs()
    print(f"\n{title}")
    stats.sort_stats("tottime").print_stats(by_self)
    stats.sort_stats("cumulative").print_stats(by_cumulative)
