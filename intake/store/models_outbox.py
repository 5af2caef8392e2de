"""Tables for the transactional outbox and its delivery attempts (#6)."""

from __future__ import annotations
