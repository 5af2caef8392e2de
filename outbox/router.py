"""The reach router: for one message, what is allowed now — and its rendered body.

Residents: :mod:`outbox.resident_reach` (the 48-hour window, subscribe credits, SMS). Workers and grid
groups: the WeCom group robot of the grid or its nearest ancestor (a worker without one: an SMS).
Departments: mail. Supervisors: their region's group, else a department's mail there. The upstream
platform: its Open311 channel, with the fields as written; webhook subscribers: the webhook channel, the
event as written; the checkpoint witness: its file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from intake.store.models import Case, CaseEvent, User
from intake.store.models_outbox import OutboxMessage
from notify.store import State
from notify.types import ChannelName
from outbox import render, resident_reach
from outbox.directory import Directory, department_email, region_email, worker_grids
from outbox.phones import worker_mobile
from outbox.route import Route, RouteConfig, stop
from outbox.texts import Words

__all__ = ["ReachRouter", "Route", "RouteConfig"]  # RouteConfig and Route are the callers' too (outbox.route)


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
            return await resident_reach.route(self.config, row, facts, now)
        if kind in ("worker", "grid_group"):
            return await self._group(row, facts)
        if kind == "department":
            email = await department_email(row.recipient_ref)
            return self._email(row, facts, email) if email else stop(f"department {row.recipient_ref} has no email")
        if kind == "supervisor":
            if (found := self.directory.group_for(row.recipient_ref)) is not None:
                return self._robot(row, facts, found)
            email = await region_email(self.directory, row.recipient_ref)
            return self._email(row, facts, email) if email else stop(f"region {row.recipient_ref}: no group, no email")
        return stop(f"unknown recipient kind {kind!r}")

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
        return stop(why)

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

