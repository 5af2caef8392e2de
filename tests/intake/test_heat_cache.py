"""The kept heat map: served again while nothing changes, recomputed after any case does, never another
scope's or group's answer."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from intake.cases.intake import open_case
from intake.cases.model import Actor, NewReport
from intake.cases.states import Role
from intake.grid.model import Datum
from intake.map import heatcache
from intake.map.points import HeatQuery, heat_json
from tests.conftest import Services
from tests.intake.test_cases_lifecycle import leaf_point

ADMIN = Actor("user:admin", "admin", Role.ADMIN)


async def test_kept_until_a_case_changes(svc: Services, uid: str, monkeypatch: pytest.MonkeyPatch) -> None:
    heatcache.forget()
    computed: list[HeatQuery] = []

    async def counting(actor: Actor, query: HeatQuery, datum: Datum) -> str:
        computed.append(query)
        return await heat_json(actor, query, datum)
    monkeypatch.setattr(heatcache, "heat_json", counting)
    _, lng, lat = leaf_point(svc, 21)
    await open_case(svc.ctx, NewReport("test", f"{uid}-0", "路灯坏了晚上很黑", lng, lat))
    query = HeatQuery(svc.clock.now - timedelta(days=1))
    first = await heatcache.cached_heat_json(ADMIN, query, Datum.WGS84)
    assert await heatcache.cached_heat_json(ADMIN, query, Datum.WGS84) == first and len(computed) == 1
    mark = await heatcache.change_mark()
    await open_case(svc.ctx, NewReport("test", f"{uid}-1", "路灯坏了晚上很黑", lng, lat))
    assert await heatcache.change_mark() != mark
    second = await heatcache.cached_heat_json(ADMIN, query, Datum.WGS84)
    assert len(computed) == 2 and second == await heat_json(ADMIN, query, Datum.WGS84)
    here = [p for p in json.loads(second) if abs(p[0] - lat) < 0.0006 and abs(p[1] - lng) < 0.0006]
    before = [p for p in json.loads(first) if abs(p[0] - lat) < 0.0006 and abs(p[1] - lng) < 0.0006]
    assert sum(p[2] for p in here) == sum(p[2] for p in before) + 1
    # Another scope, group or window is its own entry, computed for itself.
    outsider = Actor("user:o", "o", Role.DISPATCHER, ("440307999",), 2)
    assert not [p for p in json.loads(await heatcache.cached_heat_json(outsider, query, Datum.WGS84))
                if abs(p[0] - lat) < 0.01]
    await heatcache.cached_heat_json(ADMIN, HeatQuery(query.since, "99"), Datum.WGS84)
    await heatcache.cached_heat_json(ADMIN, HeatQuery(query.since - timedelta(minutes=1)), Datum.WGS84)
    assert len(computed) == 5
    heatcache.forget()
