"""The worker pages' settings: the link key stays secret, a missing one is random and said so."""

from __future__ import annotations

import logging

import pytest

from bot.settings import SettingsError, load_settings
from bot.worker.config import WorkerConfig

SECRET = "worker-link-secret-0009-abcdef"


def test_the_link_secret_never_shows_and_https_makes_cookies_secure() -> None:
    s = load_settings({"GRIDLINE_WORKER_LINK_SECRET": SECRET, "GRIDLINE_PUBLIC_URL": "https://grid.example.org",
                       "GRIDLINE_WORKER_SESSION_IDLE_MINUTES": "30"})
    config = WorkerConfig.of(s.worker)
    for text in (repr(s), str(s), repr(s.worker), s.worker.model_dump_json(), repr(config)):
        assert SECRET not in text
    assert config.link_key == SECRET.encode() and config.secure_cookies
    assert config.session_idle.total_seconds() == 30 * 60
    assert not WorkerConfig.of(load_settings({}).worker).secure_cookies


def test_without_a_secret_each_start_has_its_own_random_key(caplog: pytest.LogCaptureFixture) -> None:
    section = load_settings({}).worker
    with caplog.at_level(logging.WARNING, logger="gridline.worker"):
        first, second = WorkerConfig.of(section), WorkerConfig.of(section)
    assert first.link_key != second.link_key and len(first.link_key) == 32
    assert "GRIDLINE_WORKER_LINK_SECRET" in caplog.text


@pytest.mark.parametrize("name,value", [("GRIDLINE_WORKER_LINK_TTL_HOURS", "0"),
                                        ("GRIDLINE_WORKER_SESSION_IDLE_MINUTES", "-5")])
def test_nonsense_durations_are_refused(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})
