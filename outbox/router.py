"""The reach router: for one message, what is allowed now — and its rendered body.

Residents: a customer-service message inside the 48-hour window after their last
message (unless the API already refused it since then), else a subscribe credit
(one is spent), else the message is held until they next write. Residents who came by
phone, hotline or Open311: an SMS to their mobile number. Workers and grid groups: the
WeCom group robot of the grid or its nearest ancestor (a worker without one: an SMS).
Departments: mail. Supervisors: their region's group, else a department's mail there. The upstream
platform: its Open311 channel, with the fields as written; webhook subscribers: the webhook channel, the
event as written; the checkpoint witness: its file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import F

from intake.photos import handled
from intake.store.models import Case, CaseEvent, Resident, SubscriptionCredit, User
from intake.store.models_outbox import OutboxAttempt, OutboxMessage
from notify.store import State
from notify.types import ChannelName
from outbox import render
from outbox.directory import Directory, department_email, region_email, worker_grids
from outbox.phones import resident_mobile, texts_residents, worker_mobile
from outbox.texts import Words

CS_WINDOW = timedelta(hours=48) - timedelta(minutes=5)  # a margin for clocks and queueing
HANDLED_KINDS = frozenset({"case.handle", "case.close"})  # the steps whose message may carry handled photos
SUBSCRIBE_CHANNEL = {"wechat": ChannelName.WECHAT_SUBSCRIBE, "mp": ChannelName.MP_SUBSCRIBE}  # by resident channel


@dataclass(frozen=True, slots=True)
class RouteConfig:
    base_url: str = "http://127.0.0.1:8080"
    subscribe_template: str | None = None  # None: spend a credit of any template the resident allowed
    sms_template: str | None = None  # the SMS provider's progress template; None: no SMS to residents
    sms_staff_template: str | None = None  # one parameter, the notice in short; None: no SMS to workers
    photo_link_key: bytes | None = field(default=None, repr=False)  # signs links to handled photos; None: none


@dataclass(frozen=True, slots=True)
class Route:
    status: State  # pending (send on ``channel``), held, stopped, or dead when routing failed
    decision: str  # what the router chose, for the record: cs, subscribe, group, email, hold, stop
    channel: str = ""
    address: str | None = None
    body: dict[str, Any] | None = None
    detail: str = ""


def _stop(detail: str) -> Route:
    return Route(State.STOPPED, "stop", detail=detail)


class ReachRouter:
    def __init__(self, directory: Directory, config: RouteConfig,
                 category_name: Callable[[str], str | None] = lambda code: None) -> None:
        self.directory, self.config, self._category = directory, config, category_name

    async def route(self, row: OutboxMessage, now: datetime) -> Route:
        kind = row.recipient_kind
        if kind == "upstream":  # the request's fields, as the domain wrote them (intake.cases.outward)
            return Route(State.PENDING, "upstream", ChannelName.UPSTREAM_OPEN311, row.recipient_ref, dict(row.payload))
        if kind == "witness":  # the audit checkpoint, to the append-only file outside the database
            return Route(State.PENDING, "witness", ChannelName.WITNESS_FILE, row.recipient_ref, dict(row.payload))
        if kind == "subscriber":  # a webhook subscriber: the event as written; the channel signs it when sent
            return Route(State.PENDING, "subscriber", ChannelName.WEBHOOK, row.recipient_ref, dict(row.payload))
        await self.directory.refresh()
        facts = await self._facts(row)
        if kind == "resident":
            return await self._resident(row, facts, now)
        if kind in ("worker", "grid_group"):
            return await self._group(row, facts)
        if kind == "department":
            email = await department_email(row.recipient_ref)
            return self._email(row, facts, email) if email else _stop(f"department {row.recipient_ref} has no email")
        if kind == "supervisor":
            if (found := self.directory.group_for(row.recipient_ref)) is not None:
                return self._robot(row, facts, found)
            email = await region_email(self.directory, row.recipient_ref)
            return self._email(row, facts, email) if email else _stop(f"region {row.recipient_ref}: no group, no email")
        return _stop(f"unknown recipient kind {kind!r}")

    async def _resident(self, row: OutboxMessage, facts: render.Facts, now: datetime) -> Route:
        channel, openid = row.recipient_channel or "", row.recipient_ref
        if texts_residents(channel):
            return await self._sms(row, await resident_mobile(channel, openid), facts, Words())
        if channel not in SUBSCRIBE_CHANNEL:
            return _stop(f"no outbound channel for residents of {channel!r}")
        resident = await Resident.get_or_none(channel=channel, external_id=openid)
        if resident is not None and not resident.subscribed:
            return _stop("unsubscribed")
        words = Words(resident.lang if resident else "zh_CN")
        text = render.resident_text(row.kind, row.payload, facts, words)
        seen = resident.last_seen_at if resident else None
        if channel == "wechat" and seen is not None and now - seen < CS_WINDOW \
                and not await _refused_since(row.id, ChannelName.WECHAT_CS, seen):
            body = await self._cs_body(row, text, words, now)
            return Route(State.PENDING, "cs", ChannelName.WECHAT_CS, openid, body, f"last message {seen.isoformat()}")
        template = await self._spend_credit(openid, now)
        if template is not None:
            body = render.subscribe_body(template, text, facts, words, now)
            return Route(State.PENDING, "subscribe", SUBSCRIBE_CHANNEL[channel], openid, body, f"credit {template}")
        return Route(State.HELD, "hold", detail="outside the 48-hour window and no subscribe credit")

    async def _cs_body(self, row: OutboxMessage, text: str, words: Words, now: datetime) -> dict[str, Any]:
        """Text; for 已处置 / 已办结 with staff photos, a news card whose link shows them (watermarked)."""
        key = self.config.photo_link_key
        if key is None or row.kind not in HANDLED_KINDS or not row.case_no \
                or not (shown := await handled.photos(row.case_no, waiting=True)):
            return render.cs_body(text)
        url = f"{self.config.base_url.rstrip('/')}/photos/{handled.sign(key, row.case_no, now)}"
        return render.news_body(f"{row.case_no} {words.progress(row.kind)}", text, url, f"{url}/1", len(shown))

    async def _spend_credit(self, openid: str, now: datetime) -> str | None:
        query = SubscriptionCredit.filter(openid=openid, credits__gt=0)
        if self.config.subscribe_template:
            query = query.filter(template_id=self.config.subscribe_template)
        for credit in await query.order_by("id"):
            # Conditional decrement: two routers racing for the last credit cannot both spend it.
            if await SubscriptionCredit.filter(id=credit.id, credits__gt=0).update(
                    credits=F("credits") - 1, updated_at=now):
                return credit.template_id
        return None

    async def _group(self, row: OutboxMessage, facts: render.Facts) -> Route:
        grids = [row.recipient_ref] if row.recipient_kind == "grid_group" else []
        if row.recipient_kind == "worker":
            grids = [g for g in ((await _case_grid(row.case_no)), *await worker_grids(row.recipient_ref)) if g]
        for grid in grids:
            if (found := self.directory.group_for(grid)) is not None:
                return self._robot(row, facts, found)
        why = f"no WeCom group for grid {', '.join(grids) or '-'} or any region above it"
        if row.recipient_kind == "worker" and (template := self.config.sms_staff_template):
            mobile = await worker_mobile(row.recipient_ref)
            if mobile is not None:
                body = render.sms_staff_body(template, row.kind, row.payload, facts, Words())
                return Route(State.PENDING, "sms", ChannelName.SMS, mobile, body, why)
        return _stop(why)

    async def _sms(self, row: OutboxMessage, mobile: str | None, facts: render.Facts, words: Words) -> Route:
        if not self.config.sms_template:
            return _stop("no SMS provider configured")
        if mobile is None:
            return _stop("no mobile number")
        if not words.has_progress(row.kind):  # the progress template says a case's step, nothing else
            return _stop(f"no SMS template for {row.kind}")
        return Route(State.PENDING, "sms", ChannelName.SMS, mobile,
                     render.sms_body(self.config.sms_template, row.kind, facts, words))

    def _robot(self, row: OutboxMessage, facts: render.Facts, found: tuple[str, str]) -> Route:
        body = render.group_markdown(row.kind, row.payload, facts, Words(), self.config.base_url)
        return Route(State.PENDING, "group", ChannelName.WECOM_ROBOT, found[1], body, f"group of {found[0]}")

    def _email(self, row: OutboxMessage, facts: render.Facts, email: str) -> Route:
        body = render.email_body(row.kind, row.payload, facts, Words(), self.config.base_url)
        return Route(State.PENDING, "email", ChannelName.EMAIL, email, body)

    async def _facts(self, row: OutboxMessage) -> render.Facts:
        if not row.case_no:
            return render.Facts()
        case = await Case.get_or_none(case_no=row.case_no)
        if case is None:
            return render.Facts(case_no=row.case_no)
        note, photos = row.payload.get("note"), len(case.photos)
        if row.kind == "case.close":  # the resident hears the handler's public note, not the closer's
            handled = await CaseEvent.filter(case_no=case.case_no, action="handle").order_by("-seq").first()
            if handled is not None:
                note, photos = handled.note, len(handled.attachments)
        assignee = await User.get_or_none(id=case.assignee_user_id) if case.assignee_user_id else None
        category = self._category(case.category_code) if case.category_code else None
        return render.Facts(case.case_no, category or case.category_code, case.severity, case.deadline_at,
                            case.address, case.lat, case.lng, photos, note, assignee.name if assignee else None)


async def _case_grid(case_no: str | None) -> str | None:
    if not case_no:
        return None
    found = await Case.filter(case_no=case_no).values_list("grid_code", flat=True)
    return str(found[0]) if found and found[0] else None


async def _refused_since(message_id: int, channel: str, since: datetime) -> bool:
    """The API answered "outside the window" (a fallback) for this message after the resident last wrote."""
    return await OutboxAttempt.filter(message_id=message_id, channel=channel, outcome="fallback",
                                      at__gte=since).exists()
