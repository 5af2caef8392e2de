"""What bench/callback.py prints: each server's figures, the summary table and the goals."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench import harness
from bench.loadloops import Result

GOAL_VS_LIMIT = 0.5
GOAL_VS_PEER = 3.0
GOAL_P99_MS = 50.0


@dataclass
class Plan:
    """How each server is measured (bench/callback.py's arguments)."""

    concurrency: int
    warmup: int
    seconds: float
    max_requests: int
    rate: float
    open_seconds: float
    server_core: int
    load_core: int


@dataclass
class Figure:
    """One server's two measurements."""

    name: str
    closed: Result
    opened: Result


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
    title = (f"== gridline CPU profile (whole server life: start-up, warm-up, ~{measured_requests:,} measured "
             "callbacks; CPU time, not wall time)")
    harness.print_profile(path, title, 30, 60)
