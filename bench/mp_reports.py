"""Benchmark: reports per second through the mini-program API (``POST /mp/v1/reports``), PostgreSQL + Redis.

The service runs as shipped in a child process (``create_app`` with an explicit ``MpConfig``
pointing at the local fake WeChat API, rate limits lifted); this process logs residents in
through ``/mp/v1/login`` (jscode2session against the fake) and is only the load generator.
Each report goes through the bearer-session check (Redis-cached), the per-resident and
per-IP rate-limit counters (Redis), classification, placement from a GCJ-02 point,
duplicate search and the hash-chained insert. A warm-up runs first and is not counted.

    .venv/bin/python bench/mp_reports.py                 # PostgreSQL ($GRIDLINE_TEST_PG) + Redis
    .venv/bin/python bench/mp_reports.py -n 3000 -c 64

The database ``gridline_bench_mp`` on that server is dropped and recreated.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # bench/intake.py would shadow the ``intake`` package of the checkout

import aiohttp  # noqa: E402
from aiohttp.test_utils import TestServer  # noqa: E402

from bench import pgdb  # noqa: E402
from bench.harness import PG_ADMIN_URL, Server, gridline_env, load_demo, work_folder  # noqa: E402
from intake.grid.geodesy import wgs84_to_gcj02  # noqa: E402
from tests.fakes.wechat_api import FakeWeChat  # noqa: E402

REDIS_URL = os.environ.get("GRIDLINE_BENCH_REDIS", "redis://127.0.0.1:6379/14")
DB_NAME = "gridline_bench_mp"
BOX = (114.40, 22.44, 114.64, 22.68)  # around 大鹏新区
TEXTS = ("路灯坏了，晚上很黑", "井盖丢了，很危险", "垃圾桶满了没人清理", "共享单车乱停放，人都过不去", "路面塌了一个坑",
         "到处贴小广告", "雨水口堵了，路上积水", "广告牌松动，快掉了", "施工噪音太大，半夜还在干", "护栏被撞坏了")
SERVE = """
import sys
from pathlib import Path
from aiohttp import web
from bot.app import create_app
from bot.mp import Limits, MpConfig
from bot.settings import load_settings
port, base, appid, secret, media = sys.argv[1:6]
lifted = Limits(*(10**9,) * 5)
config = MpConfig(appid=appid, secret=secret, api_base=base, media_dir=Path(media), limits=lifted)
web.run_app(create_app(load_settings(), mp=config), host="127.0.0.1", port=int(port), access_log=None, print=None)
"""


async def recreate_database() -> str:
    return await pgdb.fresh_database(PG_ADMIN_URL, DB_NAME)


def environment(database_url: str, admin: str) -> dict[str, str]:
    return gridline_env({"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "ADMIN_TOKEN": admin,
                         "MODE": "sandbox", "LOG_LEVEL": "INFO"})


async def points(http: aiohttp.ClientSession, base: str, admin: str, rng: random.Random) -> list[tuple[float, float]]:
    """GCJ-02 points inside grid cells (as ``wx.getLocation`` reports them), found by asking the service."""
    found: list[tuple[float, float]] = []
    while len(found) < 200:
        lng, lat = rng.uniform(BOX[0], BOX[2]), rng.uniform(BOX[1], BOX[3])
        async with http.get(f"{base}/admin/v1/grid/locate", params={"lat": str(lat), "lng": str(lng)},
                            headers={"Authorization": f"Bearer {admin}"}) as resp:
            if resp.status == 200 and (await resp.json())["inside"]:
                found.append(wgs84_to_gcj02(lng, lat))
    return found


async def login(http: aiohttp.ClientSession, base: str, fake: FakeWeChat, n: int) -> list[str]:
    tokens = []
    for i in range(n):
        async with http.post(f"{base}/mp/v1/login", json={"code": fake.login_code(f"obench{i:06d}")}) as resp:
            tokens.append(str((await resp.json())["token"]))
    return tokens


async def fire(http: aiohttp.ClientSession, base: str, bodies: list[tuple[str, dict[str, Any]]],
               concurrency: int) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    queue = iter(bodies)

    async def worker() -> None:
        nonlocal errors
        for token, body in queue:
            t0 = time.perf_counter()
            async with http.post(f"{base}/mp/v1/reports", json=body,
                                 headers={"Authorization": f"Bearer {token}"}) as resp:
                await resp.read()
                errors += resp.status != 201
            latencies.append(time.perf_counter() - t0)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - started


def workload(n: int, tokens: list[str], where: list[tuple[float, float]], rng: random.Random) -> list[Any]:
    out = []
    for i in range(n):
        lng, lat = rng.choice(where)
        out.append((tokens[i % len(tokens)], {"description": f"{rng.choice(TEXTS)}（{i}）",
                                              "location": {"lat": lat, "lng": lng, "datum": "gcj02"}}))
    return out


def main(args: argparse.Namespace) -> int:
    admin = secrets.token_urlsafe(24)
    env = environment(asyncio.run(recreate_database()), admin)
    with work_folder("gridline-bench-mp-") as work:
        load_demo(env, work, work / "server.log")
        return asyncio.run(measure(args, env, admin, work))


async def measure(args: argparse.Namespace, env: dict[str, str], admin: str, work: Path) -> int:
    rng = random.Random(20261121)
    fake = FakeWeChat()
    wechat = TestServer(fake.app())
    await wechat.start_server()
    base = f"http://127.0.0.1:{args.port}"
    argv = [sys.executable, "-c", SERVE, str(args.port), str(wechat.make_url("")).rstrip("/"), fake.appid,
            fake.secret, str(work / "media")]
    server = Server("the server", argv, env, work, args.port, work / "server.log")
    server.start()
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency)) as http:
            await server.wait_ready()
            tokens = await login(http, base, fake, args.residents)
            where = await points(http, base, admin, rng)
            await fire(http, base, workload(args.warmup, tokens, where, rng), args.concurrency)
            lat, errors, wall = await fire(http, base, workload(args.reports, tokens, where, rng), args.concurrency)
    except BaseException:
        print("server log, last lines:", server.log_tail(), sep="\n  ", file=sys.stderr)
        raise
    finally:
        server.stop()
        await wechat.close()
    lat.sort()
    ms = [lat[min(len(lat) - 1, round(q * (len(lat) - 1)))] * 1000 for q in (0.5, 0.9, 0.99)]
    print(f"POST /mp/v1/reports, PostgreSQL + Redis, {len(lat)} reports by {args.residents} residents, "
          f"concurrency {args.concurrency}: {(len(lat) - errors) / wall:.1f} reports/s, "
          f"p50 {ms[0]:.1f} ms, p90 {ms[1]:.1f} ms, p99 {ms[2]:.1f} ms, errors {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", "--reports", type=int, default=2000)
    p.add_argument("-c", "--concurrency", type=int, default=32)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--residents", type=int, default=200)
    p.add_argument("--port", type=int, default=18282)
    sys.exit(main(p.parse_args()))
