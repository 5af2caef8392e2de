"""Every #18 run at the issue's size, one after another, and one table of what they found.

``bench/chaos.py --full`` (or this script) runs, each as its own process on its own database and Redis:

* the attacks (``chaos.py``): payloads tried / 5xx / IDOR / log leaks / longest ``/healthz`` stall;
* kill -9 during 10,000 triple-delivered conversations (``kill9.py``, 4 rounds of 2,500 on fresh databases);
* Redis down 60 s at 50 callbacks/s (``redis_outage.py``): refused, lost, stored twice, the outbox's drain;
* a 10 s PostgreSQL restart (``pg_restart.py``): lost, answered 200 while down, stored twice;
* two web processes and two senders, one of each killed (``chaos_procs.py``).

It prints each run's figures that carry a goal, and exits 1 when any run missed one (each run's own exit).
About 35 minutes on 2 cores; ``--quick`` runs every part at a small size (~6 minutes).

    PYTHONPATH=$PWD .venv/bin/python bench/chaos_full.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
FULL: dict[str, list[str]] = {
    "attacks": ["chaos.py", "--payloads", "2000"],
    "kill -9": ["kill9.py", "--rounds", "4", "--conversations", "2500", "--kills", "12", "--span", "250",
                "--settle", "40"],
    "Redis outage": ["redis_outage.py", "--rate", "50", "--before", "10", "--outage", "60", "--after", "20"],
    "PostgreSQL restart": ["pg_restart.py", "--rate", "10", "--before", "5", "--outage", "10", "--after", "15"],
    "2 web + 2 senders": ["chaos_procs.py"],
}
QUICK: dict[str, list[str]] = {
    "attacks": ["chaos.py", "--payloads", "200"],
    "kill -9": ["kill9.py", "--conversations", "300", "--kills", "4", "--span", "90", "--settle", "30"],
    "Redis outage": ["redis_outage.py", "--rate", "20", "--before", "5", "--outage", "15", "--after", "15"],
    "PostgreSQL restart": FULL["PostgreSQL restart"],
    "2 web + 2 senders": ["chaos_procs.py", "--conversations", "60", "--background", "600"],
}
GOAL_LINE = re.compile(r"^\s+(\S.*\(goal[^)]*\))\s+(.+)$")  # chaos_procs.py's verdict lines
NAMED = ("payloads_tried", "5xx", "idor", "log_leaks", "longest_healthz_stall_s", "longest_healthz_s", "answered_200",
         "messages_sent", "messages", "conversations", "rounds")


def figures(out: str) -> dict[str, object]:
    """The figures with a goal (and the sizes) from a run's output: its JSON lines (the last one wins, a
    multi-round total after the rounds) and its verdict lines."""
    found: dict[str, object] = {}
    for line in out.splitlines():
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except ValueError:
                continue
            found.update({k: v for k, v in data.items() if "goal" in k or k in NAMED})
        elif match := GOAL_LINE.match(line):
            found[match.group(1)] = match.group(2).strip()
    return found


def run(name: str, argv: list[str]) -> tuple[int, dict[str, object], float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(BENCH / argv[0]), *argv[1:]], capture_output=True, text=True,
                          cwd=BENCH.parent)
    if done.returncode not in (0, 1):  # 1: a goal missed, said in the figures; anything else: the run broke
        print(f"{name}: exit {done.returncode}\n{done.stderr[-2000:]}", file=sys.stderr)
    return done.returncode, figures(done.stdout), time.monotonic() - started


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="every part at a small size")
    p.add_argument("--only", default="", help="comma-separated part names (as printed) to run")
    args = p.parse_args()
    parts = QUICK if args.quick else FULL
    chosen = [n for n in parts if not args.only or n in args.only.split(",")]
    failed = 0
    for name in chosen:
        code, found, seconds = run(name, parts[name])
        failed += code != 0
        print(f"== {name} ({' '.join(parts[name])}): {'meets every goal' if code == 0 else 'MISSES'}"
              f" in {seconds:.0f} s", flush=True)
        for key, value in found.items():
            print(f"   {key:48s} {value}", flush=True)
    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
