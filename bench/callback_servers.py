"""The servers bench/callback.py measures: gridline on a fresh database (PostgreSQL + Redis, or SQLite),
the limit (a bare aiohttp handler) and the peer (WeRoBot, in its own ``.bench-venv``)."""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path

import redis

from bench import pgdb
from bench.callback_workload import ACCOUNT, APPID, FIXED_REPLY, TOKEN
from bench.harness import ROOT, Server, base_env, gridline_argv, gridline_env, load_demo

BENCH_VENV = ROOT / ".bench-venv"
PEER_PACKAGES = ("werobot==1.13.*", "waitress>=3")
REDIS_URL = "redis://127.0.0.1:6379/14"
DB_NAME = "gridline_bench_callback"  # not bench/intake.py's database: both may run at once
GRIDLINE_NAMES = {"gridline-pg": "gridline (PostgreSQL + Redis)",
                  "gridline-sqlite": "gridline (SQLite, in-process store)"}

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


def limit_server(work: Path, port: int) -> Server:
    (work / "limit_app.py").write_text(textwrap.dedent(LIMIT_APP).format(
        account=ACCOUNT, reply=FIXED_REPLY, port=port), encoding="utf-8")
    return Server("limit (bare aiohttp handler)", [sys.executable, "limit_app.py"], base_env(), work, port,
                  work / "limit.log")


def peer_server(work: Path, port: int) -> Server:
    venv = ensure_peer_venv()
    (work / "peer_app.py").write_text(textwrap.dedent(PEER_APP).format(
        token=TOKEN, reply=FIXED_REPLY, port=port), encoding="utf-8")
    # waitress rather than gunicorn's sync worker: gunicorn 27 closes every connection and
    # lingers until the client has closed too, which left one sync worker idle most of the
    # time (about 150/s here, against about 1,300/s with waitress and 1,050/s with gthread).
    return Server("peer (WeRoBot 1.13 + waitress)", [str(venv / "bin" / "python"), "peer_app.py"], base_env(),
                  work, port, work / "peer.log")


def gridline_server(key: str, args: argparse.Namespace, work: Path, port: int, profile: Path | None) -> Server:
    """``gridline serve`` on a fresh database with the demo city (``prepare_gridline``)."""
    log = work / f"{key}.log"
    database_url, redis_url = prepare_gridline(key, args, work, log)
    argv = gridline_argv(["serve", "--host", "127.0.0.1", "--port", str(port)], profile)
    return Server(GRIDLINE_NAMES[key], argv, callback_env(database_url, redis_url, args.log_level), work, port, log)


def callback_env(database_url: str, redis_url: str | None, log_level: str) -> dict[str, str]:
    return gridline_env({"DATABASE_URL": database_url, "WECHAT_TOKEN": TOKEN, "WECHAT_APPID": APPID,
                         "LOG_LEVEL": log_level, "REDIS_URL": redis_url})


def prepare_gridline(key: str, args: argparse.Namespace, work: Path, log: Path) -> tuple[str, str | None]:
    """A fresh database with the demo city (``gridline demo``); (database URL, Redis URL or None)."""
    if key == "gridline-pg":
        database_url, redis_url = asyncio.run(pgdb.fresh_database(args.pg, DB_NAME)), args.redis
        database_url += f"?{args.db_params}" if args.db_params else ""
        flush_redis(redis_url)
    else:
        (work / "var").mkdir(exist_ok=True)
        database_url, redis_url = f"sqlite://{work / 'var' / 'bench.sqlite3'}", None
    seconds = load_demo(callback_env(database_url, redis_url, "INFO"), work, log)
    print(f"\n(fresh database, migrations + demo city: {seconds:.1f} s)")
    return database_url, redis_url


def drop_pg(admin_url: str) -> None:
    asyncio.run(pgdb.drop_database(admin_url, DB_NAME))


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
