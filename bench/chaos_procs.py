"""Two web processes and two senders, one of each killed -9 during traffic: what was lost or doubled (#18).

A fresh PostgreSQL database with ``gridline demo``, Redis database 9 (never flushed: this run's stream
and the keys of its residents and messages are deleted afterwards), the fake WeChat/WeCom API server
(``tests/fakes/wechat_api.py``) and a WeCom group robot for the demo district, so that every case the
system dispatches sends a task card through the outbox. Two ``gridline serve --no-sender`` on two ports
and two ``gridline sender``. Only some cases are dispatched by the system (a self-handle category in a
cell with a worker), so ``--background`` group notices (``bench/fanout.py --enqueue``, the real notifier)
are queued as traffic starts, paced at ``--rate`` per second: the senders are mid-backlog at the kill.

Each conversation (``bench/kill9.py``: text → location → "1") has its three copies of each message sent at
once, spread over both web processes, as WeChat retries; while none is answered 200, all three again (WeChat
redelivers, the dead process refuses, the survivor answers). At ``--kill-web`` of the span one web process
is killed with SIGKILL, at ``--kill-sender`` one sender; neither is restarted: the survivors carry on.
Then ``--settle`` seconds for the recovery walk and the survivor sender (its lease on the dead one's rows
is ``--lease`` seconds).

Prints beside the goals: messages never answered 200 (by either process) 0; lost (answered 200, never
stored) 0; duplicate cases 0; conversations whose "1" was stored but that have no case 0; outbox rows not
delivered 0; API duplicates ≤ rows in flight at the sender kill (both senders'); and the machine load.

    PYTHONPATH=$PWD .venv/bin/python bench/chaos_procs.py --conversations 200 --span 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import outbox_kit as kit
from bench import pgdb
from bench.callback_servers import callback_env
from bench.callback_workload import APPID, TOKEN, Keys
from bench.harness import PG_ADMIN_URL, Server, gridline_argv, load_demo, work_folder
from bench.kill9 import _post, _staggered, leaves, messages, tag_number
from tests.bot.wechat import signing

DB = "gridline_bench_chaos_procs"


async def deliver(session: aiohttp.ClientSession, bases: list[str], n: int, xml: str, nonce: str,
                  answered: list[str], key: str, refused: list[int]) -> None:
    """Three copies at once over both processes; while none is answered 200, again (WeChat's retries)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        req = signing.plain_request(Keys(TOKEN, APPID), xml, timestamp=int(time.time()), nonce=nonce)
        results = await asyncio.gather(*(_post(session, bases[(n + i) % 2], req) for i in range(3)))
        refused.append(sum(r != 200 for r in results))
        if 200 in results:
            answered.append(key)
            return
        n += 1  # the next round starts on the other process
        await asyncio.sleep(1.0)


async def conversation(session: aiohttp.ClientSession, bases: list[str], n: int, tag: str,
                       place: tuple[float, float], answered: list[str], refused: list[int]) -> None:
    """``bench/kill9.py``'s conversation, its messages spread over both web processes."""
    for step, msg_id, xml in messages(f"oProc{tag}{n:06d}", n, tag, place):
        await deliver(session, bases, n + step, xml, f"p{n}{step}{tag_number(tag)}", answered, f"msg:{msg_id}",
                      refused)
        await asyncio.sleep(random.uniform(0.2, 1.0))


async def killer(args: argparse.Namespace, web: Server, sender: subprocess.Popen[bytes], url: str,
                 at: dict[str, float]) -> None:
    """SIGKILL one web process, then one sender; what the sender held (``sending``) is the allowance."""
    started = time.monotonic()
    for name, frac in sorted((("web", args.kill_web), ("sender", args.kill_sender)), key=lambda x: x[1]):
        await asyncio.sleep(max(0.0, started + frac * args.span - time.monotonic()))
        proc = web.process if name == "web" else sender
        assert proc is not None
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        at[f"{name}_killed_at_s"] = round(time.monotonic() - started, 1)
        if name == "sender":
            at["in_flight_at_sender_kill"] = (await kit.statuses(url)).get("sending", 0)
            at["delivered_at_sender_kill"] = kit.fake_stats(args.fake_port)["delivered"]


async def traffic(args: argparse.Namespace, url: str, tag: str, web: Server,
                  sender: subprocess.Popen[bytes]) -> dict[str, object]:
    places = await leaves(url, args.conversations)
    answered: list[str] = []
    refused: list[int] = []  # per round of three copies: how many were refused or cut off
    at: dict[str, float] = {}
    bases = [f"http://127.0.0.1:{p}" for p in args.ports]
    async with aiohttp.ClientSession() as session:
        backlog = asyncio.create_task(asyncio.to_thread(kit.enqueue, url, args.background, args.robot, tag))
        talks = [conversation(session, bases, n, tag, places[n], answered, refused) for n in range(args.conversations)]
        started = time.monotonic()
        await asyncio.gather(killer(args, web, sender, url, at),
                             *(_staggered(t, n * args.span / args.conversations) for n, t in enumerate(talks)))
        at["traffic_s"] = round(time.monotonic() - started, 1)
        await backlog
    return {"answered": answered, "copies_refused": sum(refused), "rounds_all_refused": refused.count(3), **at}


async def settle(url: str, seconds: float) -> None:
    """20 s at least (the recovery walk, every 5 s, finishes the killed process's half-done turns), then until
    every outbox row is delivered or ``seconds`` pass (the survivor takes the dead sender's rows at lease end)."""
    started, deadline = time.monotonic(), time.monotonic() + seconds
    while time.monotonic() < deadline:
        await asyncio.sleep(2)
        if time.monotonic() - started >= 20 and set(await kit.statuses(url)) <= {"delivered"}:
            return


async def tally(url: str, tag: str) -> dict[str, object]:
    conn = await asyncpg.connect(url)
    try:
        stored = {r["dedup_key"] for r in await conn.fetch(
            "SELECT dedup_key FROM inbound_messages WHERE external_id LIKE $1", f"oProc{tag}%")}
        cases = {r["reporter"]: r["n"] for r in await conn.fetch(
            "SELECT reporter, count(*) AS n FROM cases WHERE reporter LIKE $1 GROUP BY reporter", f"oProc{tag}%")}
        confirmed = {r["external_id"] for r in await conn.fetch(
            "SELECT external_id FROM inbound_messages WHERE content = '1' AND external_id LIKE $1", f"oProc{tag}%")}
        outbox = {f"{r['channel'] or '(unrouted)'}:{r['status']}": r["n"] for r in await conn.fetch(
            "SELECT channel, status, count(*) AS n FROM outbox GROUP BY channel, status")}
    finally:
        await conn.close()
    return {"stored": stored, "cases": cases, "confirmed": confirmed, "outbox": outbox}


def verdict(value: int, goal: int = 0) -> str:
    return f"{value} {'PASS' if value <= goal else 'FAIL'}"


def report(args: argparse.Namespace, run: dict[str, object], db: dict[str, object], fake: dict[str, object]) -> int:
    answered = set(run.pop("answered"))  # type: ignore[call-overload]
    stored, cases, confirmed = db["stored"], db["cases"], db["confirmed"]
    assert isinstance(stored, set) and isinstance(cases, dict) and isinstance(confirmed, set)
    outbox: dict[str, int] = db["outbox"]  # type: ignore[assignment]
    allowance = int(run.get("in_flight_at_sender_kill", 0))  # type: ignore[call-overload]
    zero_goals = {"messages_never_answered_200 (goal 0)": 3 * args.conversations - len(answered),
                  "lost (goal 0)": len(answered - stored),
                  "duplicate_cases (goal 0)": sum(n - 1 for n in cases.values() if n > 1),
                  "conversations_without_an_answer (goal 0)": len(confirmed - set(cases)),
                  "outbox_not_delivered (goal 0)": sum(n for k, n in outbox.items() if not k.endswith(":delivered"))}
    api_dupes = int(fake["duplicates"])  # type: ignore[call-overload]
    print(json.dumps({"conversations": args.conversations, "messages_sent": 3 * args.conversations,
                      "background_notices": args.background,
                      "answered_200": len(answered), "cases": sum(cases.values()), **run,
                      "outbox": outbox, "api_delivered": fake["delivered"]}, ensure_ascii=False))
    for name, value in zero_goals.items():
        print(f"  {name:44s} {verdict(value)}")
    print(f"  {'api_duplicates (goal <= in flight ' + str(allowance) + ')':44s} {verdict(api_dupes, allowance)}")
    print("  load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    return 1 if any(zero_goals.values()) or api_dupes > allowance else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--conversations", type=int, default=200)
    p.add_argument("--span", type=float, default=60.0, help="seconds over which conversations start")
    p.add_argument("--kill-web", type=float, default=0.4, help="when in the span one web process dies")
    p.add_argument("--kill-sender", type=float, default=0.5, help="when in the span one sender dies")
    p.add_argument("--background", type=int, default=2400, help="group notices queued as traffic starts")
    p.add_argument("--rate", type=float, default=50.0, help="the robot channel's limit, all senders together")
    p.add_argument("--lease", type=float, default=5.0, help="a sender's lease on the rows it claims")
    p.add_argument("--settle", type=float, default=60.0, help="at most this long for the outbox to drain")
    p.add_argument("--ports", type=int, nargs=2, default=[18331, 18332])
    p.add_argument("--fake-port", type=int, default=18333)
    p.add_argument("--pg", default=PG_ADMIN_URL)
    p.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    p.add_argument("--seed", type=int, default=18)
    args = p.parse_args()
    random.seed(args.seed)
    tag = f"{int(time.time()) % 36**4:04x}"
    stream = f"gridline:chaos-procs:{tag}"
    args.robot = f"chaos-procs-{tag}"
    with work_folder("gridline-chaos-procs-") as work:
        url = asyncio.run(pgdb.fresh_database(args.pg, DB))
        procs: list[subprocess.Popen[bytes]] = [kit.start_fake(args.fake_port, args.robot)]
        web_env = {**callback_env(url, args.redis, "WARNING"), "GRIDLINE_OUTBOX_STREAM": stream}
        send_env = kit.sender_env(url, args.fake_port, stream, GRIDLINE_REDIS_URL=args.redis,
                                  GRIDLINE_OUTBOUND_RATES=f"wecom_robot={args.rate:g}")
        servers = [Server(f"web{i}", gridline_argv(["serve", "--no-sender", "--host", "127.0.0.1", "--port",
                                                    str(port)]), web_env, work, port, work / f"web{i}.log")
                   for i, port in enumerate(args.ports)]
        try:
            load_demo(web_env, work, work / "demo.log")
            asyncio.run(kit.robot_for_district(url, args.robot))
            for server in servers:
                server.start()
                asyncio.run(server.wait_ready())
            procs += [kit.start_sender(send_env, f"chaos-procs-{i}-{tag}", args.lease) for i in range(2)]
            run = asyncio.run(traffic(args, url, tag, servers[0], procs[1]))
            asyncio.run(settle(url, args.settle))
            db, fake = asyncio.run(tally(url, tag)), kit.fake_stats(args.fake_port)
        finally:
            for server in servers:
                server.stop()
            for proc in procs:
                proc.kill()
                proc.wait()
            asyncio.run(pgdb.drop_database(args.pg, DB))
            asyncio.run(drop_keys(args.redis, stream, tag))
    return report(args, run, db, fake)


async def drop_keys(redis_url: str, stream: str, tag: str) -> None:
    """This run's stream and the keys the web processes wrote for its residents and messages (no flush)."""
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    try:
        number = tag_number(tag)
        for pattern in (f"*oProc{tag}*", f"gridline:wx:msg:msg:{number}*", f"gridline:wx:nonce:*{number}"):
            keys = [k async for k in redis.scan_iter(pattern, count=1000)]
            for i in range(0, len(keys), 500):
                await redis.delete(*keys[i:i + 500])
        await redis.delete(stream)
    finally:
        await redis.aclose()


if __name__ == "__main__":
    sys.exit(main())
