"""What the alert views need from the delivery side (the outbox), as a small read port.

The outbox (#6) knows which notification keys were delivered or given up on. When no reader is wired,
the acknowledgement view shows residents targeted only, and ``reached``/``failed`` are ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class DeliveryReader(Protocol):
    async def outcomes(self, group: str) -> Mapping[str, str]:
        """Notification key → ``"reached"`` | ``"failed"`` | ``"queued"`` for every message of ``group``."""
        ...
