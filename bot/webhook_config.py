"""``GRIDLINE_WEBHOOKS``: the webhook subscribers, read and checked once at start.

A JSON list (a secret setting: it holds the signing secrets)::

    [{"name": "city", "url": "https://hooks.example.gov.cn/gridline", "secret": "…32 characters…",
      "events": ["open", "dispatch", "handle", "close"]}]

``events`` are case steps (``intake.cases.states.RULES``) or ``*`` for all; ``name`` is the outbox row's
address, so it stays short and plain.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from intake.cases.states import RULES
from outbox.config import Webhook

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MIN_SECRET = 16
MAX_HOOKS = 20
# every step; a 核查 that closed or reopened (intake.cases.handlers); the daily audit checkpoint (a witness)
EXTRA = frozenset({"*", "checked", "checkpoint"})


@dataclass(frozen=True)
class Hooks:
    targets: dict[str, Webhook]
    events: dict[str, frozenset[str]]


def parse(text: str) -> Hooks:
    """The subscribers, or :class:`ValueError` saying which entry is wrong and why."""
    try:
        items = json.loads(text) if text.strip() else []
    except ValueError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(items, list) or len(items) > MAX_HOOKS:
        raise ValueError(f"must be a JSON list of at most {MAX_HOOKS} subscribers")
    targets, events = {}, {}
    for i, item in enumerate(items):
        name, target, steps = _one(i, item)
        if name in targets:
            raise ValueError(f"subscriber {name!r} is named twice")
        targets[name], events[name] = target, steps
    return Hooks(targets, events)


def _one(i: int, item: Any) -> tuple[str, Webhook, frozenset[str]]:
    if not isinstance(item, dict):
        raise ValueError(f"entry {i} is not an object")
    name, url, secret, steps = item.get("name"), item.get("url"), item.get("secret"), item.get("events", ["*"])
    if not isinstance(name, str) or not NAME.match(name):
        raise ValueError(f"entry {i}: name must be 1-40 of a-z, 0-9, _ and -")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")) or len(url) > 2000:
        raise ValueError(f"{name}: url must be an http(s):// URL")
    if not isinstance(secret, str) or len(secret) < MIN_SECRET:
        raise ValueError(f"{name}: secret must be at least {MIN_SECRET} characters")
    if not isinstance(steps, list) or not steps or not all(isinstance(s, str) for s in steps):
        raise ValueError(f"{name}: events must be a list of case steps")
    unknown = sorted(set(steps) - set(RULES) - EXTRA)
    if unknown:
        raise ValueError(f"{name}: unknown events {', '.join(unknown)}")
    return name, Webhook(url, SecretStr(secret)), frozenset(steps)
