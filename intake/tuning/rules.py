"""Keyword rules: an admin's phrase → category that decides at once, before any model.

A rule fixes a pattern the model keeps getting wrong without waiting for a
retrain. Higher priority wins, then the longer phrase, then the older rule; a
rule stops applying at its expiry (rules are stop-gaps, the next retrain should
learn the pattern from the labels).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.functions import Count

from intake.errors import Invalid, NotFound
from intake.store.models import Case
from intake.store.models_nlp import KeywordRule
from intake.taxonomy.catalog import Catalog
from intake.tuning import registry
from intake.tuning.labels import live_code

MAX_RULES = 2000
RULE_PREFIX = "rule:"  # what a rule's prediction names as its model (tuning.serving)
EDITABLE = frozenset({"priority", "expires_at", "active", "note"})


@dataclass(frozen=True, slots=True)
class LiveRule:
    """A rule as the serving classifier uses it."""

    id: int
    phrase: str
    code: str
    priority: int
    expires_at: datetime | None


async def add(catalog: Catalog, actor: str, now: datetime, phrase: str, code: str, priority: int,
              expires_at: datetime | None, note: str = "") -> KeywordRule:
    phrase = phrase.strip()
    if not phrase:
        raise Invalid("phrase must not be empty")
    live = live_code(catalog, code)
    if live is None:
        raise Invalid(f"{code!r} is not a live category code")
    _check_expiry(expires_at, now)
    if await KeywordRule.filter(active=True).count() >= MAX_RULES:
        raise Invalid(f"at most {MAX_RULES} active rules; retire some or retrain")
    rule = await KeywordRule.create(phrase=phrase, code=live, priority=priority, expires_at=expires_at,
                                    note=note, created_by=actor[:128], created_at=now)
    await registry.bump(actor, f"rule {rule.id} added", now)
    return rule


async def update(rule_id: int, changes: dict[str, Any], actor: str, now: datetime) -> KeywordRule:
    rule = await get(rule_id)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise Invalid(f"fields cannot be changed: {sorted(unknown)}")
    if "expires_at" in changes:
        _check_expiry(changes["expires_at"], now)
    for name, value in changes.items():
        setattr(rule, name, value)
    await rule.save(update_fields=list(changes))
    await registry.bump(actor, f"rule {rule_id} changed", now)
    return rule


async def remove(rule_id: int, actor: str, now: datetime) -> None:
    rule = await get(rule_id)
    rule.active = False
    await rule.save(update_fields=["active"])
    await registry.bump(actor, f"rule {rule_id} removed", now)


async def get(rule_id: int) -> KeywordRule:
    rule = await KeywordRule.get_or_none(id=rule_id)
    if rule is None:
        raise NotFound(f"no keyword rule {rule_id}")
    return rule


async def listing(include_inactive: bool) -> list[KeywordRule]:
    query = KeywordRule.all() if include_inactive else KeywordRule.filter(active=True)
    return await query.order_by("-priority", "id").limit(MAX_RULES)


async def live(now: datetime) -> list[LiveRule]:
    rows = await KeywordRule.filter(active=True).order_by("id")
    return [LiveRule(r.id, r.phrase, r.code, r.priority, r.expires_at) for r in rows
            if r.expires_at is None or r.expires_at > now]


async def match_counts(since: datetime) -> dict[int, int]:
    """How many cases opened since ``since`` each rule decided (the case records ``rule:<id>`` as its classifier)."""
    rows = await Case.filter(opened_at__gte=since, classifier__startswith=RULE_PREFIX).annotate(
        n=Count("id")).group_by("classifier").values("classifier", "n")
    out: dict[int, int] = {}
    for row in rows:
        tail = str(row["classifier"])[len(RULE_PREFIX):]
        if tail.isdigit():
            out[int(tail)] = int(row["n"])
    return out


def _check_expiry(expires_at: datetime | None, now: datetime) -> None:
    if expires_at is not None and (expires_at.tzinfo is None or expires_at <= now):
        raise Invalid("expires_at must be a future time with a time zone")
