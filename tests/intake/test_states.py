"""The state machine table, checked exhaustively."""

from __future__ import annotations

import itertools

import pytest

from intake.cases.states import ACTIONS, RULES, Role, Status, allowed_actions, check, rule_for
from intake.errors import Forbidden, IllegalTransition, Invalid

PAIRS = [(a, s) for a, s in itertools.product(sorted(ACTIONS), Status)]


@pytest.mark.parametrize(("action", "status"), PAIRS)
def test_every_action_from_every_status(action: str, status: Status) -> None:
    rule = RULES[action]
    role = sorted(rule.roles)[0]
    if status in rule.sources:
        target = check(status, action, role, note="because")
        assert target == (rule.target or status)
    else:
        with pytest.raises(IllegalTransition) as info:
            check(status, action, role, note="because")
        assert info.value.details["status"] == status


@pytest.mark.parametrize(("action", "role"), list(itertools.product(sorted(ACTIONS), Role)))
def test_every_action_for_every_role(action: str, role: Role) -> None:
    rule = RULES[action]
    status = sorted(rule.sources)[0]
    if role in rule.roles:
        check(status, action, role, note="because")
    else:
        with pytest.raises(Forbidden):
            check(status, action, role, note="because")


def test_the_main_road() -> None:
    road = ["verify", "register", "dispatch", "accept", "handle", "check", "close"]
    status = Status.REPORTED
    for action in road:
        status = check(status, action, Role.ADMIN, note="ok")
    assert status is Status.CLOSED and status.is_final


def test_notes_are_required_where_a_reason_matters() -> None:
    for action in ("reject", "return", "handle", "suspend", "reopen", "redo"):
        rule = RULES[action]
        with pytest.raises(Invalid):
            check(sorted(rule.sources)[0], action, sorted(rule.roles)[0], note="  ")


def test_unknown_action_lists_the_allowed_ones() -> None:
    with pytest.raises(Invalid) as info:
        rule_for("teleport")
    assert "close" in info.value.details["allowed"]  # type: ignore[operator]
    with pytest.raises(Invalid):
        rule_for("open")  # only intake opens cases


def test_allowed_actions_agree_with_check() -> None:
    for status, role in itertools.product(Status, Role):
        for action in allowed_actions(status, role):
            check(status, action, role, note="x")


def test_final_states_only_allow_comments_reopen_and_the_spot_check() -> None:
    for status in (Status.CLOSED, Status.REJECTED, Status.WITHDRAWN, Status.MERGED):
        allowed = set(allowed_actions(status, Role.ADMIN))
        # 抽查: a closed case is drawn for a re-check (spot_check) and re-checked (checked)
        assert allowed <= {"comment", "reopen"} | ({"spot_check", "checked"} if status is Status.CLOSED else set())


# -- supervisors' tools (督办, 催办, 批示, 召回) ------------------------------------------------------

OVERSIGHT = {"supervise": {Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR, Role.SYSTEM},
             "urge": {Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR},
             "instruct": {Role.ADMIN, Role.SUPERVISOR},
             "recall": {Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR}}


@pytest.mark.parametrize(("action", "role", "status"), list(itertools.product(sorted(OVERSIGHT), Role, Status)))
def test_supervisors_tools_per_role_and_state(action: str, role: Role, status: Status) -> None:
    reachable = status in {Status.DISPATCHED, Status.HANDLING, Status.HANDLED, Status.CHECKING} \
        if action == "recall" else not status.is_final
    if role not in OVERSIGHT[action]:
        with pytest.raises(Forbidden):
            check(status, action, role, note="请加快")
    elif not reachable:
        with pytest.raises(IllegalTransition):
            check(status, action, role, note="请加快")
    else:
        expected = Status.REGISTERED if action == "recall" else status
        assert check(status, action, role, note="请加快") is expected
        assert action in allowed_actions(status, role) or role is Role.SYSTEM


@pytest.mark.parametrize("action", sorted(OVERSIGHT))
def test_supervisors_tools_need_a_note(action: str) -> None:
    with pytest.raises(Invalid):
        check(Status.HANDLING, action, Role.SUPERVISOR, note=" ")


def test_workers_and_departments_are_told_not_given_the_tools() -> None:
    for role in (Role.WORKER, Role.DEPARTMENT, Role.RESIDENT):
        assert not set(allowed_actions(Status.HANDLING, role)) & set(OVERSIGHT)
