"""How a resident is reached: a customer-service message inside the 48-hour window after their last message
(unless the API already refused it since then), else a subscribe credit (one is spent), else the message is
held until they next write. Residents who came by phone, hotline or Open311: an SMS to their mobile number."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import F

from intake.photos import handled
from intake.store.models import Resident, SubscriptionCredit
from intake.store.models_outbox import OutboxAttempt, OutboxMessage
from notify.store import State
from notify.types import ChannelName
from outbox import render
from outbox.phones import resident_mobile, texts_residents
from outbox.route import Route, RouteConfig, stop
from outbox.texts import Words

CS_WINDOW = timedelta(hours=48) - timedelta(minutes=5)  # a margin for clocks and queueing
HANDLED_KINDS = frozenset({"case.handle", "case.close"})  # the steps whose message may carry handled photos
SUBSCRIBE_CHANNEL = {"wechat": ChannelName.WECHAT_SUBSCRIBE, "mp": ChannelName.MP_SUBSCRIBE}  # by resident channel
SURVEY_KINDS = frozenset({"survey.request", "survey.reminder"})  # texted with the survey template: reply 1 / 2 / 3


async def route(config: RouteConfig, row: OutboxMessage, facts: render.Facts, now: datetime) -> Route:
    channel, openid = row.recipient_channel or "", row.recipient_ref
    if texts_residents(channel):
        return _sms(config, row, await resident_mobile(channel, openid), facts, Words())
    if channel not in SUBSCRIBE_CHANNEL:
        return stop(f"no outbound channel for residents of {channel!r}")
    resident = await Resident.get_or_none(channel=channel, external_id=openid)
    if resident is not None and not resident.subscribed:
        return stop("unsubscribed")
    words = Words(resident.lang if resident else "zh_CN")
    text = render.resident_text(row.kind, row.payload, facts, words)
    seen = resident.last_seen_at if resident else None
    if channel == "wechat" and seen is not None and now - seen < CS_WINDOW \
            and not await _refused_since(row.id, ChannelName.WECHAT_CS, seen):
        body = await _cs_body(config, row, text, words, now)
        return Route(State.PENDING, "cs", ChannelName.WECHAT_CS, openid, body, f"last message {seen.isoformat()}")
    template = await _spend_credit(config, openid, now)
    if template is not None:
        body = render.subscribe_body(template, text, facts, words, now)
        return Route(State.PENDING, "subscribe", SUBSCRIBE_CHANNEL[channel], openid, body, f"credit {template}")
    return Route(State.HELD, "hold", detail="outside the 48-hour window and no subscribe credit")


async def _cs_body(config: RouteConfig, row: OutboxMessage, text: str, words: Words, now: datetime) -> dict[str, Any]:
    """Text; for 已处置 / 已办结 with staff photos, a news card whose link shows them (watermarked)."""
    key = config.photo_link_key
    if key is None or row.kind not in HANDLED_KINDS or not row.case_no \
            or not (shown := await handled.photos(row.case_no, waiting=True)):
        return render.cs_body(text)
    url = f"{config.base_url.rstrip('/')}/photos/{handled.sign(key, row.case_no, now)}"
    return render.news_body(f"{row.case_no} {words.progress(row.kind)}", text, url, f"{url}/1", len(shown))


async def _spend_credit(config: RouteConfig, openid: str, now: datetime) -> str | None:
    query = SubscriptionCredit.filter(openid=openid, credits__gt=0)
    if config.subscribe_template:
        query = query.filter(template_id=config.subscribe_template)
    for credit in await query.order_by("id"):
        # Conditional decrement: two routers racing for the last credit cannot both spend it.
        if await SubscriptionCredit.filter(id=credit.id, credits__gt=0).update(
                credits=F("credits") - 1, updated_at=now):
            return credit.template_id
    return None


def _sms(config: RouteConfig, row: OutboxMessage, mobile: str | None, facts: render.Facts, words: Words) -> Route:
    if not config.sms_template:
        return stop("no SMS provider configured")
    if mobile is None:
        return stop("no mobile number")
    if row.kind in SURVEY_KINDS and config.sms_survey_template:  # answered by the provider's uplink (bot.sms_uplink)
        return Route(State.PENDING, "sms", ChannelName.SMS, mobile, render.sms_survey_body(config.sms_survey_template,
                                                                                           facts))
    if not words.has_progress(row.kind):  # the progress template says a case's step, nothing else
        return stop(f"no SMS template for {row.kind}")
    return Route(State.PENDING, "sms", ChannelName.SMS, mobile, render.sms_body(config.sms_template, row.kind, facts,
                                                                                words))


async def _refused_since(message_id: int, channel: str, since: datetime) -> bool:
    """The API answered "outside the window" (a fallback) for this message after the resident last wrote."""
    return await OutboxAttempt.filter(message_id=message_id, channel=channel, outcome="fallback",
                                      at__gte=since).exists()
