"""The state machine and the role boundaries as the admin API enforces them.

The cases are generated from ``intake.cases.states.RULES``: every action from every
status it does not start from (409), and every staff role it does not allow (403).
Refused requests must leave the case exactly as it was, so one walked case per
status serves all of them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.auth import hash_token
from intake.cases.states import ACTIONS, RULES, Role, Status
from intake.store.models import Case
from tests.bot.conftest import ROAD, SIDE, Api, act, case_in, count_by, open_case, report, walk

# role → the user acting in it (a department user sees only its department's cases: tests/bot/test_admin_users.py)
STAFF = {Role.ADMIN: "admin", Role.DISPATCHER: "desk", Role.WORKER: "w1", Role.SUPERVISOR: "sup"}
CASES = "/admin/v1/cases"

# Each (action, status) pair is tried once, by one allowed staff role; the role rotates with the status so
# that every allowed role meets every action somewhere in the table.
ILLEGAL = [(action, status, allowed[i % len(allowed)])
           for action in sorted(ACTIONS) if (allowed := sorted(RULES[action].roles & set(STAFF)))
           for i, status in enumerate(Status) if status not in RULES[action].sources]
OUTSIDE_ROLE = [(action, role) for action in sorted(ACTIONS) for role in STAFF if role not in RULES[action].roles]


async def stored(case_no: str) -> tuple[str, int, str]:
    """The case as the database holds it: status, number of events, last hash."""
    case = await Case.get(case_no=case_no)
    return case.status, case.last_seq, case.last_hash


def a_source_of(action: str) -> str:
    """The first status along the road (then the side paths) that the action may start from."""
    return next(s for s in (*ROAD, *SIDE) if s in RULES[action].sources)


@pytest.mark.parametrize(("action", "status", "role"), ILLEGAL, ids=[f"{a}-from-{s}-as-{r}" for a, s, r in ILLEGAL])
async def test_illegal_transition_is_409_and_changes_nothing(api: Api, action: str, status: Status,
                                                            role: Role) -> None:
    case_no = await case_in(api, status)
    into = await case_in(api, "reported")
    before = await stored(case_no)
    reply = await act(api, case_no, action, STAFF[role], into)
    assert (reply.status, reply.error) == (409, "illegal_transition"), reply.body
    assert reply.body["details"] == {"action": action, "status": status,
                                     "allowed_from": sorted(RULES[action].sources)}
    assert await stored(case_no) == before


@pytest.mark.parametrize(("action", "role"), OUTSIDE_ROLE, ids=[f"{a}-as-{r}" for a, r in OUTSIDE_ROLE])
async def test_role_outside_the_rule_is_403_and_changes_nothing(api: Api, action: str, role: Role) -> None:
    case_no = await case_in(api, a_source_of(action))
    into = await case_in(api, "reported")
    before = await stored(case_no)
    reply = await act(api, case_no, action, STAFF[role], into)
    assert (reply.status, reply.error) == (403, "forbidden"), reply.body
    assert await stored(case_no) == before


def test_the_generated_tables_cover_the_whole_state_machine() -> None:
    assert set(Status) == {*ROAD, *SIDE}  # the walk helper reaches every status
    system_only = {a for a in ACTIONS if not RULES[a].roles & set(STAFF)}
    # only their 403 can be seen through the admin API (a resident's 催办 and 补充: tests/bot/test_resident_steps.py)
    assert system_only == {"escalate", "anonymise", "resident_urge", "supplement", "upstream"}
    assert {a for a, _, _ in ILLEGAL} == {a for a in ACTIONS if RULES[a].sources != set(Status)} - system_only
    # every allowed staff role is refused somewhere for every action that has illegal statuses
    assert {(a, r) for a, _, r in ILLEGAL} == {(a, r) for a, _, _ in ILLEGAL for r in RULES[a].roles & set(STAFF)}


# -- visibility ------------------------------------------------------------------------------------

async def listed(api: Api, who: str, reporter: str) -> list[str]:
    reply = await api.call("GET", CASES, who, params={"reporter": reporter})
    assert reply.status == 200, reply.body
    return [item["case_no"] for item in reply.body["items"]]


async def test_worker_sees_own_grids_and_assigned_cases_only(api: Api, uid: str) -> None:
    mine = await open_case(api, uid, leaf=api.leaves[1])
    elsewhere = await open_case(api, uid, leaf=api.other_leaf)
    assigned = await open_case(api, uid, leaf=api.other_leaf)
    for action in ("register", "dispatch"):
        assert (await act(api, assigned, action, "desk")).status == 200
    assert sorted(await listed(api, "w1", uid)) == sorted([mine, assigned])
    assert (await api.call("GET", f"{CASES}/{elsewhere}", "w1")).status == 404
    assert (await api.call("GET", f"{CASES}/{assigned}", "w1")).status == 200
    before = await stored(elsewhere)
    reply = await act(api, elsewhere, "verify", "w1")
    assert (reply.status, reply.error) == (404, "not_found")
    assert await stored(elsewhere) == before


async def test_worker_with_one_grid_does_not_see_the_other(api: Api, uid: str) -> None:
    first = await open_case(api, uid, leaf=api.leaves[0])
    second = await open_case(api, uid, leaf=api.leaves[1])
    assert await listed(api, "w2", uid) == [first]
    assert (await api.call("GET", f"{CASES}/{second}", "w2")).status == 404


async def test_street_dispatcher_sees_only_its_street(api: Api, uid: str) -> None:
    inside = await open_case(api, uid, leaf=api.leaves[0])
    outside = await open_case(api, uid, leaf=api.other_leaf)
    assert await listed(api, "street", uid) == [inside]
    assert sorted(await listed(api, "desk", uid)) == sorted([inside, outside])
    assert (await api.call("GET", f"{CASES}/{outside}", "street")).status == 404
    before = await stored(outside)
    assert (await act(api, outside, "register", "street")).status == 404
    assert await stored(outside) == before
    assert (await act(api, inside, "register", "street")).status == 200


async def test_unplaced_case_is_listed_exactly_when_it_can_be_opened(api: Api, uid: str) -> None:
    case_no = await open_case(api, uid, lat=None, lng=None, description="有个问题需要处理")
    assert (await api.call("GET", f"{CASES}/{case_no}")).body["grid"] is None
    for who in ("street", "desk", "w1"):
        visible = (await api.call("GET", f"{CASES}/{case_no}", who)).status == 200
        assert (case_no in await listed(api, who, uid)) == visible, who


async def test_worker_who_is_not_the_assignee_cannot_accept_or_handle(api: Api, uid: str) -> None:
    case_no = await walk(api, "dispatched", uid)
    before = await stored(case_no)
    for action in ("accept", "return", "request_extension"):
        reply = await act(api, case_no, action, "w2")
        assert (reply.status, reply.error) == (403, "forbidden"), (action, reply.body)
    assert await stored(case_no) == before
    assert (await act(api, case_no, "accept", "w1")).status == 200
    before = await stored(case_no)
    reply = await act(api, case_no, "handle", "w2")
    assert (reply.status, reply.error) == (403, "forbidden")
    assert await stored(case_no) == before
    assert (await act(api, case_no, "comment", "w2")).status == 200  # seeing and commenting is fine


async def test_workers_cannot_open_reports(api: Api, uid: str) -> None:
    reply = await report(api, uid, who="w1")
    assert (reply.status, reply.error) == (403, "forbidden")
    assert await count_by(api, uid) == 0


# -- taxonomy writes -------------------------------------------------------------------------------

NEW_CATEGORY = {"code": "29990", "parent": "29", "name_zh": "越权类别", "name_en": "Not allowed"}


@pytest.mark.parametrize("who", ["desk", "street", "w1"])
async def test_taxonomy_writes_need_an_admin(api: Api, who: str) -> None:
    version = (await api.call("GET", "/admin/v1/taxonomy")).body["version"]
    reply = await api.call("POST", "/admin/v1/taxonomy", who, json=NEW_CATEGORY)
    assert (reply.status, reply.error) == (403, "forbidden")
    reply = await api.call("PATCH", "/admin/v1/taxonomy/29001", who, json={"name_zh": "改名"})
    assert (reply.status, reply.error) == (403, "forbidden")
    assert (await api.call("GET", "/admin/v1/taxonomy")).body["version"] == version
    assert (await api.call("GET", "/admin/v1/taxonomy/29990")).status == 404
    assert (await api.call("GET", "/admin/v1/taxonomy/29001")).body["name_zh"] != "改名"


@pytest.mark.parametrize("who", ["desk", "street", "w1"])
async def test_staff_can_read_the_taxonomy(api: Api, who: str) -> None:
    for path in ("/admin/v1/taxonomy", "/admin/v1/taxonomy/versions", "/admin/v1/taxonomy/01037"):
        assert (await api.call("GET", path, who)).status == 200, path


# -- authentication --------------------------------------------------------------------------------

def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def typo(token: str) -> str:
    return token[:-1] + ("B" if token[-1] != "B" else "C")


CREDENTIALS: dict[str, Callable[[Api], dict[str, str]]] = {
    "none": lambda api: {},
    "empty": lambda api: {"Authorization": ""},
    "basic-scheme": lambda api: {"Authorization": "Basic ZGVzazpwYXNzd29yZA=="},
    "token-scheme": lambda api: {"Authorization": f"Token {api.staff['desk'].token}"},
    "bearer-without-token": lambda api: {"Authorization": "Bearer"},
    "bearer-blank": lambda api: {"Authorization": "Bearer    "},
    "no-space": lambda api: {"Authorization": f"Bearer{api.staff['desk'].token}"},
    "wrong-token": lambda api: bearer("glt_" + "A" * 43),
    "token-with-a-typo": lambda api: bearer(typo(api.staff["desk"].token)),
    "hash-instead-of-token": lambda api: bearer(hash_token(api.staff["desk"].token)),
    "sql": lambda api: bearer("' OR '1'='1"),
    "inactive-user": lambda api: bearer(api.staff["gone"].token),
    "bootstrap-prefix": lambda api: bearer(api.staff["bootstrap"].token[:16]),
    "bootstrap-typo": lambda api: bearer(typo(api.staff["bootstrap"].token)),
}


@pytest.mark.parametrize("kind", list(CREDENTIALS))
async def test_bad_credentials_are_401_with_a_challenge(api: Api, uid: str, kind: str) -> None:
    headers = CREDENTIALS[kind](api)
    for method, path in (("GET", CASES), ("POST", "/admin/v1/reports"), ("GET", "/admin/v1/taxonomy")):
        async with api.client.request(method, path, headers=headers,
                                      json={"channel": "test", "reporter": uid, "description": "x"}) as resp:
            assert resp.status == 401, (method, path)
            assert resp.headers["WWW-Authenticate"] == 'Bearer realm="gridline"'
            body = await resp.json()
            assert body["error"] == "unauthorized" and body["message"]
    assert await count_by(api, uid) == 0


@pytest.mark.parametrize("who", ["bootstrap", "admin"])
async def test_admin_tokens_reach_everything(api: Api, uid: str, who: str) -> None:
    reply = await report(api, uid, who=who)
    assert reply.status == 201, reply.body
    assert (await act(api, reply.body["case_no"], "register", who)).status == 200


async def test_scheme_is_case_insensitive(api: Api) -> None:
    reply = await api.call("GET", CASES, None, headers={"Authorization": f"bearer {api.staff['desk'].token}"})
    assert reply.status == 200


async def test_health_and_metrics_need_no_token(api: Api) -> None:
    assert (await api.call("GET", "/healthz", None)).status == 200
    assert (await api.call("GET", "/metrics", None)).status == 200
