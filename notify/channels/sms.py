"""The SMS channel: a template message to a mobile number, and the providers' codes by meaning.

The body is ``{"template": id, "params": [...]}``; the address is a mobile number in E.164 (``+8613…``).
The provider's code (a string) goes into the attempt's detail: the outbox keeps it as the last error.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from notify.channels.base import bad_body
from notify.http import TransportError
from notify.sms import SmsClient, SmsReply
from notify.types import Attempt, ChannelName, Envelope, Outcome

PHONE = re.compile(r"^\+\d{6,15}$")
MAX_PARAMS = 10
PARAM_MAX = 35  # Aliyun's limit on one variable; Tencent's is longer for organisations
CHINA = timezone(timedelta(hours=8))

# Seconds until a per-number limit lets the number receive again (the quota counts per phone, not per message).
LIMIT_WAIT: dict[str, float] = {
    "LimitExceeded.PhoneNumberThirtySecondLimit": 30, "LimitExceeded.PhoneNumberOneHourLimit": 3600,
    "LimitExceeded.PhoneNumberSameContentDailyLimit": -1, "LimitExceeded.PhoneNumberDailyLimit": -1,
    "isv.BUSINESS_LIMIT_CONTROL": 3600, "isv.DAY_LIMIT_CONTROL": -1,  # -1: until midnight, China time
}
# Busy, throttled, out of credit, a provider fault: try again later.
RETRY = frozenset({"RequestLimitExceeded", "LimitExceeded.AppDailyLimit",
                   "FailedOperation.InsufficientBalanceInSmsPackage", "InternalError.Timeout",
                   "InternalError.RequestTimeException", "isp.SYSTEM_ERROR", "isp.RAM_PERMISSION_DENY",
                   "Throttling.User", "Throttling.Api", "isv.AMOUNT_NOT_ENOUGH", "isv.OUT_OF_SERVICE",
                   "ServiceUnavailable"})
# The number cannot receive SMS: give up on it (not an operator's error).
STOP = frozenset({"InvalidParameterValue.IncorrectPhoneNumber", "FailedOperation.PhoneNumberInBlacklist",
                  "FailedOperation.PhoneNumberOnBlacklist", "UnsupportedOperation.UnsupportedRegion",
                  "isv.MOBILE_NUMBER_ILLEGAL", "isv.BLACK_KEY_CONTROL_LIMIT", "isv.MOBILE_COUNT_OVER_LIMIT"})
# Everything else (a signature or template not approved, bad credentials, a bad parameter) is dead-lettered:
# sending it again cannot help until an operator fixes the configuration.


def outcome_of(reply: SmsReply, now: datetime | None = None) -> Attempt:
    if reply.ok:
        return Attempt(Outcome.DELIVERED, detail=f"serial={reply.serial}" if reply.serial else "")
    detail = f"{reply.code}: {reply.message}"[:500]
    if (wait := LIMIT_WAIT.get(reply.code)) is not None:
        return Attempt(Outcome.RETRY, detail=detail, retry_after_s=wait if wait >= 0 else _to_midnight(now))
    if reply.code in RETRY or reply.code.startswith("InternalError"):
        return Attempt(Outcome.RETRY, detail=detail)
    return Attempt(Outcome.STOP if reply.code in STOP else Outcome.DEAD, detail=detail)


def _to_midnight(now: datetime | None) -> float:
    local = (now or datetime.now(UTC)).astimezone(CHINA)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=5, second=0, microsecond=0)
    return (midnight - local).total_seconds()


class SmsChannel:
    def __init__(self, client: SmsClient, name: str = ChannelName.SMS) -> None:
        self._client, self._name = client, name

    @property
    def name(self) -> str:
        return self._name

    async def send(self, envelope: Envelope) -> Attempt:
        template, params = envelope.body.get("template"), envelope.body.get("params", [])
        if not isinstance(template, str) or not template:
            return bad_body("template")
        if not isinstance(params, list) or len(params) > MAX_PARAMS \
                or not all(isinstance(p, str) and len(p) <= PARAM_MAX for p in params):
            return bad_body(f"params: at most {MAX_PARAMS} texts of at most {PARAM_MAX} characters")
        if not PHONE.match(envelope.address):
            return Attempt(Outcome.STOP, detail="not a mobile number in E.164")
        try:
            reply = await self._client.send(envelope.address, template, params)
        except TransportError as exc:
            return Attempt(Outcome.RETRY, code=exc.status, detail=str(exc)[:500])
        return outcome_of(reply)
