"""``gridline sender`` and ``serve --no-sender`` on the command line (the crash test runs the real process)."""

from __future__ import annotations

import pytest

from bot.cli import parser
from bot.settings import SettingsError, load_settings


def test_sender_and_no_sender_options_parse() -> None:
    args = parser().parse_args(["sender", "--consumer", "s1", "--lease", "3"])
    assert (args.command, args.consumer, args.lease) == ("sender", "s1", 3.0)
    assert parser().parse_args(["serve", "--no-sender"]).no_sender is True
    assert parser().parse_args(["serve"]).no_sender is False


def test_outbound_settings() -> None:
    s = load_settings({"GRIDLINE_OUTBOUND_RATES": "wecom_robot:*=0.33, wechat_cs=100",
                       "GRIDLINE_SMTP_URL": "smtp://u:pw-Zq81x@mail:587?starttls=1", "GRIDLINE_OUTBOUND": "blackhole"})
    assert s.outbound_rates == {"wecom_robot:*": 0.33, "wechat_cs": 100.0}
    assert s.outbox.rates == s.outbound_rates  # the per-address form (channel:*) is a known channel's
    assert "pw-Zq81x" not in repr(s) and s.outbound == "blackhole"
    for bad in ({"GRIDLINE_OUTBOUND_RATES": "wecom_robot"}, {"GRIDLINE_OUTBOUND_RATES": "x=-1"},
                {"GRIDLINE_OUTBOUND_RATES": "x=abc"}, {"GRIDLINE_OUTBOUND": "carrier-pigeon"},
                {"GRIDLINE_SENDER_CONCURRENCY": "0"}, {"GRIDLINE_DIGEST_HOUR": "24"}):
        with pytest.raises(SettingsError) as err:
            load_settings(bad)
        assert next(iter(bad)) in str(err.value)
