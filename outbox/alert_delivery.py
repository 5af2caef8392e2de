"""The outbox's read side for the alert coverage view (``intake.alerts.ports.DeliveryReader``).

One query per alert: every row of the alert's group, its key and status folded to what the
coverage view counts. A withdrawn row (a Cancel, or an Update that replaced it before it went
out) reached nobody and failed for nobody: it is left out, so the resident counts by whatever
their other version of the message did.
"""

from __future__ import annotations

from collections.abc import Mapping

from intake.store.models_outbox import OutboxMessage
from notify.store import State

OUTCOME: dict[str, str] = {State.DELIVERED: "reached", State.DEAD: "failed", State.STOPPED: "failed"}
LEFT_OUT = frozenset({State.WITHDRAWN})


def outcome_of(status: str) -> str | None:
    """``reached`` | ``failed`` | ``queued`` (pending, sending, retry, held), or ``None`` for a withdrawn row."""
    return None if status in LEFT_OUT else OUTCOME.get(status, "queued")


class OutboxDelivery:
    """``DeliveryReader`` over the ``outbox`` table."""

    async def outcomes(self, group: str) -> Mapping[str, str]:
        rows = await OutboxMessage.filter(group=group).values_list("key", "status")
        out: dict[str, str] = {}
        for key, status in rows:
            if (state := outcome_of(str(status))) is not None:
                out[str(key)] = state
        return out
