"""The admin API served in-process: one app per backend, real staff users with real tokens.

The app builds its own ``CaseContext`` at start-up (jieba, the grid index), so the
server is session-scoped per backend and every test talks to the same one. It
shares the test clock (``svc.clock``) and the database connection the ``database``
fixture opened. Tests keep apart by their own reporters; cases walked to a given
status are cached per backend and reused by tests whose refused request must
leave them unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from multidict import CIMultiDictProxy

from bot.app import create_app
from bot.auth import hash_token, new_token
from bot.settings import load_settings
from intake.store.models import User, UserGrid
from tests.conftest import Services, state_dirs

BOOTSTRAP_TOKEN = "bootstrap-admin-token-for-tests-0123456789"
WORKER_STREET = "440307011"  # 南澳: the worker's grids and the scoped dispatcher's street
OTHER_STREET = "440307009"  # 葵涌: outside both
QUIET_CATEGORY = "01037"  # 路灯异常: blue, not self-handle, so cases wait for the dispatcher


@dataclass(frozen=True)
class Staff:
    token: str
    user_id: int | None


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: CIMultiDictProxy[str]

    @property
    def error(self) -> str | None:
        return self.body.get("error") if isinstance(self.body, dict) else None


@dataclass
class Api:
    """The served app with its staff; ``call`` sends one request as one of them."""

    client: TestClient[web.Request, web.Application]
    svc: Services
    staff: dict[str, Staff]
    leaves: tuple[str, str]  # the worker's responsibility grids
    other_leaf: str  # a responsibility grid in another street
    walked: dict[str, str] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)

    def auth(self, who: str | None) -> dict[str, str]:
        return {} if who is None else {"Authorization": f"Bearer {self.staff[who].token}"}

    async def call(self, method: str, path: str, who: str | None = "admin", *, json: Any = None,
                   data: bytes | None = None, params: Mapping[str, str] | None = None,
                   headers: Mapping[str, str] | None = None) -> Reply:
        sent = {**self.auth(who), **(headers or {})}
        async with self.client.request(method, path, json=json, data=data, params=params, headers=sent) as resp:
            body: Any = await resp.json() if resp.content_type == "application/json" else await resp.text()
            return Reply(resp.status, body, resp.headers)

    def point(self, code: str) -> tuple[float, float]:
        """``(lat, lng)`` of a leaf's centroid (WGS-84)."""
        lng, lat = self.svc.ctx.grid.index.centroid(code)
        return lat, lng


async def _staff(name: str, role: str, grids: tuple[str, ...] = (), active: bool = True) -> Staff:
    token = new_token()
    user = await User.create(name=name, role=role, token_hash=hash_token(token), active=active, origin="apitest")
    await UserGrid.bulk_create([UserGrid(user=user, grid_code=g) for g in grids])
    return Staff(token, user.id)


def _leaves_of(svc: Services, street: str) -> list[str]:
    """Leaves of a street whose centroid falls inside themselves, from the end of the index
    (the lifecycle tests use the first leaves)."""
    index = svc.ctx.grid.index
    found = []
    for leaf in reversed(index.leaves):
        if leaf.code.startswith(street):
            placed = index.locate(*index.centroid(leaf.code))
            if placed is not None and placed.code == leaf.code and placed.inside:
                found.append(leaf.code)
        if len(found) == 3:
            break
    return found


@pytest.fixture(scope="session")
async def api_server(services: Services) -> AsyncIterator[Api]:
    settings = load_settings({"GRIDLINE_DATABASE_URL": services.url, "GRIDLINE_ADMIN_TOKEN": BOOTSTRAP_TOKEN,
                              **state_dirs(services.home)})
    app = create_app(settings, clock=services.clock, sweeper=False, own_database=False)
    client = TestClient(TestServer(app))
    await client.start_server()
    mine = _leaves_of(services, WORKER_STREET)
    leaves = (mine[0], mine[1])
    staff = {
        "bootstrap": Staff(BOOTSTRAP_TOKEN, None),
        "admin": await _staff("API 管理员", "admin"),
        "desk": await _staff("API 调度员", "dispatcher"),
        "street": await _staff("API 南澳调度员", "dispatcher", (WORKER_STREET,)),
        "w1": await _staff("API 网格员甲", "worker", leaves),
        "w2": await _staff("API 网格员乙", "worker", (leaves[0],)),
        "gone": await _staff("API 离职调度员", "dispatcher", active=False),
        "sup": await _staff("API 督查员", "supervisor"),
    }
    yield Api(client, services, staff, leaves, _leaves_of(services, OTHER_STREET)[0])
    await client.close()


@pytest.fixture
def api(api_server: Api, svc: Services) -> Api:
    """The backend's API with the shared clock back at ``T0``."""
    return api_server


# -- driving cases through the API ----------------------------------------------------------------

ROAD = ("reported", "verifying", "registered", "dispatched", "handling", "handled", "checking", "closed")
ROAD_ACTIONS = ("verify", "register", "dispatch", "accept", "handle", "check", "close")
# A side status: (the road status it leaves from, the action that leads there).
SIDE = {"rejected": ("verifying", "reject"), "withdrawn": ("reported", "withdraw"),
        "returned": ("dispatched", "return"), "suspended": ("handling", "suspend"),
        "merged": ("registered", "merge"), "voided": ("handling", "void")}
BY_ASSIGNEE = frozenset({"accept", "handle", "return"})


async def report(api: Api, reporter: str, description: str = "路灯不亮了，晚上很黑", *, who: str = "desk",
                 leaf: str | None = None, **extra: Any) -> Reply:
    lat, lng = api.point(leaf or api.leaves[0])
    body = {"channel": "test", "reporter": reporter, "description": description, "lat": lat, "lng": lng,
            "category": QUIET_CATEGORY, **extra}
    return await api.call("POST", "/admin/v1/reports", who, json=body)


async def open_case(api: Api, reporter: str, **kw: Any) -> str:
    reply = await report(api, reporter, **kw)
    assert reply.status == 201, reply.body
    return str(reply.body["case_no"])


def action_body(api: Api, action: str, into: str | None = None) -> dict[str, Any]:
    """A request for ``action`` that is complete, so only the state or the role can refuse it."""
    extra: dict[str, dict[str, Any]] = {
        "dispatch": {"user_id": api.staff["w1"].user_id}, "request_extension": {"hours": 24},
        "reclassify": {"category": "01038"}, "second": {"channel": "test", "reporter": "neighbour"},
        "merge": {"into": into}, "void": {"reason": "false_report"}, "request_void": {"reason": "false_report"},
        "verified": {"result": "confirmed", "attachments": ["staff:photo-1"], **_at(api)},
        "checked": {"result": "pass", "attachments": ["staff:photo-1"], **_at(api)},
        "assist": {"department": "440307-water"}, "answer_assist": {"attachments": ["staff:photo-2"]},
        "waive_assist": {"assist": 1}}
    return {"action": action, "note": f"{action}: 测试说明", **extra.get(action, {})}


def _at(api: Api) -> dict[str, float]:
    """Standing on the worker's first leaf (where ``report`` puts its cases)."""
    lat, lng = api.point(api.leaves[0])
    return {"lat": lat, "lng": lng}


async def act(api: Api, case_no: str, action: str, who: str, into: str | None = None) -> Reply:
    return await api.call("POST", f"/admin/v1/cases/{case_no}/actions", who, json=action_body(api, action, into))


async def walk(api: Api, status: str, reporter: str, leaf: str | None = None) -> str:
    """A new case in the worker's grid (or ``leaf``), brought to ``status`` through the API."""
    base, last = SIDE.get(status, (status, None))
    case_no = await open_case(api, reporter, leaf=leaf)
    into = await open_case(api, reporter + "-target") if last == "merge" else None
    for action in (*ROAD_ACTIONS[:ROAD.index(base)], *([last] if last else [])):
        reply = await act(api, case_no, action, "w1" if action in BY_ASSIGNEE else "desk", into)
        assert reply.status == 200, (action, reply.body)
    assert (await snapshot(api, case_no))[0] == status
    return case_no


async def case_in(api: Api, status: str) -> str:
    """A case in ``status`` shared by the tests of this backend (only for requests that must be refused)."""
    if status not in api.walked:
        api.walked[status] = await walk(api, status, f"walked-{status}")
    return api.walked[status]


async def snapshot(api: Api, case_no: str) -> tuple[str, int, str]:
    """What a refused request must leave alone: the status, the number of events, the last hash."""
    reply = await api.call("GET", f"/admin/v1/cases/{case_no}")
    assert reply.status == 200, reply.body
    events = reply.body["events"]
    return reply.body["status"], len(events), events[-1]["hash"]


async def count_by(api: Api, reporter: str) -> int:
    reply = await api.call("GET", "/admin/v1/cases", params={"reporter": reporter})
    assert reply.status == 200, reply.body
    return int(reply.body["total"])
