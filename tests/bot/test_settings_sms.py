"""SMS settings: a provider needs its credentials, signature and template; the key never shows."""

from __future__ import annotations

import dataclasses

import pytest

from bot.settings import SettingsError, load_settings
from notify.channels.sms import SmsChannel
from notify.http import Http
from notify.tokens import MemoryTokenStore
from notify.types import ChannelName
from outbox import runner
from outbox.runner import live_channels

TENCENT = {"GRIDLINE_SMS_PROVIDER": "tencent", "GRIDLINE_SMS_SECRET_ID": "AKIDexample",
           "GRIDLINE_SMS_SECRET_KEY": "sms-key-hunter2", "GRIDLINE_SMS_SIGN_NAME": "网格通",
           "GRIDLINE_SMS_APP_ID": "1400000001", "GRIDLINE_SMS_TEMPLATE_ID": "1001"}


def test_no_provider_no_channel() -> None:
    assert load_settings({}).outbox.sms is None


@pytest.mark.parametrize("missing", ["GRIDLINE_SMS_SECRET_KEY", "GRIDLINE_SMS_APP_ID", "GRIDLINE_SMS_TEMPLATE_ID",
                                     "GRIDLINE_SMS_SIGN_NAME"])
def test_a_provider_without_what_it_needs_fails_at_start_naming_it(missing: str) -> None:
    with pytest.raises(SettingsError, match=missing):
        load_settings({k: v for k, v in TENCENT.items() if k != missing})


def test_aliyun_needs_no_app_id_and_an_unknown_provider_is_refused() -> None:
    aliyun = {**{k: v for k, v in TENCENT.items() if k != "GRIDLINE_SMS_APP_ID"}, "GRIDLINE_SMS_PROVIDER": "aliyun"}
    assert load_settings(aliyun).outbox.sms is not None
    with pytest.raises(SettingsError, match="GRIDLINE_SMS_PROVIDER"):
        load_settings({**TENCENT, "GRIDLINE_SMS_PROVIDER": "twilio"})


async def test_the_key_stays_secret_and_the_live_sender_gets_the_channel() -> None:
    settings = load_settings({**TENCENT, "GRIDLINE_OUTBOUND": "live"})
    sms = settings.outbox.sms
    assert sms is not None and sms.account().secret_key == "sms-key-hunter2"
    for shown in (repr(settings), str(settings), repr(settings.outbox), repr(sms), repr(sms.account())):
        assert "hunter2" not in shown
    with pytest.raises(dataclasses.FrozenInstanceError):
        sms.template_id = "other"  # type: ignore[misc]
    http = Http()
    try:
        assert isinstance(live_channels(settings.outbox, http, MemoryTokenStore())[ChannelName.SMS], SmsChannel)
    finally:
        await http.close()


async def test_sms_surveys_need_the_template_and_the_uplink_secret_and_reach_the_router() -> None:
    full = {**TENCENT, "GRIDLINE_SMS_SURVEY_TEMPLATE_ID": "1003", "GRIDLINE_SMS_UPLINK_SECRET": "u" * 16,
            "GRIDLINE_PHOTO_LINK_SECRET": "p" * 32}
    settings = load_settings(full)
    assert settings.sms_surveys and settings.surveys.texted == frozenset({"phone", "hotline"})
    assert "u" * 16 not in repr(settings)
    built = runner.build(settings.outbox)
    try:
        config = built.store.router.config
        assert (config.sms_survey_template, config.sms_template) == ("1003", "1001")
        assert config.photo_link_key == settings.outbox.photo_link_key is not None
    finally:
        await built.close()
    for missing in ("GRIDLINE_SMS_SURVEY_TEMPLATE_ID", "GRIDLINE_SMS_UPLINK_SECRET"):
        partial = load_settings({k: v for k, v in full.items() if k != missing})
        assert not partial.sms_surveys and partial.surveys.texted == frozenset()
    with pytest.raises(SettingsError, match="SMS_UPLINK_SECRET"):
        load_settings({**full, "GRIDLINE_SMS_UPLINK_SECRET": "short"})
