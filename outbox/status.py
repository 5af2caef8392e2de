"""Outbox row statuses (the sender's ``notify.store.State`` values plus the router's own)."""

from __future__ import annotations

PENDING = "pending"  # written, not routed or not tried yet
SENDING = "sending"  # claimed by a sender until lease_until
RETRY = "retry"  # a transient failure: next_attempt_at says when
DELIVERED = "delivered"
HELD = "held"  # no way to reach the resident now: released when they next write
STOPPED = "stopped"  # unreachable for good (unsubscribed, no address): final, not an error
DEAD = "dead"  # dead letter: an admin may re-queue it
WITHDRAWN = "withdrawn"  # its group was withdrawn before it went out

ALL = (PENDING, SENDING, RETRY, DELIVERED, HELD, STOPPED, DEAD, WITHDRAWN)
QUEUED = (PENDING, RETRY, HELD)  # not out yet and nobody is sending it
