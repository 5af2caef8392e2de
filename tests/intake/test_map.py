"""The map's domain queries: cells per view and scope, the heat map's two forms agreeing, polygons vetted."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from intake.cases.intake import open_case
from intake.cases.model import Actor, NewReport
from intake.cases.states import Role
from intake.errors import Invalid
from intake.grid.model import Datum
from intake.map.cells import MAX_CELLS, Box, layers_for
from intake.map.inside import cases_inside, vet
from intake.map.points import HeatQuery, heat, heat_json
from tests.conftest import Services
from tests.intake.test_cases_lifecycle import leaf_point

ADMIN = Actor("user:admin", "admin", Role.ADMIN)


async def test_cells_follow_the_zoom_and_the_scope(svc: Services) -> None:
    layers = layers_for(svc.ctx.grid.index)
    assert layers is layers_for(svc.ctx.grid.index)  # built once per grid
    world = Box(-180, -90, 180, 90)
    far = layers.view(ADMIN, world, 9, Datum.WGS84)
    assert far["level"] == "street" and 0 < len(far["cells"]) <= MAX_CELLS
    code, lng, lat = leaf_point(svc, 21)
    near = layers.view(ADMIN, Box(lng - 0.002, lat - 0.002, lng + 0.002, lat + 0.002), 17, Datum.WGS84)
    assert near["level"] == "responsibility" and code in [c["c"] for c in near["cells"]]
    street = Actor("user:s", "s", Role.DISPATCHER, (code[:9],), 1)
    mine = layers.view(street, world, 9, Datum.WGS84)
    assert [c["c"] for c in mine["cells"]] == [code[:9]]
    shifted = layers.view(street, world, 9, Datum.GCJ02)["cells"][0]["g"][0][0]
    plain = mine["cells"][0]["g"][0][0]
    assert 0.001 < abs(shifted[1] - plain[1]) < 0.01  # GCJ-02 moves a Shenzhen point by a few hundred metres


async def test_heat_json_is_heat_and_polygons_are_vetted(svc: Services, uid: str) -> None:
    _, lng, lat = leaf_point(svc, 21)
    for n in range(3):
        await open_case(svc.ctx, NewReport("test", f"{uid}-{n}", "路灯坏了晚上很黑", lng, lat))
    query = HeatQuery(svc.clock.now - timedelta(days=1))
    listed = await heat(ADMIN, query, Datum.WGS84)
    assert sorted(map(tuple, json.loads(await heat_json(ADMIN, query, Datum.WGS84)))) == sorted(map(tuple, listed))
    assert any(p[2] >= 3 and abs(p[0] - lat) < 0.001 for p in listed)
    outsider = Actor("user:o", "o", Role.DISPATCHER, ("440307999",), 2)
    # (a dispatcher also sees unplaced cases, and other tests leave some with a point outside the district)
    assert not [p for p in await heat(outsider, query, Datum.WGS84) if abs(p[0] - lat) < 0.01]
    assert not [p for p in json.loads(await heat_json(outsider, query, Datum.WGS84)) if abs(p[0] - lat) < 0.01]
    d = 0.001
    ring = [(lng - d, lat - d), (lng + d, lat - d), (lng + d, lat + d), (lng - d, lat + d)]
    count, found = await cases_inside(svc.ctx, ADMIN, ring)
    assert count >= 3 and len(found) == min(count, 1000)
    assert (await cases_inside(svc.ctx, outsider, ring))[0] == 0
    for bad in ([(0.0, 0.0), (1.0, 1.0)], [(114.0, 22.0), (117.0, 22.0), (117.0, 25.0)],
                [(114.2, 22.5), (114.3, 22.6), (114.3, 22.5), (114.2, 22.6)], [(float("nan"), 1.0)] * 3):
        with pytest.raises(Invalid):
            vet(bad)
