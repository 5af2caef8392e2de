"""WeCom group robots per grid cell or region: set, remove, list (keys masked), and a test message.

A group serves its cell and every cell below it without one of its own (``outbox.directory``). The key
lets anyone post into the group, so it is shown only masked. The test message goes through the outbox
like every other message — routed, rate-limited, retried, recorded — so a wrong key shows as a failed
attempt with WeCom's own error code.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from intake.errors import Invalid, NotFound
from intake.store.models import Region
from intake.store.models_outbox import GridGroup
from notify.types import Notification, Notifier, Recipient

WEBHOOK_KEY = re.compile(r"[A-Za-z0-9-]{8,100}")
GRID_CODE = re.compile(r"[0-9]{6,20}")


def masked(key: str) -> str:
    return "***" + key[-4:]


async def listing() -> list[GridGroup]:
    return await GridGroup.all().order_by("grid_code")


async def grid(code: str) -> str:
    if not (code.isascii() and GRID_CODE.fullmatch(code)):
        raise Invalid("grid_code must be a grid code (6–20 digits)", field="grid_code")
    if not await Region.exists(code=code):
        raise NotFound(f"no grid {code}")
    return code


async def set_key(code: str, key: str, by: str, now: datetime) -> tuple[GridGroup, bool]:
    """The group of ``code`` and whether it is new; ``Invalid`` for a key no WeCom robot has."""
    code = await grid(code)
    if not isinstance(key, str) or not WEBHOOK_KEY.fullmatch(key):
        raise Invalid("webhook_key must be the key of a WeCom group robot (8–100 letters, digits or '-')",
                      field="webhook_key")
    row, created = await GridGroup.get_or_create(grid_code=code, defaults={
        "webhook_key": key, "updated_at": now, "updated_by": by[:128]})
    if not created:
        row.webhook_key, row.updated_at, row.updated_by = key, now, by[:128]
        await row.save()
    return row, created


async def remove(code: str) -> None:
    code = await grid(code)
    if not await GridGroup.filter(grid_code=code).delete():
        raise NotFound(f"grid {code} has no group")


async def send_test(notifier: Notifier, code: str, by: str, now: datetime) -> str:
    """Queue a test message to the group serving ``code``; the outbox key, to follow it."""
    code = await grid(code)
    if not await GridGroup.exists(grid_code=code):
        raise NotFound(f"grid {code} has no group of its own")
    key = f"group.test:{code}:{secrets.token_hex(6)}"
    await notifier.publish([Notification("group.test", Recipient("grid_group", code), key,
                                         payload={"grid": code, "by": by[:100]}, created_at=now, urgent=True)])
    return key
