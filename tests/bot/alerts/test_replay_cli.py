"""``gridline alerts replay``: the report on 苏拉 over 大鹏, the sandbox drafts, bad arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.alerts.replay_cli import drafts, report
from bot.cli import main, parser
from intake.alerts.policy import AlertPolicy, QuietHours
from intake.alerts.replay import read_track, replay, storms
from intake.alerts.service import AlertService
from intake.alerts.signals import catalogue
from intake.store.models_alerts import Alert
from notify.recording import RecordingNotifier
from tests.conftest import Services, shared_data

TRACK = "typhoon/cma_bst_2023_saola_haikui_koinu.csv"


def test_arguments() -> None:
    args = parser().parse_args(["alerts", "replay", "--track", "track.csv", "--radius-km", "150",
                                "--district", "440307", "--storm", "SAOLA", "--out", "r.md"])
    assert args.radius_km == 150 and args.out == Path("r.md") and not args.sandbox
    with pytest.raises(SystemExit):
        parser().parse_args(["alerts", "replay", "--track", "x.csv", "--radius-km", "1", "--out", "a", "--sandbox"])


def test_missing_track_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDLINE_DATABASE_URL", f"sqlite://{tmp_path / 'x.sqlite3'}")
    assert main(["alerts", "replay", "--track", str(tmp_path / "none.csv"), "--radius-km", "100"]) == 2
    assert not (tmp_path / "x.sqlite3").exists()  # refused before touching a database


async def test_saola_report_and_sandbox_run(services: Services, uid: str) -> None:
    track = storms(read_track(shared_data(TRACK).read_bytes()))["SAOLA"]
    index = services.ctx.grid.index
    steps = replay(track, index, 150, "440307")
    text = report("SAOLA", track, steps, index, 150, "440307")
    assert "# Typhoon replay: SAOLA" in text and "台风红色预警" in text and "| Cancel | 解除 |" in text
    assert text.count("\n| 2023-") == len(steps)
    sent = RecordingNotifier(maxlen=500_000)
    clock = services.clock
    service = AlertService(services.ctx.grid, sent, clock, AlertPolicy(QuietHours.parse("")), catalogue())
    messages = drafts(f"SAOLA{uid}", steps, 150, "440307")
    for draft in messages:
        clock.now = draft.sent_at
        await service.receive(draft)
    alert = await Alert.get(identifier=messages[0].identifier)
    assert alert.status == "cancelled" and alert.version == len(steps) - 1 and alert.signal_code == "01"
    assert any(n.kind == "alert.cancelled" for n in sent.sent)
