"""``gridline alerts replay``: a typhoon best track → the alerts the grids would have received (report or sandbox)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bot.settings import Mode, Settings
from intake.alerts.area import Area
from intake.alerts.replay import Step, TrackPoint, closest, read_track, replay, storms
from intake.alerts.service import AlertDraft
from intake.alerts.signals import COLOUR_ZH, catalogue
from intake.errors import DomainError
from intake.grid.index import GridIndex

BEIJING = timezone(timedelta(hours=8))


def register(sub: Any) -> None:
    alerts = sub.add_parser("alerts", help="weather alerts").add_subparsers(dest="alerts_command", required=True)
    rp = alerts.add_parser("replay", help="replay a typhoon best track over the grid (nothing is sent)")
    rp.add_argument("--track", required=True, type=Path, help="best-track CSV (time_utc, lat, lon, max_wind_ms)")
    rp.add_argument("--radius-km", required=True, type=float, help="cells within this distance of the centre")
    rp.add_argument("--district", default="", help="only cells under this region code (e.g. 440307)")
    rp.add_argument("--storm", default=None, help="name_en of one storm in the file (default: every storm)")
    out = rp.add_mutually_exclusive_group()
    out.add_argument("--out", type=Path, default=None, help="write the Markdown report here (default: stdout)")
    out.add_argument("--sandbox", action="store_true", help="issue the alerts into the sandbox database")


async def run(settings: Settings, args: argparse.Namespace) -> int:
    from intake.grid.store import GridService
    from intake.store import db

    if args.sandbox and settings.effective_mode is not Mode.SANDBOX:
        print("gridline: --sandbox is refused outside sandbox mode", file=sys.stderr)
        return 2
    try:
        tracks = storms(read_track(args.track.read_bytes()))
    except (OSError, DomainError) as exc:
        print(f"gridline: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    if args.storm is not None:
        tracks = {k: v for k, v in tracks.items() if k.lower() == args.storm.lower()}
        if not tracks:
            print(f"gridline: no storm {args.storm!r} in {args.track}", file=sys.stderr)
            return 2
    await db.migrate(settings.database_url)
    await db.open_db(settings.database_url)
    try:
        grid = await GridService.from_db()
        try:
            runs = {name: replay(track, grid.index, args.radius_km, args.district) for name, track in tracks.items()}
        except DomainError as exc:
            print(f"gridline: {exc.message}", file=sys.stderr)
            return 2
        if args.sandbox:
            return await _into_sandbox(settings, grid, runs, args)
        text = "\n".join(report(name, tracks[name], steps, grid.index, args.radius_km, args.district)
                         for name, steps in runs.items())
        if args.out:
            args.out.write_text(text, encoding="utf-8")
            print(f"wrote {args.out}: {sum(len(s) for s in runs.values())} messages")
        else:
            print(text)
        return 0
    finally:
        await db.close_db()


def report(name: str, track: list[TrackPoint], steps: list[Step], index: GridIndex, radius_km: float,
           district: str) -> str:
    km, fix = closest(track, index, district)
    cells = sum(1 for c in index.leaves if c.code.startswith(district))
    lines = [f"# Typhoon replay: {track[0].storm}" if name else "# Typhoon replay", "",
             f"- cells: {cells} leaves under {district or 'every region'}; radius {radius_km:g} km",
             f"- closest fix: {km:.0f} km at {fix.at:%Y-%m-%d %H:%M} UTC, {fix.wind:g} m/s",
             f"- messages: {len(steps)} (hourly interpolated track; nothing was sent)", "",
             "| time (UTC) | time (Beijing) | message | signal | cells by colour | centre distance km | wind m/s |",
             "|---|---|---|---|---|---|---|"]
    for s in steps:
        signal = f"台风{COLOUR_ZH[s.colour]}预警" if s.colour else "解除"
        counts = ", ".join(f"{c} {len(v)}" for c, v in s.cells.items()) or "—"
        lines.append(f"| {s.at:%Y-%m-%d %H:%M} | {s.at.astimezone(BEIJING):%m-%d %H:%M} | {s.msg_type} | {signal} "
                     f"| {counts} | {s.nearest_km:g} | {s.wind:g} |")
    return "\n".join(lines) + "\n"


def drafts(name: str, steps: list[Step], radius_km: float, district: str) -> list[AlertDraft]:
    """The steps as alert messages (one alert per storm, updated as the colour or the area changes)."""
    typhoon = catalogue().find("台风")
    first = f"replay-{name}-{district or 'all'}-{radius_km:g}km-{steps[0].at:%Y%m%d%H}" if steps else ""
    out = []
    for s in steps:
        colour = s.colour or "blue"
        cells = tuple(c for codes in s.cells.values() for c in codes)
        ident = first if s.msg_type == "Alert" else f"{first}-{s.msg_type.lower()}-{s.at:%Y%m%d%H}"
        title = f"台风{name}{COLOUR_ZH[colour]}预警（回放）" if s.colour else f"台风{name}预警解除（回放）"
        out.append(AlertDraft(identifier=ident, sender="gridline replay", source="replay", msg_type=s.msg_type,
                              signal=typhoon, colour=colour, event=typhoon.name_zh,
                              headline=title,
                              message=typhoon.criteria.get(colour, ""), guidance=None, area=Area(grids=cells),
                              sent_at=s.at, references=() if s.msg_type == "Alert" else (first,)))
    return out


async def _into_sandbox(settings: Settings, grid: Any, runs: dict[str, list[Step]], args: argparse.Namespace) -> int:
    from bot.alerts import policy_of
    from intake.alerts.service import AlertService
    from notify.recording import RecordingNotifier

    class _Clock:
        now: datetime = datetime.now(UTC)

        def __call__(self) -> datetime:
            return self.now

    clock, sent = _Clock(), RecordingNotifier(maxlen=1_000_000)
    service = AlertService(grid, sent, clock, policy_of(settings.alerts), catalogue())
    for name, steps in runs.items():
        for draft in drafts(name, steps, args.radius_km, args.district):
            clock.now = draft.sent_at
            outcome = await service.receive(draft)
            print(f"{draft.sent_at:%Y-%m-%d %H:%M}Z {draft.msg_type:6} alert {outcome.alert_id} {outcome.action}: "
                  f"{outcome.cells} cells, {outcome.residents} residents")
    print(f"recorded {len(sent.sent)} notifications (not sent)")
    return 0
