"""JSON shapes of cases, categories and cells for the admin API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from intake.cases.context import CaseContext
from intake.cases.model import Actor
from intake.cases.offer import allowed_for
from intake.cases.oversight import counts as oversight_counts
from intake.cases.resident_steps import reminders
from intake.cases.states import Status
from intake.duplicates import Candidate
from intake.i18n import gettext_for
from intake.sla.light import state as sla_state
from intake.store.models import Case, CaseEvent, CoReporter
from intake.taxonomy.catalog import Category


def category_ref(ctx: CaseContext, code: str | None, lang: str) -> dict[str, str] | None:
    if code is None:
        return None
    found = ctx.taxonomy.catalog.find(code)
    return {"code": code, "name": found.name(lang) if found else code}


def grid_ref(ctx: CaseContext, code: str | None) -> dict[str, str] | None:
    if code is None:
        return None
    cell = ctx.grid.index.find(code)
    return {"code": code, "name": cell.name if cell else code}


def case_summary(ctx: CaseContext, case: Case, actor: Actor, lang: str, now: datetime) -> dict[str, Any]:
    _ = gettext_for(lang).gettext
    status = Status(case.status)
    light = sla_state(ctx.sla, case, now).light
    return {
        "case_no": case.case_no, "status": case.status, "status_label": _(status.name.title()),
        "category": category_ref(ctx, case.category_code, lang), "grid": grid_ref(ctx, case.grid_code),
        "severity": case.severity, "deadline": case.deadline_at.isoformat(),
        "light": str(light) if light else None, "light_label": _(str(light)) if light else None,
        "escalation_level": case.escalation_level, "opened_at": case.opened_at.isoformat(),
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "description": case.description, "address": case.address,
        "assignee": {"user_id": case.assignee_user_id, "department": case.assignee_department},
        "allowed_actions": allowed_for(actor, case),
        # 核实 / 核查 task, steps taken far from the case point (for the dispatcher), 协办 sub-tasks
        "task": {"kind": case.task_kind, "user_id": case.task_user_id} if case.task_kind else None,
        "handler_user_id": case.handler_user_id,
        "position_flags": case.position_flags or [], "assists": case.assists or [],
    }


def case_detail(ctx: CaseContext, case: Case, actor: Actor, lang: str, now: datetime,
                events: list[CaseEvent], co: list[CoReporter]) -> dict[str, Any]:
    return {
        **case_summary(ctx, case, actor, lang, now),
        # An anonymous report (mini-program) hides who sent it, from staff too.
        "channel": case.channel, "reporter": None if case.anonymous else case.reporter,
        "anonymous": case.anonymous, "lat": case.lat, "lng": case.lng,
        "photos": case.photos, "confidence": case.confidence, "classifier": case.classifier,
        "taxonomy_version": case.taxonomy_version, "limit_hours": case.limit_hours,
        "merged_into": case.merged_into, "reopen_count": case.reopen_count,
        "extension_request": case.extension_request,
        "co_reporters": [{"channel": c.channel, "reporter": c.reporter} for c in co],
        "events": [event(e) for e in events],
        "oversight": oversight_counts(events),  # 督办 / 催办 / 批示 / 召回 by people, counted from the timeline
        "resident_reminders": reminders(events),  # residents' 催办, counted from the timeline
    }


def event(e: CaseEvent) -> dict[str, Any]:
    return {"seq": e.seq, "action": e.action, "from": e.from_status, "to": e.to_status, "actor": e.actor,
            "role": e.role, "at": e.at.isoformat(), "note": e.note, "attachments": e.attachments,
            "data": e.data, "hash": e.hash}


def duplicate(c: Candidate) -> dict[str, Any]:
    return {"case_no": c.case_no, "status": c.status, "description": c.description,
            "similarity": c.similarity, "distance_m": c.distance_m}


def category(c: Category, lang: str) -> dict[str, Any]:
    return {"code": c.code, "kind": c.kind, "parent": c.parent, "name": c.name(lang), "name_zh": c.name_zh,
            "name_en": c.name_en, "severity": str(c.severity), "time_limit_hours": c.limit_hours,
            "handler": str(c.handler), "department": c.department, "self_handle": c.self_handle,
            "synonyms": list(c.synonyms), "retired": c.retired, "successor": c.successor}
