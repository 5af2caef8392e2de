"""Benchmark: 公众号 text-message callbacks (``POST /wechat``) per second and latency, against two yardsticks.

Three servers, each a single process pinned to one core, each fed the same kind of signed
明文模式 text callbacks by the same load generator:

1. **gridline** — the real service as it ships: ``gridline demo`` (migrations + demo city) on a
   fresh database, then ``gridline serve`` with ``GRIDLINE_WECHAT_TOKEN``/``GRIDLINE_WECHAT_APPID``.
   Every callback has its own MsgId, nonce and sender, so neither the nonce check nor the
   redelivery claim short-circuits: each one stores the inbound message, creates the resident,
   opens a draft and is answered "问题在哪里？" — a real dialogue turn with database writes.
   Measured on PostgreSQL + Redis (the production-like figure, goals apply) and on SQLite
   without Redis (for comparison).
2. **the limit** — a bare aiohttp handler that reads the body and returns a fixed passive-reply XML.
3. **the peer** — WeRoBot 1.13 (sessions off, a text handler returning a fixed reply) served by
   its own ``robot.run(server="waitress")`` (one process, waitress's 4 threads), installed only in
   ``.bench-venv/`` (created if missing).

Two measurements per server:

- closed loop: ``--concurrency`` connections, each sending its next request as soon as the
  previous answer arrives, for ``--seconds`` (after an uncounted warm-up) → callbacks/s;
- open loop: ``--rate`` requests/s on a fixed schedule for ``--open-seconds``, whatever the
  answers do (a new connection is opened when none is idle) → p50/p99 measured from each
  request's *scheduled* send time, so a stalled server cannot hide its queue.

Goals (PostgreSQL + Redis): throughput ≥ 0.5 × the limit's and ≥ 3 × WeRoBot's; p99 < 50 ms
at 200 requests/s with no errors. Exit status 1 when a goal is missed.

Cores: the servers run under ``taskset -c <server core>``, this process (the load generator,
requests all signed and serialised before timing) on the other core. PostgreSQL and Redis are
already running and not ours to pin: they take whatever core is free, and the per-core
utilisation printed with each run shows how much that was.

    .venv/bin/python bench/callback.py                  # everything, about 4 minutes
    .venv/bin/python bench/callback.py --phases         # where gridline's time goes, step by step
    .venv/bin/python bench/callback.py --only gridline-pg --profile   # the same, under cProfile

On a busy machine read the server's CPU per callback (``CPU ms/cb``) beside callbacks/s: a
pinned server shares its core with whatever else runs there, its CPU per callback hardly moves.

Only loopback traffic; every phase is bounded in requests and seconds; every process started
here is stopped. The PostgreSQL database ``gridline_bench_callback`` is dropped and recreated,
and the Redis database in ``--redis`` (default 14, the benchmark's own) is flushed.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
import itertools
import os
import pstats
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

ROOT = Path(__file__).resolve().parents[1]
# The script's own folder holds bench/intake.py, which would shadow the ``intake`` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench import pgdb  # noqa: E402
from tests.bot.wechat import signing  # noqa: E402  (needs the path fix above)

VENV_BIN = Path(sys.executable).parent
BENCH_VENV = ROOT / ".bench-venv"
PEER_PACKAGES = ("werobot==1.13.*", "waitress>=3")
PG_ADMIN_URL = os.environ.get("GRIDLINE_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = "redis://127.0.0.1:6379/14"
DB_NAME = "gridline_bench_callback"  # not bench/intake.py's database: both may run at once
TOKEN, APPID = "gridlinebench0token0000000000001", "wxbench000000000001"
ACCOUNT = "gh_gridline0001"
FIXED_REPLY = "收到，我们会尽快处理。"
READY_S = 180.0
REQUEST_TIMEOUT_S = 10.0
MAX_OPEN_CONNECTIONS = 512  # open loop: beyond this many requests in flight, count errors instead

GOAL_VS_LIMIT = 0.5
GOAL_VS_PEER = 3.0
GOAL_P99_MS = 50.0

# Complaints without a place name: a place the gazetteer knows would skip "where is it?" and go
# straight to the summary; the reply check below catches it if one slips in.
# fmt: off
COMPLAINTS = (
    "路灯坏了，晚上很黑", "路灯一直不亮", "井盖丢了，很危险", "污水井盖坏了", "下水道堵了，污水外溢",
    "垃圾桶满了没人清理", "垃圾堆了好几天，很臭", "有人乱扔建筑垃圾", "绿化带里堆满杂物", "树木倒伏挡住了路",
    "有人占道经营摆摊", "共享单车乱停放，人都过不去", "违章停车堵住消防通道", "施工噪音太大，半夜还在干",
    "广场舞音响太吵", "烧烤油烟很大", "路面塌了一个坑", "人行道砖松动", "护栏被撞坏了", "到处贴小广告",
    "公厕很脏没人打扫", "雨水口堵了，路上积水", "水管爆裂，一直在冒水", "电线掉下来了", "有流浪狗咬人",
    "河里漂着死鱼，味道很大", "广告牌松动，快掉了", "信号灯坏了，车很乱", "有人烧垃圾冒烟", "电梯故障有人被困",
)
TAILS = ("", "", "", "请尽快处理。", "已经好几天了。", "麻烦派人来看看。", "老人小孩经过很危险。", "谢谢！")
# fmt: on
ASKS_WHERE = ("问题在哪里".encode(), b"Where is it?")  # zh_CN (a new resident's default) or en

LIMIT_APP = """
from aiohttp import web

REPLY = ("<xml><ToUserName><![CDATA[oResident]]></ToUserName><FromUserName><![CDATA[{account}]]></FromUserName>"
         "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
         "<Content><![CDATA[{reply}]]></Content></xml>").encode()

async def callback(request):
    await request.read()  # receiving the message is part of the floor; parsing and signing are not
    return web.Response(body=REPLY, content_type="application/xml", charset="utf-8")

app = web.Application()
app.router.add_post("/wechat", callback)
web.run_app(app, host="127.0.0.1", port={port}, access_log=None, print=None)
"""

PEER_APP = """
import werobot

# SESSION_STORAGE=False: WeRoBot's default is an SQLite session written on every message;
# without it the peer does only what the framework must (signature, parse, dispatch, render).
robot = werobot.WeRoBot(token={token!r}, SESSION_STORAGE=False)

@robot.text
def text(message):
    return {reply!r}

# WeRoBot's own entry point: bottle's adapter for waitress, the server bottle's "auto" picks first.
robot.run(server="waitress", host="127.0.0.1", port={port}, enable_pretty_logging=False)
"""


@dataclass(frozen=True)
class Keys:
    """What tests/bot/wechat/signing.py signs with (its ``Keys`` protocol)."""

    token: str
    appid: str | None
    aes_key: str | None = None


@dataclass
class Result:
    """One measured phase."""

    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    samples: list[str] = field(default_factory=list)  # the first few error descriptions
    wall_s: float = 0.0
    sent: int = 0
    cpu: CpuShare | None = None

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.ok / self.wall_s if self.wall_s else 0.0

    def ms(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

    @property
    def server_ms_per_callback(self) -> float:
        """Server CPU per answered callback: unlike callbacks/s, barely moved by other load on the machine."""
        if self.cpu is None or not self.ok:
            return float("nan")
        return self.cpu.server * self.cpu.wall_s / self.ok * 1000

    def fail(self, why: str) -> None:
        self.errors += 1
        if len(self.samples) < 3:
            self.samples.append(why[:200])


@dataclass
class Figure:
    name: str
    closed: Result
    opened: Result


# -- a minimal HTTP/1.1 client --------------------------------------------------------------
# aiohttp's client costs several times more CPU per request than the bare aiohttp server it would
# measure; this protocol only writes pre-serialised bytes and splits the answers, so one core of
# load generation stays well ahead of one core of server (its CPU share is printed to show it).


class ClientClosed(ConnectionError):
    pass


class Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.closed = False
        self.reusable = True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._try_complete(eof=False)

    def eof_received(self) -> bool | None:
        self._try_complete(eof=True)
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._try_complete(eof=True)
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ClientClosed(f"connection closed: {exc!r}"))

    async def exchange(self, payload: bytes) -> tuple[int, bytes]:
        assert self.transport is not None and self.waiter is None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(payload)
        try:
            return await self.waiter
        finally:
            self.waiter = None

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def _try_complete(self, *, eof: bool) -> None:
        if self.waiter is None or self.waiter.done():
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        start = end + 4
        body: bytes | None
        if "content-length" in headers:
            stop = start + int(headers["content-length"])
            body = bytes(self.buffer[start:stop]) if len(self.buffer) >= stop else None
            consumed = stop
        elif headers.get("transfer-encoding") == "chunked":
            body, consumed = _dechunk(self.buffer, start)
        else:  # no length: the body runs to the end of the connection
            body, consumed = (bytes(self.buffer[start:]), len(self.buffer)) if eof else (None, 0)
        if body is None:
            return
        del self.buffer[:consumed]
        if headers.get("connection") == "close" or eof:
            self.reusable = False
        self.waiter.set_result((status, body))


def _dechunk(buffer: bytearray, start: int) -> tuple[bytes | None, int]:
    out, pos = bytearray(), start
    while True:
        line_end = buffer.find(b"\r\n", pos)
        if line_end < 0:
            return None, 0
        size = int(bytes(buffer[pos:line_end]).split(b";")[0], 16)
        pos = line_end + 2
        if len(buffer) < pos + size + 2:
            return None, 0
        if size == 0:
            return bytes(out), pos + 2
        out += buffer[pos : pos + size]
        pos += size + 2


class Pool:
    """Idle keep-alive connections to one port; a new one when none is idle or the server closed it.

    Callers bound ``exchange`` with ``asyncio.wait_for``, so that connecting counts towards the timeout.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.idle: list[Connection] = []
        self.all: list[Connection] = []

    async def exchange(self, payload: bytes) -> tuple[int, bytes]:
        conn = None
        while self.idle:
            candidate = self.idle.pop()
            if not candidate.closed:
                conn = candidate
                break
        if conn is None:
            _, conn = await asyncio.get_running_loop().create_connection(Connection, "127.0.0.1", self.port)
            self.all.append(conn)
        try:
            answer = await conn.exchange(payload)
        except BaseException:  # a timeout (cancellation) included: the connection's state is unknown
            conn.close()
            raise
        if conn.reusable and not conn.closed:
            self.idle.append(conn)
        else:
            conn.close()
            self.all.remove(conn)
        return answer

    def close(self) -> None:
        for conn in self.all:
            conn.close()
        self.all.clear()
        self.idle.clear()


Check = Callable[[int, bytes], str | None]  # None when the answer is right, else why not


async def closed_loop(port: int, requests: Sequence[bytes], concurrency: int, seconds: float, check: Check) -> Result:
    """``concurrency`` workers, each waiting for its answer before the next request; stop after ``seconds``."""
    result, pool = Result(), Pool(port)
    queue: Iterator[bytes] = iter(requests)  # shared; next() cannot interleave between awaits
    started = time.perf_counter()
    deadline = started + seconds

    async def worker() -> None:
        for payload in queue:
            t0 = time.perf_counter()
            if t0 > deadline:
                return
            result.sent += 1
            try:
                status, body = await asyncio.wait_for(pool.exchange(payload), REQUEST_TIMEOUT_S)
            except (OSError, TimeoutError) as exc:
                result.fail(repr(exc))
                continue
            why = check(status, body)
            if why is None:
                result.latencies.append(time.perf_counter() - t0)
            else:
                result.fail(why)

    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        result.wall_s = time.perf_counter() - started
        pool.close()
    return result


async def open_loop(port: int, requests: Sequence[bytes], rate: float, check: Check) -> Result:
    """Request ``i`` is due at ``start + i / rate`` whether or not earlier ones were answered."""
    result, pool = Result(), Pool(port)
    loop = asyncio.get_running_loop()
    in_flight: set[asyncio.Task[None]] = set()

    async def one(payload: bytes, due: float) -> None:
        try:
            status, body = await asyncio.wait_for(pool.exchange(payload), REQUEST_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            result.fail(repr(exc))
            return
        why = check(status, body)
        if why is None:
            result.latencies.append(loop.time() - due)  # from the schedule: queueing in the client counts
        else:
            result.fail(why)

    started = loop.time() + 0.05
    try:
        for i, payload in enumerate(requests):
            due = started + i / rate
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            result.sent += 1
            if len(in_flight) >= MAX_OPEN_CONNECTIONS:
                result.fail(f"more than {MAX_OPEN_CONNECTIONS} requests in flight")
                continue
            task = asyncio.create_task(one(payload, due))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        if in_flight:
            await asyncio.wait(set(in_flight))
    finally:
        result.wall_s = loop.time() - started
        pool.close()
    return result


# -- the workload ---------------------------------------------------------------------------


class Workload:
    """Signed 明文模式 text callbacks, each with its own MsgId, nonce and sender."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.keys = Keys(TOKEN, APPID)
        # Distinct across runs too (a kept database, a redelivery window): start from the clock.
        base = time.time_ns() // 1000
        self.msg_ids = itertools.count(base)
        self.nonces = itertools.count(base % 10**9)
        self.senders = itertools.count(1)
        self.run_tag = f"{base % 36**4:04x}"

    def build(self, count: int, port: int) -> list[bytes]:
        """Serialised HTTP requests, signed now: WeChat's clock window is ±300 s, the phases much shorter."""
        now = int(time.time())
        out = []
        for _ in range(count):
            openid = f"oBench{self.run_tag}{next(self.senders):018d}"  # 28 characters, like an OpenID
            nonce, msg_id = str(next(self.nonces)), next(self.msg_ids)
            text = self.rng.choice(COMPLAINTS) + self.rng.choice(TAILS)
            # As WeChat writes it: strings in CDATA, CreateTime and MsgId bare.
            xml = signing.message_xml({"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": now,
                                       "MsgType": "text", "Content": text, "MsgId": msg_id})
            req = signing.plain_request(self.keys, xml, timestamp=now, nonce=nonce, openid=openid)
            query = "&".join(f"{k}={v}" for k, v in req.query.items())  # hex, digits, letters: nothing to escape
            head = (f"POST /wechat?{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                    f"Content-Type: text/xml\r\nContent-Length: {len(req.body)}\r\n\r\n")
            out.append(head.encode("ascii") + req.body)
        return out


def check_gridline(status: int, body: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}: {body[:120]!r}"
    if body == b"success":  # correct behaviour, but not a passive reply: the answer would follow as 客服消息
        return "answered 'success': the 4 s reply budget ran out before the dialogue did"
    if not body.startswith(b"<xml>") or not any(ask in body for ask in ASKS_WHERE):
        return f"not the 'where is it?' reply: {body[:160].decode('utf-8', 'replace')}"
    return None


def check_fixed(status: int, body: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}: {body[:120]!r}"
    if FIXED_REPLY.encode() not in body:
        return f"not the fixed reply: {body[:160].decode('utf-8', 'replace')}"
    return None


# -- CPU accounting -------------------------------------------------------------------------


def core_jiffies() -> dict[int, tuple[int, int]]:
    """Per core: (busy, total) jiffies since boot, from /proc/stat."""
    out = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *values = line.split()
        if name.startswith("cpu") and name != "cpu":
            ticks = [int(v) for v in values]
            idle = ticks[3] + ticks[4]  # idle + iowait
            out[int(name[3:])] = (sum(ticks[:8]) - idle, sum(ticks[:8]))
    return out


def tree_cpu_s(pid: int) -> float:
    """User + system CPU of a process and its descendants (a server may fork workers)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        pending.extend(int(c) for c in children)
    return total


@dataclass
class CpuShare:
    """Who used the two cores during a phase, as fractions of one core."""

    cores: dict[int, float]
    server: float
    load: float
    wall_s: float

    @property
    def others(self) -> float:
        # PostgreSQL, Redis, and anything else on the machine (other sessions' work included).
        return max(0.0, sum(self.cores.values()) - self.server - self.load)

    def line(self) -> str:
        cores = " · ".join(f"core {c} {busy:.0%}" for c, busy in sorted(self.cores.items()))
        return (f"CPU: {cores} busy; server {self.server:.0%}, load generator {self.load:.0%}, "
                f"everything else (PostgreSQL, Redis, …) {self.others:.0%} of a core")


class CpuMeter:
    def __init__(self, server_pid: int) -> None:
        self.pid = server_pid
        self.t0 = time.perf_counter()
        self.cores0, self.server0, self.load0 = core_jiffies(), tree_cpu_s(server_pid), time.process_time()

    def stop(self) -> CpuShare:
        wall = time.perf_counter() - self.t0
        cores1 = core_jiffies()
        cores = {c: (cores1[c][0] - b0) / max(1, cores1[c][1] - t0) for c, (b0, t0) in self.cores0.items()}
        return CpuShare(cores, (tree_cpu_s(self.pid) - self.server0) / wall,
                        (time.process_time() - self.load0) / wall, wall)


async def measured(phase: Coroutine[Any, Any, Result], server_pid: int) -> Result:
    # The load generator's own full collections (the prebuilt requests are tens of thousands of
    # objects) stalled its schedule by tens of ms and were charged to whichever server it measured:
    # freeze what exists and pause the collector while timing (the phase allocates little).
    gc.collect()
    gc.freeze()
    gc.disable()
    meter = CpuMeter(server_pid)  # the coroutine only starts running when awaited, below
    try:
        result = await phase
    finally:
        gc.enable()
        gc.unfreeze()
    result.cpu = meter.stop()
    return result


# -- servers --------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    port: int
    ready_path: str
    check: Check
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self, core: int) -> None:
        # taskset execs the server, so the pid we hold is the server's own.
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(["taskset", "-c", str(core), *self.argv], cwd=self.cwd, env=self.env,
                                            stdout=log, stderr=log)

    async def wait_ready(self) -> None:
        assert self.process is not None
        request = f"GET {self.ready_path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
        deadline = time.monotonic() + READY_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.process.returncode} before it was ready")
            pool = Pool(self.port)
            try:
                status, _ = await asyncio.wait_for(pool.exchange(request), REQUEST_TIMEOUT_S)
                if status < 500:  # any answer from the application: it listens, and its start-up is done
                    return
            except (OSError, TimeoutError):
                pass
            finally:
                pool.close()
            await asyncio.sleep(0.25)
        raise RuntimeError(f"{self.name} did not answer {self.ready_path} within {READY_S:.0f} s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: aiohttp's cleanup, then cProfile's dump
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 20) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n  ".join(text.splitlines()[-lines:])


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDLINE_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def gridline_env(database_url: str, redis_url: str | None, log_level: str) -> dict[str, str]:
    env = base_env()
    env.update(GRIDLINE_DATABASE_URL=database_url, GRIDLINE_WECHAT_TOKEN=TOKEN, GRIDLINE_WECHAT_APPID=APPID,
               GRIDLINE_LOG_LEVEL=log_level)
    if redis_url:
        env["GRIDLINE_REDIS_URL"] = redis_url
    return env


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


def gridline_argv(args: list[str], profile: Path | None) -> list[str]:
    if profile is not None:
        return [sys.executable, "-c", _PROFILED, str(profile), *args]
    installed = VENV_BIN / "gridline"
    return [str(installed), *args] if installed.exists() else [sys.executable, "-m", "bot", *args]


async def recreate_pg(admin_url: str) -> str:
    return await pgdb.fresh_database(admin_url, DB_NAME)


async def drop_pg(admin_url: str) -> None:
    await pgdb.drop_database(admin_url, DB_NAME)


def flush_redis(url: str) -> None:
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


def ensure_peer_venv() -> Path:
    """``.bench-venv`` with WeRoBot and waitress: never in the project's own environment."""
    python = BENCH_VENV / "bin" / "python"
    probe = [str(python), "-c", "import werobot, waitress; assert werobot.__version__.startswith('1.13')"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return BENCH_VENV
    print(f"creating {BENCH_VENV.relative_to(ROOT)}/ with {', '.join(PEER_PACKAGES)} …", flush=True)
    subprocess.run(["python3", "-m", "venv", str(BENCH_VENV)], check=True, timeout=300)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PEER_PACKAGES], check=True, timeout=600)
    subprocess.run(probe, check=True, timeout=60)
    return BENCH_VENV


# -- phases ---------------------------------------------------------------------------------


@dataclass
class Plan:
    concurrency: int
    warmup: int
    seconds: float
    max_requests: int
    rate: float
    open_seconds: float
    server_core: int
    load_core: int


async def measure(server: Server, workload: Workload, plan: Plan) -> Figure:
    assert server.process is not None
    await server.wait_ready()
    pid = server.process.pid
    # Warm-up, not counted: connections, caches, the JIT-less interpreter's first-call costs, pools.
    warm = await closed_loop(server.port, workload.build(plan.warmup, server.port), plan.concurrency, 60.0,
                             server.check)
    if warm.errors:
        print(f"  warm-up: {warm.errors} errors, e.g. {warm.samples[:1]}")
    closed_requests = workload.build(plan.max_requests, server.port)
    closed = await measured(closed_loop(server.port, closed_requests, plan.concurrency, plan.seconds,
                                        server.check), pid)
    del closed_requests
    open_requests = workload.build(round(plan.rate * plan.open_seconds), server.port)
    opened = await measured(open_loop(server.port, open_requests, plan.rate, server.check), pid)
    return Figure(server.name, closed, opened)


def run_server(server: Server, workload: Workload, plan: Plan) -> Figure:
    print(f"\n== {server.name}", flush=True)
    server.start(plan.server_core)
    try:
        figure = asyncio.run(measure(server, workload, plan))
    except BaseException:
        print(f"  {server.name} log, last lines:\n  {server.log_tail()}", file=sys.stderr)
        raise
    finally:
        server.stop()
    show(figure, plan)
    return figure


def show(figure: Figure, plan: Plan) -> None:
    c, o = figure.closed, figure.opened
    print(f"  closed loop, {plan.concurrency} connections: {c.ok:,} answered in {c.wall_s:.1f} s = "
          f"{c.rate:,.0f} callbacks/s · p50 {c.ms(0.5):.1f} ms · p99 {c.ms(0.99):.1f} ms · errors {c.errors} · "
          f"server CPU {c.server_ms_per_callback:.2f} ms/callback")
    if c.cpu:
        print(f"    {c.cpu.line()}")
    print(f"  open loop, {plan.rate:.0f}/s for {plan.open_seconds:.0f} s: {o.ok:,} of {o.sent:,} answered · "
          f"p50 {o.ms(0.5):.1f} ms · p99 {o.ms(0.99):.1f} ms · max {o.ms(1.0):.1f} ms · errors {o.errors}")
    if o.cpu:
        print(f"    {o.cpu.line()}")
    for sample in c.samples + o.samples:
        print(f"    e.g. {sample}")


def summary(figures: dict[str, Figure], plan: Plan) -> bool:
    print(f"\n== summary (closed loop, {plan.concurrency} connections: callbacks/s and latency; open loop, "
          f"{plan.rate:.0f}/s: latency from the scheduled send time)")
    print(f"  {'server':<38}{'callbacks/s':>12}{'p50 ms':>8}{'p99 ms':>8}{'errors':>7}{'CPU ms/cb':>10}"
          f"{'open p50':>10}{'open p99':>10}{'errors':>7}")
    for f in figures.values():
        c, o = f.closed, f.opened
        print(f"  {f.name:<38}{c.rate:>12,.0f}{c.ms(0.5):>8.1f}{c.ms(0.99):>8.1f}{c.errors:>7}"
              f"{c.server_ms_per_callback:>10.2f}{o.ms(0.5):>10.1f}{o.ms(0.99):>10.1f}{o.errors:>7}")
    print("  (CPU ms/cb: the server process's own CPU per answered callback; for gridline, PostgreSQL's and "
          "Redis's come on top)")
    limit, peer = figures.get("limit"), figures.get("peer")
    all_met = True
    for key in ("gridline-pg", "gridline-sqlite"):
        grid = figures.get(key)
        if grid is None:
            continue
        gating = key == "gridline-pg"  # the production-like figure; SQLite is shown for comparison
        print(f"\n  goals for {grid.name}" + ("" if gating else " (for comparison: the goals are PostgreSQL's)"))
        lines: list[tuple[bool, str]] = []
        for other, factor, label in ((limit, GOAL_VS_LIMIT, "the bare handler's"), (peer, GOAL_VS_PEER, "WeRoBot's")):
            if other is None:
                continue
            ratio = grid.closed.rate / other.closed.rate if other.closed.rate else 0.0
            # The same ratio from CPU per callback: what it would be with the cores to itself.
            by_cpu = other.closed.server_ms_per_callback / grid.closed.server_ms_per_callback
            lines.append((ratio >= factor, f"throughput ≥ {factor:g} × {label}: {grid.closed.rate:,.0f} / "
                          f"{other.closed.rate:,.0f} = {ratio:.2f} × (by server CPU per callback: {by_cpu:.2f} ×)"))
        p99, errors = grid.opened.ms(0.99), grid.opened.errors + grid.closed.errors
        lines.append((p99 < GOAL_P99_MS and errors == 0,
                      f"p99 < {GOAL_P99_MS:.0f} ms at {plan.rate:.0f}/s open loop, no errors: "
                      f"p99 {p99:.1f} ms, {errors} errors"))
        for met, text in lines:
            print(f"    {'PASS' if met else 'FAIL'}  {text}")
            all_met = all_met and (met or not gating)
    return all_met


def print_profile(path: Path, measured_requests: int) -> None:
    if not path.is_file():
        print(f"no profile was written to {path}")
        return
    stats = pstats.Stats(str(path))
    stats.strip_dirs()
    print(f"\n== gridline CPU profile (whole server life: start-up, warm-up, ~{measured_requests:,} measured "
          "callbacks; CPU time, not wall time)")
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(60)


# -- where gridline's time goes (--phases) ---------------------------------------------------
# cProfile (--profile) multiplies the cost of every Python call, and this code path is made of
# many small ones (ORM, redis-py, asyncio): it inflated the server's CPU per callback about six
# times and blurred the picture. This mode instead wraps the steps of the callback path with
# timers, in-process, and sends callbacks one at a time so that each step's CPU is its own.

# (module, attribute, label, depth): the steps of view.callback in order, then those inside
# Dialogue.answer; what the list leaves out is aiohttp, the middlewares and this client.
PHASES: tuple[tuple[str, str, str, int], ...] = (
    ("bot.wechat.view", "open_callback", "open_callback: signature, clock, XML", 0),
    ("bot.wechat.redelivery:Redelivery", "admit", "Redelivery.admit (nonce, claim, turn: one script)", 0),
    ("bot.wechat.service:Dialogue", "arrive", "Dialogue.arrive (store message, upsert resident)", 0),
    ("bot.wechat.outbox_dialogue", "release_held", "release_held (only when the resident row says so)", 0),
    ("bot.wechat.service:Dialogue", "respond", "Dialogue.respond", 0),
    ("bot.wechat.draft:DraftStore", "load", "DraftStore.load (KV GET)", 1),
    ("bot.wechat.router:Router", "dispatch", "Router.dispatch", 1),
    ("intake.grid.store:GridService", "match_address", "GridService.match_address (gazetteer)", 2),
    ("bot.wechat.redelivery:Redelivery", "remember", "Redelivery.remember (reply, draft, turn: one script)", 0),
    ("bot.wechat.view", "render_reply", "render_reply", 0),
)


@dataclass
class Step:
    calls: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0


def _timed(step: Step, fn: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(fn):
        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:  # one callback at a time: nothing else runs while this step awaits
                step.calls, step.cpu_s = step.calls + 1, step.cpu_s + time.process_time() - cpu
                step.wall_s += time.perf_counter() - wall

        return timed_async

    def timed(*args: Any, **kwargs: Any) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            step.calls, step.cpu_s = step.calls + 1, step.cpu_s + time.process_time() - cpu
            step.wall_s += time.perf_counter() - wall

    return timed


def instrument() -> dict[str, Step]:
    """Wrap every step in PHASES (for the life of this process: --phases runs nothing else after)."""
    import importlib

    steps: dict[str, Step] = {}
    for target, attr, label, _ in PHASES:
        module_name, _, class_name = target.partition(":")
        owner: Any = importlib.import_module(module_name)
        if class_name:
            owner = getattr(owner, class_name)
        steps[label] = Step()
        setattr(owner, attr, _timed(steps[label], getattr(owner, attr)))
    return steps


async def phase_run(database_url: str, redis_url: str | None, work: Path, workload: Workload, count: int,
                    steps: dict[str, Step]) -> tuple[float, float]:
    """``count`` callbacks one after another through the real app; (CPU, wall) seconds per callback."""
    import logging

    from aiohttp.test_utils import TestServer

    from bot.app import create_app
    from bot.logs import JsonFormatter
    from bot.settings import load_settings

    # As `gridline serve` logs (one JSON line a request), into a file rather than this terminal.
    handler = logging.FileHandler(work / "phases.log")
    handler.setFormatter(JsonFormatter())
    logging.getLogger().handlers[:] = [handler]
    logging.getLogger().setLevel(logging.INFO)
    env = {"GRIDLINE_DATABASE_URL": database_url, "GRIDLINE_WECHAT_TOKEN": TOKEN, "GRIDLINE_WECHAT_APPID": APPID}
    if redis_url:
        env["GRIDLINE_REDIS_URL"] = redis_url
    server = TestServer(create_app(load_settings(env), sweeper=False), host="127.0.0.1")
    await server.start_server()
    pool = Pool(server.port or 0)
    try:
        async def send(requests: list[bytes]) -> None:
            for payload in requests:
                status, body = await asyncio.wait_for(pool.exchange(payload), REQUEST_TIMEOUT_S)
                why = check_gridline(status, body)
                if why is not None:
                    raise RuntimeError(why)

        await send(workload.build(min(100, count), server.port or 0))  # warm-up: pools, caches, jieba
        for step in steps.values():
            step.calls, step.cpu_s, step.wall_s = 0, 0.0, 0.0
        requests = workload.build(count, server.port or 0)
        cpu, wall = time.process_time(), time.perf_counter()
        await send(requests)
        return (time.process_time() - cpu) / count, (time.perf_counter() - wall) / count
    finally:
        pool.close()
        await server.close()


def show_phases(name: str, count: int, cpu_s: float, wall_s: float, steps: dict[str, Step]) -> None:
    print(f"\n== {name}: {count} callbacks one at a time, per callback: CPU {cpu_s * 1000:.2f} ms "
          f"(this whole process), wall {wall_s * 1000:.2f} ms")
    print(f"  {'step':<52}{'calls':>6}{'CPU ms':>9}{'share':>7}{'wall ms':>9}")
    top_cpu = 0.0
    for _, _, label, depth in PHASES:
        step = steps[label]
        top_cpu += step.cpu_s if depth == 0 else 0.0
        print(f"  {'  ' * depth + label:<52}{step.calls / count:>6.1f}{step.cpu_s / count * 1000:>9.2f}"
              f"{step.cpu_s / count / cpu_s:>7.0%}{step.wall_s / count * 1000:>9.2f}")
    rest = cpu_s - top_cpu / count
    print(f"  {'the rest: aiohttp, middlewares, task, this client':<52}{'':>6}{rest * 1000:>9.2f}"
          f"{rest / cpu_s:>7.0%}")


def phases(args: argparse.Namespace, work: Path) -> int:
    os.sched_setaffinity(0, {args.server_core})  # server and client share one core here, on purpose
    print(f"gridline callback phases — in-process, one callback at a time, core {args.server_core}; CPU is "
          "process time, wall includes waiting for PostgreSQL/Redis/SQLite")
    steps = instrument()
    workload = Workload(args.seed)
    backends = [key for key in ("gridline-pg", "gridline-sqlite") if not args.only or key in args.only]
    for key in backends:
        database_url, redis_url = prepare_gridline(key, args, work, work / f"{key}.log")
        cpu_s, wall_s = asyncio.run(phase_run(database_url, redis_url, work, workload, args.phase_count, steps))
        show_phases(GRIDLINE_NAMES[key], args.phase_count, cpu_s, wall_s, steps)
    return 0


# -- main -----------------------------------------------------------------------------------

TARGETS = ("limit", "peer", "gridline-pg", "gridline-sqlite")
GRIDLINE_NAMES = {"gridline-pg": "gridline (PostgreSQL + Redis)",
                  "gridline-sqlite": "gridline (SQLite, in-process store)"}


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-c", "--concurrency", type=int, default=32, help="closed loop: connections (default 32)")
    p.add_argument("--seconds", type=float, default=10.0, help="closed loop: measured seconds (default 10)")
    p.add_argument("--max-requests", type=int, default=60_000,
                   help="closed loop: requests built beforehand, the phase ends early if all are sent (60000)")
    p.add_argument("--warmup", type=int, default=1000, help="requests sent first, not counted (default 1000)")
    p.add_argument("--rate", type=float, default=200.0, help="open loop: requests per second (default 200)")
    p.add_argument("--open-seconds", type=float, default=15.0, help="open loop: seconds (default 15)")
    p.add_argument("--server-core", type=int, default=0, help="core for the server under test (default 0)")
    p.add_argument("--load-core", type=int, default=1, help="core for this load generator (default 1)")
    p.add_argument("--only", action="append", choices=TARGETS, help="run only these (repeatable; default all)")
    p.add_argument("--pg", default=PG_ADMIN_URL, help="PostgreSQL admin URL (default $GRIDLINE_TEST_PG or local)")
    p.add_argument("--db-params", default="",
                   help="query string for the PostgreSQL URL, e.g. maxsize=20 (Tortoise's pool, default 5)")
    p.add_argument("--redis", default=REDIS_URL, help=f"Redis for gridline-pg, flushed (default {REDIS_URL})")
    p.add_argument("--log-level", default="INFO", help="gridline's GRIDLINE_LOG_LEVEL (default INFO, as shipped)")
    p.add_argument("--port", type=int, default=18281, help="first of four loopback ports (default 18281)")
    p.add_argument("--profile", action="store_true", help="run gridline-pg under cProfile and print where CPU goes")
    p.add_argument("--phases", action="store_true",
                   help="instead of the benchmark: time each step of gridline's callback path, in-process")
    p.add_argument("--phase-count", type=int, default=500, help="--phases: callbacks per backend (default 500)")
    p.add_argument("--keep", action="store_true", help="keep the work folder (servers' logs, the profile)")
    p.add_argument("--seed", type=int, default=20261121)
    args = p.parse_args()
    if min(args.concurrency, args.warmup, args.max_requests, args.phase_count) < 1 or min(
            args.seconds, args.rate, args.open_seconds) <= 0:
        p.error("counts, seconds and the rate must be positive")
    if args.server_core == args.load_core:
        p.error("--server-core and --load-core must differ")
    return args


def prepare_gridline(key: str, args: argparse.Namespace, work: Path, log: Path) -> tuple[str, str | None]:
    """A fresh database with the demo city (``gridline demo``); (database URL, Redis URL or None)."""
    if key == "gridline-pg":
        database_url, redis_url = asyncio.run(recreate_pg(args.pg)), args.redis
        database_url += f"?{args.db_params}" if args.db_params else ""
        flush_redis(redis_url)
    else:
        (work / "var").mkdir(exist_ok=True)
        database_url, redis_url = f"sqlite://{work / 'var' / 'bench.sqlite3'}", None
    t0 = time.perf_counter()
    with log.open("ab") as out:
        subprocess.run(gridline_argv(["demo"], None), cwd=work, env=gridline_env(database_url, redis_url, "INFO"),
                       stdout=out, stderr=out, check=True, timeout=300)
    print(f"\n(fresh database, migrations + demo city: {time.perf_counter() - t0:.1f} s)")
    return database_url, redis_url


def background_load() -> str:
    before = core_jiffies()
    time.sleep(1.0)
    after = core_jiffies()
    cores = " · ".join(f"core {c} {(after[c][0] - b) / max(1, after[c][1] - t):.0%}"
                       for c, (b, t) in sorted(before.items()))
    return f"{cores} busy; load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"


def bench(args: argparse.Namespace, work: Path) -> int:
    targets = args.only or list(TARGETS)
    plan = Plan(args.concurrency, args.warmup, args.seconds, args.max_requests, args.rate, args.open_seconds,
                args.server_core, args.load_core)
    # The load generator (this process) keeps to its core; servers are started on the other one.
    os.sched_setaffinity(0, {plan.load_core})
    print(f"callback benchmark: {os.cpu_count()} cores; servers pinned to core {plan.server_core} (taskset), "
          f"load generator (this process, {sys.executable}) to core {plan.load_core}; PostgreSQL and Redis "
          "unpinned")
    print(f"closed loop {plan.concurrency} connections × {plan.seconds:.0f} s (after {plan.warmup} warm-up "
          f"requests); open loop {plan.rate:.0f}/s × {plan.open_seconds:.0f} s")
    # Other work on the machine takes cores from whichever server runs: say how much there was.
    print(f"background load before starting (1 s): {background_load()}")
    workload = Workload(args.seed)
    figures: dict[str, Figure] = {}
    profile = work / "gridline.prof" if args.profile else None
    ports = iter(range(args.port, args.port + len(TARGETS)))
    env = base_env()
    if "limit" in targets:
        port = next(ports)
        (work / "limit_app.py").write_text(textwrap.dedent(LIMIT_APP).format(
            account=ACCOUNT, reply=FIXED_REPLY, port=port), encoding="utf-8")
        server = Server("limit (bare aiohttp handler)", [sys.executable, "limit_app.py"], env, work, port,
                        "/wechat", check_fixed, work / "limit.log")
        figures["limit"] = run_server(server, workload, plan)
    if "peer" in targets:
        port = next(ports)
        venv = ensure_peer_venv()
        (work / "peer_app.py").write_text(textwrap.dedent(PEER_APP).format(
            token=TOKEN, reply=FIXED_REPLY, port=port), encoding="utf-8")
        # waitress rather than gunicorn's sync worker: gunicorn 27 closes every connection and
        # lingers until the client has closed too, which left one sync worker idle most of the
        # time (about 150/s here, against about 1,300/s with waitress and 1,050/s with gthread).
        server = Server("peer (WeRoBot 1.13 + waitress)", [str(venv / "bin" / "python"), "peer_app.py"], env,
                        work, port, "/wechat", check_fixed, work / "peer.log")
        figures["peer"] = run_server(server, workload, plan)
    for key in ("gridline-pg", "gridline-sqlite"):
        if key not in targets:
            continue
        port, log = next(ports), work / f"{key}.log"
        database_url, redis_url = prepare_gridline(key, args, work, log)
        argv = gridline_argv(["serve", "--host", "127.0.0.1", "--port", str(port)],
                             profile if key == "gridline-pg" else None)
        genv = gridline_env(database_url, redis_url, args.log_level)
        figures[key] = run_server(Server(GRIDLINE_NAMES[key], argv, genv, work, port, "/healthz", check_gridline,
                                         log), workload, plan)
    met = summary(figures, plan)
    if profile is not None and "gridline-pg" in figures:
        print_profile(profile, figures["gridline-pg"].closed.ok)
    if any(f.closed.cpu and f.closed.cpu.load > 0.9 for f in figures.values()):
        print("\nnote: the load generator used > 90 % of its core in a closed-loop run: that figure may be "
              "the generator's limit, not the server's")
    return 0 if met else 1


def main() -> int:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="gridline-bench-callback-"))  # servers' cwd: their var/ lands here
    try:
        return phases(args, work) if args.phases else bench(args, work)
    finally:
        if not args.only or "gridline-pg" in args.only:  # what a PostgreSQL run leaves: a database, Redis keys
            asyncio.run(drop_pg(args.pg))
            flush_redis(args.redis)
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            for path in sorted(work.rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()
            work.rmdir()


if __name__ == "__main__":
    sys.exit(main())
