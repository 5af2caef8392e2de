"""Attack a real ``gridline serve`` (SQLite, sandbox mode) and print what broke (#18).

Prints payloads tried / 5xx / stored-from-rejected, IDOR findings, log leaks and the longest /healthz
stall. The parts built so far: polygon bombs and hostile alert JSON, CAP in many encodings, cross-street
alert changes, Open311 public-key reads, oversized headers. The kill -9 run is ``bench/kill9.py``, the
Redis outage ``bench/redis_outage.py`` (callbacks refused/lost/doubled and the outbox's drain after Redis
returns empty), the PostgreSQL restart ``bench/pg_restart.py``, several processes
(two web processes and two senders, one of each killed) ``bench/chaos_procs.py``.

    PYTHONPATH=$PWD .venv/bin/python bench/chaos.py --payloads 200 --seed 18
    PYTHONPATH=$PWD .venv/bin/python bench/chaos.py --full      # every run above at the issue's size, one table
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.harness import Server, gridline_argv, gridline_env, load_demo, work_folder
from tests.reliability.bombs import hostile_strings, polygon_bomb

NANAO, KUIYONG, CENTRE = "440307011", "440307009", (114.47, 22.55)
SECRET = "glt_chaos-secret-" + secrets.token_hex(8)


class Tally:
    def __init__(self) -> None:
        self.tried = self.fivexx = self.idor = 0
        self.stall = 0.0

    def seen(self, status: int) -> None:
        self.tried += 1
        self.fivexx += status >= 500


async def probe(session: aiohttp.ClientSession, base: str, tally: Tally, stop: asyncio.Event) -> None:
    """/healthz every 50 ms; the longest answer is the stall."""
    while not stop.is_set():
        started = time.perf_counter()
        async with session.get(base + "/healthz") as resp:
            await resp.read()
        tally.stall = max(tally.stall, time.perf_counter() - started)
        await asyncio.sleep(0.05)


async def attack(base: str, tokens: dict[str, str], keys: dict[str, str], n: int, seed: int, t: Tally) -> None:
    rng = random.Random(seed)
    auth = {who: {"Authorization": f"Bearer {tok}"} for who, tok in tokens.items()}
    async with aiohttp.ClientSession() as s:
        stop = asyncio.Event()
        prober = asyncio.create_task(probe(s, base, t, stop))

        async def post(path: str, who: str, **kw: object) -> tuple[int, dict[str, object]]:
            async with s.post(base + path, headers={**auth[who], **kw.pop("headers", {})}, **kw) as r:  # type: ignore[arg-type]
                body = await r.json() if r.content_type == "application/json" else {}
                t.seen(r.status)
                return r.status, body

        alert = {"signal": "台风", "colour": "yellow", "message": "台风将影响本区"}
        for size in (50, 300, 1000, 5000):  # polygon bombs
            await post("/admin/v1/alerts", "admin", json={**alert, "area": {"polygon": polygon_bomb(size, CENTRE)}})
        for text in hostile_strings(rng, n):  # hostile alert JSON
            field = rng.choice(["signal", "colour", "message", "guidance"])
            await post("/admin/v1/alerts", "admin", json={**alert, field: text, "area": {"grids": [text[:30]]}})
        # CAP in many encodings (a declared GB2312 was a 500)
        doc = ('<alert><identifier>chaos_{i}</identifier><sender>x</sender><sendTime>2023-09-01 08:00:00+08:00'
               '</sendTime><status>Test</status><msgType>Alert</msgType><info><eventType>11B06</eventType>'
               '<severity>Orange</severity><headline>大风</headline><area><geocode>440307011000</geocode>'
               '</area></info></alert>')
        for i, enc in enumerate(["utf-8", "utf-16", "gb2312", "gbk", "shift_jis", "utf-32", "latin-1", "big5"]):
            data = (f'<?xml version="1.0" encoding="{enc}"?>' + doc.format(i=i)).encode(enc, "replace")
            await post("/admin/v1/alerts/cap", "admin", data=data, headers={"Content-Type": "application/xml"})
        # IDOR: 葵涌's dispatcher changing 南澳's alert; a public Open311 key reading residents' text.
        status, made = await post("/admin/v1/alerts", "nanao", json={**alert, "area": {"divisions": [NANAO]}})
        if status == 201:
            for action, body in (("update", {"colour": "red"}), ("cancel", None)):
                st, _ = await post(f"/admin/v1/alerts/{made['id']}/{action}", "kuiyong", json=body)
                t.idor += st < 400
        await post("/admin/v1/reports", "admin", json={"channel": "test", "reporter": "chaos", "lat": CENTRE[1],
                                                        "lng": CENTRE[0], "description": "我的电话13800001234"})
        async with s.get(base + "/open311/v2/requests.json", params={"api_key": keys["public"]}) as r:
            t.seen(r.status)
            t.idor += sum(1 for item in (await r.json() if r.status == 200 else []) if item.get("description"))
        reader, writer = await asyncio.open_connection(*base.removeprefix("http://").split(":"))
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + SECRET.encode() + b"A" * 9000
                     + b"\r\n\r\n")
        await writer.drain()
        t.seen(int((await reader.readline()).split()[1]))
        writer.close()
        stop.set()
        await prober


def cli(env: dict[str, str], work: Path, *args: str) -> str:
    done = subprocess.run(gridline_argv(list(args)), cwd=work, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--payloads", type=int, default=200)
    p.add_argument("--seed", type=int, default=18)
    p.add_argument("--port", type=int, default=18318)
    p.add_argument("--full", action="store_true",
                   help="every #18 run at the issue's size, one table (bench/chaos_full.py; ~35 minutes)")
    args = p.parse_args()
    if args.full:
        return subprocess.call([sys.executable, str(Path(__file__).with_name("chaos_full.py"))])
    with work_folder("gridline-chaos-") as work:
        admin = secrets.token_urlsafe(24)
        env = gridline_env({"DATABASE_URL": f"sqlite://{work / 'chaos.sqlite3'}", "ADMIN_TOKEN": admin,
                            "MODE": "sandbox"})
        load_demo(env, work, work / "server.log")
        tokens = {"admin": admin, "nanao": cli(env, work, "user", "add", "--role", "dispatcher", "--name", "南澳",
                                               "--grid", NANAO),
                  "kuiyong": cli(env, work, "user", "add", "--role", "dispatcher", "--name", "葵涌", "--grid", KUIYONG)}
        keys = {"public": cli(env, work, "apikey", "add", "--name", "chaos-public")}
        server = Server("gridline", gridline_argv(["serve", "--port", str(args.port)]), env, work, args.port,
                        work / "server.log")
        server.start()
        tally = Tally()
        try:
            asyncio.run(server.wait_ready())
            asyncio.run(attack(f"http://127.0.0.1:{args.port}", tokens, keys, args.payloads, args.seed, tally))
        finally:
            server.stop()
        leaks = (work / "server.log").read_text(errors="replace").count(SECRET[:20])
    print(json.dumps({"payloads_tried": tally.tried, "5xx": tally.fivexx, "idor": tally.idor, "log_leaks": leaks,
                      "longest_healthz_stall_s": round(tally.stall, 3)}, ensure_ascii=False))
    return 1 if tally.fivexx or tally.idor or leaks or tally.stall >= 1.0 else 0


if __name__ == "__main__":
    sys.exit(main())
