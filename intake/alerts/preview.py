"""What an alert would do, before it is sent: the cells, the residents by binding and channel, the WeCom
groups, and what quiet hours hold back until when. Nothing is written.

The same bindings as :mod:`intake.alerts.targeting` (one resident counted once, under the first binding
that finds them, in its order: alert place, home grid, recent report, last location), read instead of
inserted, so the preview's count is the count the send reports.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tortoise.expressions import Q

from intake.alerts import scope, targeting
from intake.alerts.service import AlertDraft, AlertService
from intake.cases.model import Actor
from intake.store.models import AlertPlace, Case, Resident
from intake.store.models_outbox import GridGroup

BINDINGS = ("place", "home", "report", "location")
CHUNK = 500  # codes per IN list (SQLite's bound-variable limit)


@dataclass(frozen=True, slots=True)
class Preview:
    cells: list[str]
    residents: int
    by_binding: dict[str, int]
    by_channel: dict[str, int]
    per_cell: dict[str, int]
    groups: list[str]  # the WeCom groups (grid or region codes) the cells' cards go to
    no_group: list[str]  # cells whose card has no group to go to
    test: bool
    staff: list[str] = field(default_factory=list)  # a test's recipients: the test group or the streets
    held_until: datetime | None = None  # quiet hours hold the messages until then


async def preview(service: AlertService, draft: AlertDraft, author: Actor | None = None) -> Preview:
    """The alert ``draft`` as it would be sent now by ``author`` (held to their area, as a send is)."""
    cells = await service.areas.cells(draft.area)
    scope.check_cells(author, cells)
    now = service.clock()
    held = None if draft.colour == "red" else service.policy.quiet.release(now)
    groups, bare = await _groups(service, cells)
    if not draft.deliver:
        staff = [service.policy.test_group] if service.policy.test_group else sorted({c[:9] for c in cells})
        return Preview(cells, 0, {}, {}, {}, [], [], True, staff, None)
    found = await _bound(service, cells, now, draft.colour == "red")
    return Preview(cells, len(found), dict(Counter(b for b, _ in found.values())),
                   dict(Counter(ch for ch, _ in found)), dict(Counter(c for _, c in found.values())),
                   groups, bare, False, [], held)


async def _bound(service: AlertService, cells: list[str], now: datetime,
                 red: bool) -> dict[tuple[str, str], tuple[str, str]]:
    """(channel, external id) → (binding, cell), first binding wins; the unsubscribed left out, and below red
    those who turned alerts off."""
    found: dict[tuple[str, str], tuple[str, str]] = {}
    since = now - timedelta(days=service.policy.recent_report_days)
    for start in range(0, len(cells), CHUNK):
        part = cells[start:start + CHUNK]
        rows = [("place", targeting.MP_CHANNEL, o, g) for o, g in
                await AlertPlace.filter(grid_code__in=part).values_list("openid", "grid_code")]
        rows += [("home", ch, ext, g) for ch, ext, g in
                 await Resident.filter(home_grid__in=part).values_list("channel", "external_id", "home_grid")]
        rows += [("report", ch, ext, g) for ch, ext, g in
                 await Case.filter(grid_code__in=part, opened_at__gte=since, channel__in=targeting.RESIDENT_CHANNELS)
                 .values_list("channel", "reporter", "grid_code")]
        for binding, ch, ext, grid in sorted(rows, key=lambda r: BINDINGS.index(r[0])):
            had = found.get((str(ch), str(ext)))  # the first binding names it, the lowest cell holds it (as in SQL)
            found[(str(ch), str(ext))] = (binding, str(grid)) if had is None else (had[0], min(had[1], str(grid)))
    located = await targeting.located_in(service.grid.index, set(cells), service.policy, now, red)
    for ch, ext, grid in located:
        found.setdefault((ch, ext), ("location", grid))
    off = Q(subscribed=False) if red else Q(subscribed=False) | Q(alerts_muted=True)
    gone = set(await Resident.filter(off).values_list("channel", "external_id"))
    return {who: how for who, how in found.items() if who not in gone}


async def _groups(service: AlertService, cells: list[str]) -> tuple[list[str], list[str]]:
    """The group each cell's card goes to (its own, else the nearest region's above), and cells with none."""
    have = {str(code) for code in await GridGroup.all().values_list("grid_code", flat=True)}
    used: set[str] = set()
    bare: list[str] = []
    for code in cells:
        own = next((c for c in service.grid.ancestors(code) if c in have), None)
        if own is None:
            bare.append(code)
        else:
            used.add(own)
    return sorted(used), bare
