"""What the reach router decides for one message (:class:`Route`) and the knobs it decides with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from notify.store import State


@dataclass(frozen=True, slots=True)
class RouteConfig:
    base_url: str = "http://127.0.0.1:8080"
    subscribe_template: str | None = None  # None: spend a credit of any template the resident allowed
    sms_template: str | None = None  # the SMS provider's progress template; None: no SMS to residents
    sms_staff_template: str | None = None  # one parameter, the notice in short; None: no SMS to workers
    photo_link_key: bytes | None = field(default=None, repr=False)  # signs links to handled photos; None: none
    sms_survey_template: str | None = None  # the 回访 question, {1} the case number; None: callers are not asked


@dataclass(frozen=True, slots=True)
class Route:
    status: State  # pending (send on ``channel``), held, stopped, or dead when routing failed
    decision: str  # what the router chose, for the record: cs, subscribe, group, email, hold, stop
    channel: str = ""
    address: str | None = None
    body: dict[str, Any] | None = None
    detail: str = ""


def stop(detail: str) -> Route:
    return Route(State.STOPPED, "stop", detail=detail)
