"""Typhoon replay of 2023 苏拉 (SAOLA) over 大鹏新区 (440307)."""

from __future__ import annotations

import pytest

from intake.alerts.replay import hourly, read_track, replay, storms
from intake.errors import Invalid
from tests.conftest import Services, shared_data

TRACK = "typhoon/cma_bst_2023_saola_haikui_koinu.csv"
ORDER = ["blue", "yellow", "orange", "red"]


def test_track_file() -> None:
    tracks = storms(read_track(shared_data(TRACK).read_bytes()))
    assert {k: len(v) for k, v in tracks.items()} == {"SAOLA": 56, "HAIKUI": 91, "KOINU": 48}
    saola = hourly(tracks["SAOLA"])
    assert len(saola) == (tracks["SAOLA"][-1].at - tracks["SAOLA"][0].at).total_seconds() // 3600 + 1


def test_saola_over_dapeng(services: Services) -> None:
    track = storms(read_track(shared_data(TRACK).read_bytes()))["SAOLA"]
    steps = replay(track, services.ctx.grid.index, 150, "440307")
    assert steps[0].msg_type == "Alert" and steps[-1].msg_type == "Cancel" and steps[-1].colour is None
    assert all(s.msg_type == "Update" for s in steps[1:-1])
    tops = [s.colour for s in steps[:-1]]
    assert "red" in tops and tops.index("red") > tops.index("orange")  # it strengthens as 苏拉 comes near
    # Red comes at most 6 h before the centre is within the radius with ≥ 32.7 m/s (the red lead time).
    first_red = next(s for s in steps if s.colour == "red")
    assert first_red.at.isoformat() < "2023-09-01T12:00:00+00:00"
    assert all(s.at.year == 2023 for s in steps)
    assert sum(len(v) for v in steps[-2].cells.values()) > 0


def test_small_radius_far_storm_gives_nothing(services: Services) -> None:
    track = storms(read_track(shared_data(TRACK).read_bytes()))["KOINU"]
    assert replay(track, services.ctx.grid.index, 5, "440307") == []


@pytest.mark.parametrize("data", [b"", b"a,b\n1,2\n", b"time_utc,lat,lon,max_wind_ms\nnow,1,2,3\n",
                                  b"time_utc,lat,lon,max_wind_ms\n2023-01-01T00:00:00Z,95,2,3\n",
                                  b"\xff\xfe", b"time_utc,lat,lon,max_wind_ms\n"])
def test_bad_tracks(data: bytes) -> None:
    with pytest.raises(Invalid):
        read_track(data)


def test_bad_radius_and_district(services: Services) -> None:
    track = storms(read_track(shared_data(TRACK).read_bytes()))["SAOLA"]
    with pytest.raises(Invalid):
        replay(track, services.ctx.grid.index, 0, "440307")
    with pytest.raises(Invalid):
        replay(track, services.ctx.grid.index, 100, "999999")
