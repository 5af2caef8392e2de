"""The case state machine: 上报 → 核实 → 立案 → 派遣 → 处置 → 已处置 → 核查 → 结案, and its side paths.

One table says, for every action, the states it may start from, the state it
leads to (``None``: the state stays) and the roles allowed to take it. Nothing
else in the code decides legality.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from intake.errors import Forbidden, IllegalTransition, Invalid


class Status(StrEnum):
    REPORTED = "reported"  # 上报
    VERIFYING = "verifying"  # 核实
    REGISTERED = "registered"  # 立案
    DISPATCHED = "dispatched"  # 派遣
    HANDLING = "handling"  # 处置
    HANDLED = "handled"  # 已处置
    CHECKING = "checking"  # 核查
    CLOSED = "closed"  # 结案
    REJECTED = "rejected"  # 不予立案
    WITHDRAWN = "withdrawn"  # 撤件
    RETURNED = "returned"  # 退回
    SUSPENDED = "suspended"  # 挂起
    MERGED = "merged"  # 合并
    VOIDED = "voided"  # 作废

    @property
    def is_final(self) -> bool:
        return self in FINAL


FINAL = frozenset({Status.CLOSED, Status.REJECTED, Status.WITHDRAWN, Status.MERGED, Status.VOIDED})
OPEN = frozenset(Status) - FINAL


class Role(StrEnum):
    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    WORKER = "worker"
    DEPARTMENT = "department"  # a line department's staff: work on their department's cases
    SUPERVISOR = "supervisor"  # 督查: oversees a region's cases
    RESIDENT = "resident"
    SYSTEM = "system"


S, R = Status, Role
_DESK = frozenset({R.ADMIN, R.DISPATCHER})
_STAFF = _DESK | {R.WORKER}
_EARLY = frozenset({S.REPORTED, S.VERIFYING, S.REGISTERED})
_WORKING = frozenset({S.DISPATCHED, S.HANDLING})
_ASSIGNEES = frozenset({R.WORKER, R.DEPARTMENT})  # whoever a case is dispatched to
_OVERSIGHT = _DESK | {R.SUPERVISOR}


@dataclass(frozen=True, slots=True)
class Rule:
    sources: frozenset[Status]
    target: Status | None
    roles: frozenset[Role]
    needs_note: bool = False


RULES: dict[str, Rule] = {
    "open": Rule(frozenset(), S.REPORTED, frozenset({R.RESIDENT, R.SYSTEM}) | _STAFF),
    "verify": Rule(frozenset({S.REPORTED}), S.VERIFYING, _STAFF),
    "register": Rule(frozenset({S.REPORTED, S.VERIFYING}), S.REGISTERED, _DESK | {R.SYSTEM}),
    "reject": Rule(frozenset({S.REPORTED, S.VERIFYING}), S.REJECTED, _DESK, needs_note=True),
    "dispatch": Rule(frozenset({S.REGISTERED, S.RETURNED}), S.DISPATCHED, _DESK | {R.SYSTEM}),
    "accept": Rule(frozenset({S.DISPATCHED}), S.HANDLING, _STAFF | _ASSIGNEES),
    "return": Rule(_WORKING, S.RETURNED, _STAFF | _ASSIGNEES, needs_note=True),
    "handle": Rule(frozenset({S.HANDLING}), S.HANDLED, _STAFF | _ASSIGNEES, needs_note=True),
    "check": Rule(frozenset({S.HANDLED}), S.CHECKING, _STAFF),
    "close": Rule(frozenset({S.CHECKING}), S.CLOSED, _DESK),
    "redo": Rule(frozenset({S.CHECKING}), S.HANDLING, _DESK, needs_note=True),
    "withdraw": Rule(_EARLY, S.WITHDRAWN, _DESK | {R.RESIDENT}),
    "suspend": Rule(frozenset({S.REGISTERED, S.RETURNED}) | _WORKING, S.SUSPENDED, _DESK, needs_note=True),
    "resume": Rule(frozenset({S.SUSPENDED}), None, _DESK),
    "reopen": Rule(frozenset({S.CLOSED}), S.REGISTERED, _DESK | {R.SYSTEM}, needs_note=True),
    "merge": Rule(_EARLY | {S.RETURNED}, S.MERGED, _DESK),
    "request_extension": Rule(_WORKING, None, _ASSIGNEES | {R.ADMIN}, needs_note=True),
    "approve_extension": Rule(_WORKING, None, _DESK),
    "deny_extension": Rule(_WORKING, None, _DESK, needs_note=True),
    "reclassify": Rule(frozenset(OPEN), None, _DESK),
    "void": Rule(frozenset(OPEN), S.VOIDED, _OVERSIGHT, needs_note=True),  # 作废 (intake.cases.void)
    "request_void": Rule(frozenset(OPEN), None, _ASSIGNEES, needs_note=True),
    "deny_void": Rule(frozenset(OPEN), None, _OVERSIGHT, needs_note=True),  # the request is refused: work on
    "comment": Rule(frozenset(Status), None, _STAFF | _ASSIGNEES | _OVERSIGHT),
    "second": Rule(frozenset(OPEN), None, frozenset({R.RESIDENT, R.SYSTEM}) | _DESK),
    # 督办 / 催办 / 批示 / 召回 by people (intake.cases.oversight); the SLA sweep's automatic 督办 is ``supervise``
    # by the system, written by intake.sla.sweeper without a note.
    "supervise": Rule(frozenset(OPEN), None, _OVERSIGHT | {R.SYSTEM}, needs_note=True),
    "urge": Rule(frozenset(OPEN), None, _OVERSIGHT, needs_note=True),
    "instruct": Rule(frozenset(OPEN), None, frozenset({R.ADMIN, R.SUPERVISOR}), needs_note=True),
    "recall": Rule(_WORKING | {S.HANDLED, S.CHECKING}, S.REGISTERED, _OVERSIGHT, needs_note=True),
    "escalate": Rule(frozenset(OPEN), None, frozenset({R.SYSTEM})),
    # the upstream platform's 办结, read back by its poller (intake.cases.outward): a record, in any state
    "upstream": Rule(frozenset(Status), None, frozenset({R.SYSTEM})),
    # 核实 / 核查 as tasks (intake.cases.tasks): ``verify`` / ``check`` enter the state and give the task;
    # ``verified`` / ``checked`` do it (position, photos, result). ``checked`` on a closed case is a 抽查 re-check.
    "verified": Rule(frozenset({S.VERIFYING}), None, _STAFF | {R.SUPERVISOR}),
    "checked": Rule(frozenset({S.CHECKING, S.CLOSED}), None, _STAFF | {R.SUPERVISOR}),
    "spot_check": Rule(frozenset({S.CLOSED}), None, _OVERSIGHT),
    # 协办 (intake.cases.assists)
    "request_assist": Rule(_WORKING, None, _ASSIGNEES, needs_note=True),
    "assist": Rule(_WORKING, None, _DESK),
    "answer_assist": Rule(_WORKING, None, _ASSIGNEES, needs_note=True),
    "waive_assist": Rule(_WORKING, None, _DESK, needs_note=True),
    # a resident's own steps (intake.cases.resident_steps): 催办 (resident_urge) and 补充
    "resident_urge": Rule(frozenset(OPEN), None, frozenset({R.RESIDENT})),
    "supplement": Rule(frozenset(OPEN), None, frozenset({R.RESIDENT})),
    # PIPL retention / erasure (intake.privacy): an ended case's personal data removed, by the system only.
    "anonymise": Rule(FINAL, None, frozenset({R.SYSTEM})),
}

ACTIONS = frozenset(RULES) - {"open"}


def rule_for(action: str) -> Rule:
    rule = RULES.get(action)
    if rule is None or action == "open":
        raise Invalid(f"unknown action {action!r}", allowed=sorted(ACTIONS))
    return rule


def check(status: Status, action: str, role: Role, note: str | None = None) -> Status:
    """The state after ``action``; raises when the role or the state forbids it."""
    rule = rule_for(action)
    if role not in rule.roles:
        raise Forbidden(f"role {role} may not {action}", action=action, role=str(role))
    if status not in rule.sources:
        raise IllegalTransition(
            f"cannot {action} a case that is {status}",
            action=action,
            status=str(status),
            allowed_from=sorted(str(s) for s in rule.sources),
        )
    if rule.needs_note and not (note and note.strip()):
        raise Invalid(f"{action} needs a note saying why", action=action)
    return rule.target if rule.target is not None else status


def allowed_actions(status: Status, role: Role) -> list[str]:
    """What ``role`` may do next: shown with the case so clients need no copy of this table."""
    return sorted(a for a in ACTIONS if status in RULES[a].sources and role in RULES[a].roles)
