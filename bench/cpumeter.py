"""Who used the cores during a phase: per core from /proc/stat, the server's process tree, this process."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bench.harness import cpu_seconds


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


def _server_cpu_s(pid: int) -> float:
    return cpu_seconds(pid) or 0.0  # a server that is gone used nothing more


class CpuMeter:
    """From now to ``stop``: each core's busy share, the server's (process tree) and this process's."""

    def __init__(self, server_pid: int) -> None:
        self.pid = server_pid
        self.t0 = time.perf_counter()
        self.cores0, self.server0, self.load0 = core_jiffies(), _server_cpu_s(server_pid), time.process_time()

    def stop(self) -> CpuShare:
        wall = time.perf_counter() - self.t0
        cores1 = core_jiffies()
        cores = {c: (cores1[c][0] - b0) / max(1, cores1[c][1] - t0) for c, (b0, t0) in self.cores0.items()}
        return CpuShare(cores, (_server_cpu_s(self.pid) - self.server0) / wall,
                        (time.process_time() - self.load0) / wall, wall)


def background_load() -> str:
    """Each core's busy share over the next second, and the load average: what else runs on the machine."""
    before = core_jiffies()
    time.sleep(1.0)
    after = core_jiffies()
    cores = " · ".join(f"core {c} {(after[c][0] - b) / max(1, after[c][1] - t):.0%}"
                       for c, (b, t) in sorted(before.items()))
    return f"{cores} busy; load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
