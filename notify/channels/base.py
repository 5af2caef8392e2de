"""What every API channel shares: turn a call's answer or failure into an :class:`Attempt`, never raise."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any

from redis.exceptions import RedisError

from notify.http import ApiReply, TransportError
from notify.outcomes import attempt_for
from notify.types import Attempt, Outcome


async def attempt_of(call: Awaitable[ApiReply]) -> Attempt:
    try:
        reply = await call
    except TransportError as exc:
        code = getattr(exc, "errcode", None) or exc.status
        return Attempt(Outcome.RETRY, code=code, detail=str(exc)[:500])
    except TimeoutError:  # the token lock was held too long by another process
        return Attempt(Outcome.RETRY, detail="token lock timeout")
    except RedisError as exc:  # the shared token store is down
        return Attempt(Outcome.RETRY, detail=f"token store: {type(exc).__name__}")
    return attempt_for(reply)


def bad_body(reason: str) -> Attempt:
    """A rendered body the channel cannot send will never become sendable: dead-letter it."""
    return Attempt(Outcome.DEAD, detail=f"bad body: {reason}")


def payload(body: Mapping[str, Any], required: tuple[str, ...]) -> dict[str, Any] | str:
    """A copy of ``body`` or the reason it is unusable."""
    missing = [name for name in required if name not in body]
    return f"missing {', '.join(missing)}" if missing else dict(body)
