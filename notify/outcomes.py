"""WeChat / WeCom error codes by meaning: what each answer means for the message."""

from __future__ import annotations

from notify.http import ApiReply, TransportError
from notify.types import Attempt, Outcome

# The access token was wrong or expired: refresh once and try again (handled by the clients).
TOKEN_CODES = frozenset({40001, 42001, 40014})
# Busy, rate limited or a system error: back off and retry.
RETRY_CODES = frozenset({-1, 45009, 45033} | TOKEN_CODES)  # token codes: still wrong after one refresh
# This channel cannot reach the address now, another may (outside the 48-hour window, 20 CS messages spent,
# no subscribe credit).
FALLBACK_CODES = frozenset({45015, 43101, 45047})
# The address cannot be reached at all: the user unsubscribed, or every WeCom user is invalid.
STOP_CODES = frozenset({43004, 81013})

_OUTCOMES: dict[int, Outcome] = {
    **{code: Outcome.RETRY for code in RETRY_CODES},
    **{code: Outcome.FALLBACK for code in FALLBACK_CODES},
    **{code: Outcome.STOP for code in STOP_CODES},
}


def outcome_of(code: int) -> Outcome:
    if code == 0:
        return Outcome.DELIVERED
    return _OUTCOMES.get(code, Outcome.DEAD)


def attempt_for(result: ApiReply | TransportError) -> Attempt:
    """The :class:`Attempt` for an API answer or a transport failure."""
    if isinstance(result, TransportError):
        return Attempt(Outcome.RETRY, code=result.status, detail=str(result)[:500])
    outcome = outcome_of(result.errcode)
    detail = "" if outcome is Outcome.DELIVERED else result.errmsg[:500]
    code = None if outcome is Outcome.DELIVERED else result.errcode
    msgid = result.data.get("msgid")
    if outcome is Outcome.DELIVERED and msgid is not None:
        detail = f"msgid={msgid}"
    return Attempt(outcome, code=code, detail=detail)
