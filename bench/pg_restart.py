"""WeChat callbacks through a PostgreSQL outage: refused with a retryable status, stored after (#18).

``gridline serve`` on a PostgreSQL cluster of the bench's own (``initdb`` into a temporary folder with the
machine's binaries, its own port; never the shared server) and a redis-server of its own. Each message is a
new resident's complaint, delivered as WeChat delivers: once, and again when the answer is not 200 or does
not come within 5 s, at most three tries about 5 s apart. The cluster is stopped ``--before`` seconds in
(``pg_ctl stop -m immediate``: what a crash leaves) and started again ``--outage`` seconds later.

Prints beside the goals: lost (answered 200, never stored) 0; answered 200 while the database was down
(nothing can have been stored then) 0; stored twice 0; and, for the record, the statuses the outage's
deliveries got and the messages that failed all three tries (WeChat drops those: an outage longer than
its retries loses them, whatever the server does).

    PYTHONPATH=$PWD .venv/bin/python bench/pg_restart.py --rate 10 --before 5 --outage 10 --after 15
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp
import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.callback_servers import callback_env
from bench.callback_workload import ACCOUNT, APPID, TOKEN, Keys
from bench.harness import Server, gridline_argv, load_demo, work_folder
from bench.texts import COMPLAINTS
from tests.bot.test_storage_fallback import OwnRedis
from tests.bot.wechat import signing

TRIES, TRY_EVERY = 3, 5.0  # WeChat: an answer within 5 s, else again; three tries in all


class OwnCluster:
    """A PostgreSQL cluster in a temporary folder, run as the ``postgres`` user (initdb refuses root)."""

    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not binaries:
            raise SystemExit("no PostgreSQL binaries under /usr/lib/postgresql/*/bin")
        self.bin, self.home = Path(binaries[-1]), Path(tempfile.mkdtemp(prefix="gridline-pg-"))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"postgres://postgres@127.0.0.1:{self.port}"
        shutil.chown(self.home, "postgres")
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.home / "data"), "-A", "trust", "-U", "postgres")

    def _as_postgres(self, *argv: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *argv], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.STDOUT)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c shared_buffers=32MB"
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.home / "data"), "-l", str(self.home / "log"),
                          "-o", options, "-w", "start")

    def stop(self) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.home / "data"), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        if (self.home / "data" / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


class Tally:
    def __init__(self) -> None:
        self.sent, self.dropped, self.answered = 0, 0, set[str]()
        self.during: Counter[int] = Counter()  # statuses of tries made while the database was down
        self.ok_while_down: list[str] = []  # 200 answers given while the database was down
        self.tries: Counter[int] = Counter()  # tries a message needed to get its 200


async def deliver(session: aiohttp.ClientSession, base: str, n: int, tag: str, tally: Tally,
                  down: list[float]) -> None:
    openid, msg_id = f"oPg{tag}{n:07d}", f"{int(tag, 16)}{n:07d}"
    xml = signing.message_xml({"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": int(time.time()),
                               "MsgType": "text", "Content": COMPLAINTS[n % len(COMPLAINTS)], "MsgId": msg_id})
    tally.sent += 1
    for attempt in range(1, TRIES + 1):
        began = time.monotonic()
        req = signing.plain_request(Keys(TOKEN, APPID), xml, timestamp=int(time.time()), nonce=f"p{msg_id}")
        status = await _post(session, base, req)
        ended = time.monotonic()
        if down and began >= down[0] and (len(down) == 1 or ended <= down[1]):  # wholly inside the outage
            tally.during[status] += 1
            if status == 200:  # nothing could be stored: an acknowledgement that may be a loss
                tally.ok_while_down.append(f"msg:{msg_id}")
        if status == 200:
            tally.answered.add(f"msg:{msg_id}")
            tally.tries[attempt] += 1
            return
        await asyncio.sleep(max(0.0, began + TRY_EVERY - time.monotonic()))
    tally.dropped += 1


async def _post(session: aiohttp.ClientSession, base: str, req: signing.SignedRequest) -> int:
    try:
        async with session.post(base + "/wechat", params=req.query, data=req.body,
                                timeout=aiohttp.ClientTimeout(total=TRY_EVERY)) as resp:
            await resp.read()
            return resp.status
    except (aiohttp.ClientError, TimeoutError):
        return 0  # no answer within 5 s: WeChat tries again


async def traffic(base: str, args: argparse.Namespace, tag: str, tally: Tally, cluster: OwnCluster) -> None:
    down: list[float] = []  # when the database stopped, and when it answered again
    async with aiohttp.ClientSession() as session:
        started, n, pending = time.monotonic(), 0, set()
        seconds = args.before + args.outage + args.after
        while (elapsed := time.monotonic() - started) < seconds:
            if not down and elapsed >= args.before:
                await asyncio.to_thread(cluster.stop)
                down.append(time.monotonic())
            if len(down) == 1 and elapsed >= args.before + args.outage:
                await asyncio.to_thread(cluster.start)
                down.append(time.monotonic())
            pending.add(asyncio.create_task(deliver(session, base, n, tag, tally, down)))
            n += 1
            await asyncio.sleep(max(0.0, started + n / args.rate - time.monotonic()))
        await asyncio.gather(*pending)


async def stored(url: str, tag: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT dedup_key FROM inbound_messages WHERE external_id LIKE $1", f"oPg{tag}%")
        return [r["dedup_key"] for r in rows]
    finally:
        await conn.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=float, default=10.0)
    p.add_argument("--before", type=float, default=5.0)
    p.add_argument("--outage", type=float, default=10.0)
    p.add_argument("--after", type=float, default=15.0)
    p.add_argument("--port", type=int, default=18321)
    p.add_argument("--keep", action="store_true", help="keep the work folder (server.log)")
    args = p.parse_args()
    if os.geteuid() != 0 and shutil.which("runuser") is None:
        raise SystemExit("needs root (runuser) to run initdb as the postgres user")
    tag, redis, tally, cluster = f"{int(time.time()) % 36**4:04x}", OwnRedis(), Tally(), OwnCluster()
    try:
        cluster.start()
        redis.start()
        url = f"{cluster.url}/postgres"
        with work_folder("gridline-pgrestart-", keep=args.keep) as work:
            env = callback_env(url, redis.url, "WARNING")
            load_demo(env, work, work / "server.log")
            server = Server("gridline", gridline_argv(["serve", "--host", "127.0.0.1", "--port", str(args.port)]),
                            env, work, args.port, work / "server.log")
            server.start()
            try:
                asyncio.run(server.wait_ready())
                asyncio.run(traffic(f"http://127.0.0.1:{args.port}", args, tag, tally, cluster))
                keys = asyncio.run(stored(url, tag))
            finally:
                server.stop()
    finally:
        redis.kill()
        cluster.remove()
    figures = {"rate_per_s": args.rate, "outage_s": args.outage, "messages": tally.sent,
               "lost (goal 0)": len(tally.answered - set(keys)),
               "answered_200_while_down (goal 0)": len(tally.ok_while_down),
               "stored_twice (goal 0)": len(keys) - len(set(keys)),
               "statuses_during_outage": dict(tally.during), "tries_to_200": dict(sorted(tally.tries.items())),
               "failed_all_tries": tally.dropped, "stored": len(set(keys))}
    print(json.dumps(figures, ensure_ascii=False))
    return 1 if figures["lost (goal 0)"] or figures["answered_200_while_down (goal 0)"] \
        or figures["stored_twice (goal 0)"] else 0


if __name__ == "__main__":
    sys.exit(main())
