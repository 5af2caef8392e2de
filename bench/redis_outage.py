"""WeChat callbacks at a steady rate through a Redis outage and an empty restart (#18).

``gridline serve`` on a fresh PostgreSQL database and a redis-server of the bench's own (killed and
started again empty, never the shared one). Each message is a new resident's complaint, delivered three
times at once as WeChat retries. Redis dies ``--before`` seconds in and comes back ``--outage`` seconds
later; traffic goes on ``--after`` seconds more. Prints beside the goals: callbacks refused (not 200) 0,
lost (answered 200, never stored) 0, stored twice 0, and /healthz's redis state during the outage.

Outbound work through the outbox at the same time (``bench/outage_outbox.py``): red alerts issued through
the admin API just before the kill and through the outage, their group cards sent to the fake WeChat/WeCom
API server; prints how long after Redis's return the outbox was drained (goal <= 60 s) and its rows.
``--sender-process``: the relay and sender in a ``gridline sender`` of their own (``serve --no-sender``).

    PYTHONPATH=$PWD .venv/bin/python bench/redis_outage.py --rate 50 --before 10 --outage 60 --after 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import outage_outbox, pgdb
from bench import outbox_kit as kit
from bench.callback_servers import callback_env
from bench.callback_workload import ACCOUNT, APPID, TOKEN, Keys
from bench.harness import PG_ADMIN_URL, Server, gridline_argv, load_demo, work_folder
from bench.kill9 import _post
from bench.outage_outbox import Outbound
from bench.texts import COMPLAINTS
from tests.bot.test_storage_fallback import OwnRedis
from tests.bot.wechat import signing

DB = "gridline_bench_redis_outage"


class Tally:
    def __init__(self) -> None:
        self.sent, self.refused, self.answered = 0, 0, set[str]()
        self.health: set[str] = set()
        self.health_s = 0.0  # the longest /healthz answer
        self.statuses: Counter[int] = Counter()  # 0: no answer within 10 s (cut off, or the server too slow)
        self.refused_at: list[float] = []  # seconds into the run a refused message was sent
        self.trace: list[tuple[float, float, int]] = []  # (sent at, seconds to the last answer, worst status)
        self.cpu: list[tuple[float, float]] = []  # (seconds into the run, the server's CPU share that second)
        self.started = time.monotonic()


async def one(session: aiohttp.ClientSession, base: str, n: int, tag: str, tally: Tally) -> None:
    openid, msg_id = f"oOut{tag}{n:07d}", f"{int(tag, 16)}{n:07d}"
    xml = signing.message_xml({"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": int(time.time()),
                               "MsgType": "text", "Content": COMPLAINTS[n % len(COMPLAINTS)], "MsgId": msg_id})
    req = signing.plain_request(Keys(TOKEN, APPID), xml, timestamp=int(time.time()), nonce=f"o{msg_id}")
    sent_at = time.monotonic() - tally.started
    statuses = await asyncio.gather(*(_post(session, base, req) for _ in range(3)))
    tally.trace.append((round(sent_at, 2), round(time.monotonic() - tally.started - sent_at, 2), min(statuses)))
    if any(s != 200 for s in statuses):
        tally.refused_at.append(sent_at)
    tally.sent += 1
    tally.refused += any(s != 200 for s in statuses)
    tally.statuses.update(statuses)
    if 200 in statuses:
        tally.answered.add(f"msg:{msg_id}")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (a /proc read: instant, no need to leave the loop)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return sum(int(f) for f in stat.read().rsplit(")", 1)[1].split()[11:13]) / os.sysconf("SC_CLK_TCK")


async def cpu_share(pid: int, tally: Tally) -> None:
    """The server's CPU time per wall second, sampled each second (where its slowness comes from)."""
    last = None
    while True:
        used, now = _cpu_seconds(pid), time.monotonic()
        if last is not None:
            tally.cpu.append((round(now - tally.started, 1), round((used - last[1]) / (now - last[0]), 2)))
        last = (now, used)
        await asyncio.sleep(1)


async def health(session: aiohttp.ClientSession, base: str, tally: Tally, outage: Callable[[], bool]) -> None:
    """/healthz twice a second: what it says about Redis during the outage, and its longest answer."""
    while True:
        t0 = time.monotonic()
        try:
            async with session.get(base + "/healthz", timeout=aiohttp.ClientTimeout(total=10)) as resp:
                redis = str((await resp.json()).get("redis"))
        except (aiohttp.ClientError, TimeoutError):
            redis = "no answer"
        tally.health_s = max(tally.health_s, time.monotonic() - t0)
        if outage():
            tally.health.add(redis)
        await asyncio.sleep(0.5)


async def traffic(base: str, rate: float, seconds: float, tag: str, tally: Tally, redis: OwnRedis,
                  before: float, outage: float, pid: int, outbound: Outbound) -> None:
    sampler = asyncio.create_task(cpu_share(pid, tally))
    async with aiohttp.ClientSession() as session:
        started, n, pending = time.monotonic(), 0, set()
        tally.started = started
        at = outage_outbox.schedule(before, outage, outbound.every, outbound.lead)
        alerts = asyncio.create_task(outbound.issue(base, started, at))
        drained: asyncio.Task[None] | None = None
        down = up = False
        # Beside the traffic, never in its way: a probe awaited in the sending loop (the bench's first version)
        # slowed the sending to the probe's pace during the outage, then sent the backlog at once.
        prober = asyncio.create_task(health(session, base, tally, lambda: down and not up))
        while (elapsed := time.monotonic() - started) < seconds:
            if not down and elapsed >= before:
                redis.kill()
                down = True
                outbound.killed_wall = datetime.now(UTC)
            if down and not up and elapsed >= before + outage:
                redis.start()  # empty
                up = True
                outbound.returned_at, outbound.returned_wall = time.monotonic(), datetime.now(UTC)
                drained = asyncio.create_task(outbound.drain())
            pending.add(asyncio.create_task(one(session, base, n, tag, tally)))
            n += 1
            await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
        await asyncio.gather(*pending, alerts)
        prober.cancel()
        if drained is not None:
            await drained
    sampler.cancel()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=float, default=50.0)
    p.add_argument("--before", type=float, default=10.0)
    p.add_argument("--outage", type=float, default=60.0)
    p.add_argument("--after", type=float, default=20.0)
    p.add_argument("--port", type=int, default=18320)
    p.add_argument("--pg", default=PG_ADMIN_URL)
    p.add_argument("--db-params", default="", help="pool options for the server's database URL (maxsize=20)")
    p.add_argument("--keep", action="store_true", help="keep the work folder (server.log)")
    p.add_argument("--log-level", default="WARNING")
    p.add_argument("--trace", type=Path, help="write each message's latency and the server's CPU share here")
    p.add_argument("--cells", type=int, default=20, help="cells per alert (a group card each)")
    p.add_argument("--backlog", type=int, default=300, help="cells of the alert --lead s before the kill")
    p.add_argument("--lead", type=float, default=4.0, help="seconds before the kill the backlog's alert goes")
    p.add_argument("--robot-rate", type=float, default=50.0, help="the robot channel's limit (messages/s)")
    p.add_argument("--alert-every", type=float, default=5.0, help="seconds between alerts during the outage")
    p.add_argument("--fake-port", type=int, default=18321)
    p.add_argument("--sender-process", action="store_true",
                   help="the relay and sender in a `gridline sender` process of their own (serve --no-sender)")
    args = p.parse_args()
    tag, redis, tally = f"{int(time.time()) % 36**4:04x}", OwnRedis(), Tally()
    robot, token = f"outage-{tag}", secrets.token_urlsafe(24)
    with work_folder("gridline-outage-", keep=args.keep) as work:
        url = asyncio.run(pgdb.fresh_database(args.pg, DB))
        redis.start()
        fake = kit.start_fake(args.fake_port, robot)
        env = {**callback_env(url + (f"?{args.db_params}" if args.db_params else ""), redis.url, args.log_level),
               "GRIDLINE_ADMIN_TOKEN": token, "GRIDLINE_OUTBOUND": "live",
               "GRIDLINE_WECOM_API_BASE": f"http://127.0.0.1:{args.fake_port}",
               "GRIDLINE_OUTBOUND_RATES": f"wecom_robot={args.robot_rate:g}"}
        load_demo(env, work, work / "server.log")
        asyncio.run(kit.robot_for_district(url, robot))
        cells = asyncio.run(outage_outbox.leaf_cells(url, args.cells + args.backlog))
        outbound = Outbound(url, args.fake_port, token, cells[:args.cells], cells[args.cells:], args.alert_every,
                            lead=args.lead)
        own = ["--no-sender"] if args.sender_process else []
        argv = gridline_argv(["serve", *own, "--host", "127.0.0.1", "--port", str(args.port)])
        server = Server("gridline", argv, env, work, args.port, work / "server.log")
        server.start()
        # Its log to a file: a pipe nobody reads fills with the outage's tracebacks and blocks the sender.
        sender = subprocess.Popen([sys.executable, "-m", "bot", "sender", "--consumer", f"outage-{tag}"], env=env,
                                  cwd=work, stdout=subprocess.DEVNULL, stderr=(work / "sender.log").open("wb")) \
            if args.sender_process else None
        try:
            asyncio.run(server.wait_ready())
            asyncio.run(traffic(f"http://127.0.0.1:{args.port}", args.rate, args.before + args.outage + args.after,
                                tag, tally, redis, args.before, args.outage, server.pid, outbound))
            stored = asyncio.run(_stored(url, tag))
            outbound.tally["rows_requeued_after_the_loss"] = outage_outbox.requeued([work / "server.log",
                                                                                     work / "sender.log"])
        finally:
            server.stop()
            redis.kill()
            fake.kill()
            if sender is not None:
                sender.kill()
                sender.wait()
            fake.wait()
            asyncio.run(pgdb.drop_database(args.pg, DB))
    figures = {"rate_per_s": args.rate, "outage_s": args.outage, "messages": tally.sent,
               "refused (goal 0)": tally.refused, "lost (goal 0)": len(tally.answered - set(stored)),
               "stored_twice (goal 0)": len(stored) - len(set(stored)),
               "healthz_redis_during_outage": sorted(tally.health),
               "longest_healthz_s": round(tally.health_s, 2),
               "sent_per_s": round(tally.sent / (args.before + args.outage + args.after), 1),
               "delivery_statuses": dict(tally.statuses),
               "refused_between_s": [round(min(tally.refused_at), 1), round(max(tally.refused_at), 1)]
               if tally.refused_at else [],
               **outage_outbox.figures(outbound),
               "load": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()}
    print(json.dumps(figures, ensure_ascii=False))
    if args.trace:
        args.trace.write_text(json.dumps({"messages": tally.trace, "server_cpu": tally.cpu}), encoding="utf-8")
    drained = outbound.drain_s is not None and outbound.drain_s <= outage_outbox.GOAL_S
    return 1 if tally.refused or figures["lost (goal 0)"] or figures["stored_twice (goal 0)"] or not drained else 0


async def _stored(url: str, tag: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT dedup_key FROM inbound_messages WHERE external_id LIKE $1", f"oOut{tag}%")
        return [r["dedup_key"] for r in rows]
    finally:
        await conn.close()


if __name__ == "__main__":
    sys.exit(main())
