"""kill -9 during triple-delivered WeChat conversations, then restart: what was lost or doubled (#18).

``gridline serve`` on a fresh PostgreSQL database and the Redis database ``--redis`` (flushed). Each
conversation is text → location → "1", each message delivered three times at once, as WeChat retries;
a delivery refused or cut off (the server was killed) is sent again, as WeChat does, until one is
answered 200. Meanwhile the server is killed with SIGKILL ``--kills`` times at random moments and started
again at once. Afterwards the recovery walk (every 5 s) gets ``--settle`` seconds to finish half-done turns.

Prints the figures beside the goals: lost (answered 200, never stored) 0; duplicate cases 0;
conversations whose "1" was stored but that have no case 0.

    PYTHONPATH=$PWD .venv/bin/python bench/kill9.py --conversations 60 --kills 3
    PYTHONPATH=$PWD .venv/bin/python bench/kill9.py --rounds 5 --conversations 2000 --kills 12 --span 300

With ``--rounds`` each round runs on a fresh database and the figures are summed (the issue's 10,000
conversations do not fit the demo city's 9,178 cells without reports becoming each other's duplicates).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import pgdb
from bench.callback_servers import callback_env, flush_redis
from bench.callback_workload import ACCOUNT, APPID, TOKEN, Keys
from bench.harness import PG_ADMIN_URL, Server, gridline_argv, load_demo, work_folder
from bench.texts import COMPLAINTS
from intake.grid.geodesy import haversine_m
from intake.grid.index import GridIndex
from tests.bot.wechat import signing

DB = "gridline_bench_kill9"


async def leaves(url: str, count: int) -> list[tuple[float, float]]:
    """A cell centre per conversation, spread in code order, none near a cell whose conversation says the
    same complaint (``COMPLAINTS[n % len]``): those would be each other's duplicates, and the later one's
    "1" rightly opens no case (the resident is offered the earlier one) — not what this bench looks for."""
    from intake.grid.store import GridService
    from intake.store import db

    await db.open_db(url)
    try:
        index = (await GridService.from_db()).index
    finally:
        await db.close_db()
    cells, step = index.leaves, max(1, len(index.leaves) // count)
    used: set[int] = set()
    said: dict[int, list[tuple[str, tuple[float, float]]]] = {}  # complaint → (cell, centre) so far
    centres = []
    for n in range(count):
        earlier, i = said.setdefault(n % len(COMPLAINTS), []), n * step % len(cells)
        while i in used or _near(index, cells[i].code, earlier):
            i = (i + 1) % len(cells)
        used.add(i)
        earlier.append((cells[i].code, index.centroid(cells[i].code)))
        centres.append(earlier[-1][1])
    return centres


def _near(index: GridIndex, code: str, others: list[tuple[str, tuple[float, float]]]) -> bool:
    """Within the duplicate rule's reach of any of ``others``: a neighbouring cell or under 400 m apart
    (the rule's default radius is 250 m)."""
    beside, here = index.neighbours(code), index.centroid(code)
    return any(other in beside or haversine_m(*here, *centre) < 400 for other, centre in others)


async def deliver(session: aiohttp.ClientSession, base: str, keys: Keys, xml: str, nonce: str,
                  answered: list[str], key: str) -> None:
    """Three deliveries at once; while none is answered 200, again (WeChat's retries, made generous)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        req = signing.plain_request(keys, xml, timestamp=int(time.time()), nonce=nonce)
        results = await asyncio.gather(*(_post(session, base, req) for _ in range(3)))
        if 200 in results:
            answered.append(key)
            return
        await asyncio.sleep(1.0)


async def _post(session: aiohttp.ClientSession, base: str, req: signing.SignedRequest) -> int:
    try:
        async with session.post(base + "/wechat", params=req.query, data=req.body,
                                timeout=aiohttp.ClientTimeout(total=10)) as resp:
            await resp.read()
            return resp.status
    except (aiohttp.ClientError, TimeoutError):
        return 0


def messages(openid: str, n: int, tag: str, place: tuple[float, float]) -> Iterator[tuple[int, str, str]]:
    """A resident's report in three messages (text, location, the confirming "1"): each step's number, its
    MsgId and its XML, made when the step is due (CreateTime is the moment it is sent)."""
    from intake.grid.geodesy import wgs84_to_gcj02

    lng, lat = wgs84_to_gcj02(*place)
    steps: list[dict[str, str | int | float]] = [
        {"MsgType": "text", "Content": COMPLAINTS[n % len(COMPLAINTS)]},
        {"MsgType": "location", "Location_X": lat, "Location_Y": lng, "Scale": 15, "Label": "现场"},
        {"MsgType": "text", "Content": "1"}]
    for step, fields in enumerate(steps):
        msg_id = f"{tag_number(tag)}{n:06d}{step}"
        yield step, msg_id, signing.message_xml({"ToUserName": ACCOUNT, "FromUserName": openid,
                                                 "CreateTime": int(time.time()), **fields, "MsgId": msg_id})


async def conversation(session: aiohttp.ClientSession, base: str, n: int, tag: str, place: tuple[float, float],
                       answered: list[str]) -> None:
    keys = Keys(TOKEN, APPID)
    for step, msg_id, xml in messages(f"oKill{tag}{n:06d}", n, tag, place):
        await deliver(session, base, keys, xml, f"{n}{step}{tag_number(tag)}", answered, f"msg:{msg_id}")
        await asyncio.sleep(random.uniform(0.2, 1.0))


def tag_number(tag: str) -> str:
    return str(int(tag, 16))


async def killer(server: Server, kills: int, span: float) -> None:
    for _ in range(kills):
        await asyncio.sleep(random.uniform(0.3, 1.0) * span / kills)
        server.process.kill()  # type: ignore[union-attr]  # SIGKILL, mid-turn
        server.process.wait()  # type: ignore[union-attr]
        server.start()
        await server.wait_ready()


async def run(args: argparse.Namespace, server: Server, url: str, tag: str) -> dict[str, float]:
    places = await leaves(url, args.conversations)
    answered: list[str] = []
    base = f"http://127.0.0.1:{args.port}"
    async with aiohttp.ClientSession() as session:
        talks = [conversation(session, base, n, tag, places[n], answered) for n in range(args.conversations)]
        started = time.monotonic()
        await asyncio.gather(killer(server, args.kills, args.span), *(_staggered(t, n * args.span
                                                                                  / args.conversations)
                                                                      for n, t in enumerate(talks)))
        traffic = time.monotonic() - started
    await asyncio.sleep(args.settle)
    conn = await asyncpg.connect(url)
    try:
        stored = {r["dedup_key"] for r in await conn.fetch("SELECT dedup_key FROM inbound_messages")}
        cases = {r["reporter"]: r["n"] for r in await conn.fetch(
            "SELECT reporter, count(*) AS n FROM cases WHERE reporter LIKE $1 GROUP BY reporter", f"oKill{tag}%")}
        confirmed = {r["external_id"] for r in await conn.fetch(
            "SELECT external_id FROM inbound_messages WHERE content = '1' AND external_id LIKE $1", f"oKill{tag}%")}
        missing = sorted(confirmed - set(cases))
        for row in await conn.fetch("SELECT external_id, kind, content, received_at, answered_at, case_no FROM "
                                    "inbound_messages WHERE external_id = ANY($1::text[]) ORDER BY id", missing):
            print("without a case:", dict(row), file=sys.stderr)  # what a reader of the failure needs first
    finally:
        await conn.close()
    return {"conversations": args.conversations, "kills": args.kills, "messages_sent": 3 * args.conversations,
            "answered_200": len(answered), "traffic_s": round(traffic, 1),
            "lost (goal 0)": len(set(answered) - stored),
            "duplicate_cases (goal 0)": sum(n - 1 for n in cases.values() if n > 1),
            "confirmed_without_case (goal 0)": len(confirmed - set(cases)),
            "cases": sum(cases.values())}


async def _staggered(talk: object, delay: float) -> None:
    await asyncio.sleep(delay)
    await talk  # type: ignore[misc]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--conversations", type=int, default=60, help="per round")
    p.add_argument("--kills", type=int, default=3, help="per round")
    p.add_argument("--rounds", type=int, default=1,
                   help="rounds on fresh databases, summed: one round holds at most one conversation per few cells")
    p.add_argument("--span", type=float, default=60.0, help="seconds over which conversations start and kills fall")
    p.add_argument("--settle", type=float, default=20.0)
    p.add_argument("--port", type=int, default=18319)
    p.add_argument("--pg", default=PG_ADMIN_URL)
    p.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    p.add_argument("--seed", type=int, default=18)
    p.add_argument("--keep", action="store_true", help="keep the work folder (server.log)")
    args = p.parse_args()
    random.seed(args.seed)
    total: dict[str, float] = {}
    for n in range(args.rounds):
        figures = one_round(args)
        print(json.dumps({"round": n + 1, **figures}, ensure_ascii=False), flush=True)
        for name, value in figures.items():
            total[name] = total.get(name, 0) + value
    if args.rounds > 1:
        print(json.dumps({"rounds": args.rounds, **total}, ensure_ascii=False))
    return 1 if total["lost (goal 0)"] or total["duplicate_cases (goal 0)"] \
        or total["confirmed_without_case (goal 0)"] else 0


def one_round(args: argparse.Namespace) -> dict[str, float]:
    tag = f"{int(time.time() * 1000) % 36**4:04x}"
    with work_folder("gridline-kill9-", keep=args.keep) as work:
        url = asyncio.run(pgdb.fresh_database(args.pg, DB))
        flush_redis(args.redis)
        env = callback_env(url, args.redis, "WARNING")
        load_demo(env, work, work / "server.log")
        server = Server("gridline", gridline_argv(["serve", "--host", "127.0.0.1", "--port", str(args.port)]), env,
                        work, args.port, work / "server.log")
        server.start()
        try:
            asyncio.run(server.wait_ready())
            return asyncio.run(run(args, server, url, tag))
        finally:
            server.stop()
            asyncio.run(pgdb.drop_database(args.pg, DB))


if __name__ == "__main__":
    sys.exit(main())
