"""Every route of the app × a stranger and each staff role, over HTTP against the real app.

``EXPECT`` classifies each served route (the root's routes and each mounted sub-app's, walked
recursively) by who may reach it; the walk fails on a served route without an entry, and on an entry
for a route that is not served, so a new route must be classified here before it ships. The admin
API's per-role answer is bot/roles.py's matrix (tests/bot/test_role_matrix.py); here a role's bearer
token must open the admin API only: everywhere else it is worth no more than no credentials at all.
Probes use ids that do not exist and broken bodies, so nothing is changed by an allowed request.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot import console, open311, worker
from bot import mp as miniprogram
from bot.app import create_app
from bot.open311.config import Open311Config
from bot.roles import MATRIX, OPEN
from bot.settings import load_settings
from intake.cases.states import Role
from tests.bot.conftest import Api, api, api_server  # noqa: F401
from tests.bot.test_role_matrix import NOT_PROBED, ROLES, tokens
from tests.conftest import state_dirs

pytestmark = pytest.mark.reliability

PUBLIC = "public"  # anyone: 200
REDIRECT = "redirect"  # anyone: a redirect to REDIRECTS[path]
# The walk's app runs in sandbox mode (no WeChat credentials), where "/" opens the simulator.
REDIRECTS = {"/": "/sandbox", "/worker": "/worker/", "/console": "/console/"}
SIGN_IN = "sign-in"  # the sign-in itself: the page is open (200), a broken form is refused (4xx)
SIGN_IN_RETURN = "sign-in-return"  # WeCom's redirect back: 403 without the state this browser began
STATIC = "static"  # a static folder: a real file is served, a missing one is 404
BEARER = "bearer"  # the admin API: 401 without a token
MP_SESSION = "mp-session"  # the mini-program: 401 without its own session
PAGE = "page"  # worker/console pages: GET redirects to the sign-in, anything else 401/403
API_KEY = "api-key"  # Open311 reads and writes: 403 without an api_key (reads are private by default)
SIGNED = "signed"  # /wechat: 403 with a signature WeChat did not make (400 when it is missing altogether)
# What a probe needs so that it is refused for who sends it, not for a missing parameter.
QUERY = {"/wechat": "?signature=0000&timestamp={now}&nonce=walk&echostr=walk&openid=stranger",
         "/sandbox/api/pushes": "?openid=stranger"}

W, C, M, G = worker.PREFIX, console.PREFIX, miniprogram.PREFIX, open311.PREFIX
EXPECT: dict[tuple[str, str], str] = {
    **{route: BEARER for route in MATRIX},
    **dict.fromkeys(OPEN, PUBLIC),  # the admin API's own description (bot/admin_docs.py)
    ("GET", "/healthz"): PUBLIC, ("GET", "/metrics"): PUBLIC, ("GET", "/"): REDIRECT,
    ("GET", "/wechat"): SIGNED, ("POST", "/wechat"): SIGNED,
    # handled photos behind the signed link in a reporter's message: 403 for a token the server did not sign
    ("GET", "/photos/{token}"): SIGNED, ("GET", "/photos/{token}/{number}"): SIGNED,
    # the SMS provider's push of replies to the 回访 SMS: 403 without the secret key in its URL
    ("POST", "/sms/uplink/{provider}/{key}"): SIGNED,
    # the worker's pages (its session cookie)
    ("GET", f"{W}/static"): STATIC, ("GET", W): REDIRECT,
    ("GET", f"{W}/login"): SIGN_IN, ("POST", f"{W}/logout"): PAGE, ("GET", f"{W}/login/wecom"): SIGN_IN,
    ("GET", f"{W}/login/wecom/back"): SIGN_IN_RETURN, ("POST", f"{W}/login/code"): SIGN_IN,
    ("GET", f"{W}/"): PAGE, ("GET", f"{W}/cases/{{case_no}}"): PAGE, ("POST", f"{W}/cases/{{case_no}}"): PAGE,
    ("GET", f"{W}/report"): PAGE, ("POST", f"{W}/report"): PAGE, ("GET", f"{W}/media/{{media_id}}"): PAGE,
    ("GET", f"{W}/sw.js"): PUBLIC,
    ("GET", f"{W}/alerts"): PAGE, ("GET", f"{W}/me"): PAGE, ("POST", f"{W}/alerts/{{alert_id}}"): PAGE,
    # the console (its password session)
    ("GET", f"{C}/static"): STATIC, ("GET", f"{C}/login"): SIGN_IN, ("POST", f"{C}/login"): SIGN_IN,
    ("POST", f"{C}/logout"): PAGE, ("GET", f"{C}/"): PAGE,
    ("GET", f"{C}/login/wecom"): SIGN_IN, ("GET", f"{C}/login/wecom/back"): SIGN_IN_RETURN,
    ("GET", C): REDIRECT,
    ("GET", f"{C}/counts.json"): PAGE, ("GET", f"{C}/counts/stream"): PAGE,
    ("GET", f"{C}/cases/{{case_no}}"): PAGE,
    ("POST", f"{C}/cases/{{case_no}}"): PAGE, ("GET", f"{C}/media/{{media_id}}"): PAGE,
    # the console's alert pages (admins)
    **{(method, f"{C}/alerts{path}"): PAGE for method, path in (
        ("GET", ""), ("POST", ""), ("POST", "/preview"), ("POST", "/cap"), ("GET", "/replay"), ("POST", "/replay"),
        ("GET", "/{alert_id}"), ("GET", "/{alert_id}/coverage.json"), ("POST", "/{alert_id}/preview"),
        ("POST", "/{alert_id}/update"), ("POST", "/{alert_id}/cancel"))},
    # the console's classifier pages (triage for dispatchers too, the rest admins'; the role is the handler's)
    **{(method, f"{C}/nlp{path}"): PAGE for method, path in (
        ("GET", ""), ("GET", "/triage"), ("GET", "/triage/next"), ("POST", "/triage/{case_no}"),
        ("GET", "/labels"), ("POST", "/labels/preview"), ("POST", "/labels/import"), ("GET", "/labels/export"),
        ("GET", "/models"), ("GET", "/models/{id}"), ("POST", "/retrain"), ("GET", "/jobs/{id}.json"),
        ("GET", "/compare"), ("GET", "/confirm/{step}"), ("POST", "/models/{id}/activate"),
        ("POST", "/models/{id}/shadow"), ("POST", "/rollback"), ("POST", "/shadow/clear"),
        ("GET", "/rules"), ("POST", "/rules"), ("POST", "/rules/{id}"), ("GET", "/try"), ("POST", "/try"))},
    # the console's setup section (admins; the page checks the role)
    **{(method, f"{C}/setup{path}"): PAGE for method, path in (
        ("GET", ""), ("GET", "/users"), ("POST", "/users"), ("GET", "/users/{user_id}"), ("POST", "/users/{user_id}"),
        ("GET", "/departments"), ("POST", "/departments"), ("POST", "/departments/{code}"), ("GET", "/groups"),
        ("POST", "/groups"), ("POST", "/groups/{grid_code}"), ("GET", "/categories"), ("POST", "/categories"),
        ("GET", "/categories/{code}"), ("POST", "/categories/{code}"), ("GET", "/grids"), ("POST", "/grids"),
        ("POST", "/grids/confirm"))},
    ("POST", f"{C}/bulk"): PAGE,
    ("GET", f"{C}/staff"): PAGE, ("POST", f"{C}/staff/{{user_id}}/password"): PAGE,
    **{("GET", f"{C}/{path}"): PAGE for path in (
        "map", "map/cells.json", "map/cases.json", "map/heat.json", "map/cells/{code}.json", "stats",
        "stats/export", "stats/report", "cases/export")},
    ("POST", f"{C}/map/inside"): PAGE,
    # the mini-program (its own session, begun by /login with a wx.login code)
    ("POST", f"{M}/login"): SIGN_IN, ("GET", f"{M}/openapi.json"): PUBLIC, ("GET", f"{M}/docs"): PUBLIC,
    **{(method, f"{M}/{path}"): MP_SESSION for method, path in (
        ("POST", "phone"), ("POST", "subscriptions"), ("GET", "subscriptions"), ("PUT", "alert-places"),
        ("GET", "alert-places"), ("POST", "media"), ("GET", "media/{media_id}"), ("POST", "reports"),
        ("GET", "reports"), ("GET", "reports/{case_no}"), ("POST", "reports/{case_no}/second"),
        ("POST", "reports/{case_no}/withdraw"), ("POST", "reports/{case_no}/rating"), ("GET", "me/data"),
        ("POST", "me/erase"), ("POST", "reports/{case_no}/urge"), ("POST", "reports/{case_no}/supplement"),
        ("GET", "grid-worker"))},
    # Open311: discovery and the service list are public; requests and tokens need a key
    ("GET", f"{G}/discovery.{{fmt}}"): PUBLIC, ("GET", f"{G}/services.{{fmt}}"): PUBLIC,
    ("GET", f"{G}/services/{{code}}.{{fmt}}"): PUBLIC,
    ("GET", f"{G}/requests.{{fmt}}"): API_KEY, ("GET", f"{G}/requests/{{id}}.{{fmt}}"): API_KEY,
    ("GET", f"{G}/tokens/{{token}}.{{fmt}}"): API_KEY, ("POST", f"{G}/requests.{{fmt}}"): API_KEY,
    # the simulator, mounted in sandbox mode only (it hands out a demo token: never in production)
    ("GET", "/sandbox"): PUBLIC, ("GET", "/sandbox/api/config"): PUBLIC, ("GET", "/sandbox/api/map"): PUBLIC,
    ("GET", "/sandbox/api/pushes"): PUBLIC, ("GET", "/sandbox/static"): STATIC,
}


def _routes(app: web.Application) -> Iterator[web.AbstractRoute]:
    yield from app.router.routes()
    for sub in getattr(app, "_subapps", []):
        yield from _routes(sub)


def served(app: web.Application) -> dict[tuple[str, str], web.AbstractResource]:
    return {(r.method, r.resource.canonical): r.resource for r in _routes(app)
            if r.resource is not None and r.method != "HEAD"}


def concrete(app_api: Api, path: str, resource: web.AbstractResource) -> str:
    if path in QUERY:
        return path + QUERY[path].format(now=int(app_api.svc.clock.now.timestamp()))
    if isinstance(resource, web.StaticResource):
        folder = Path(resource.get_info()["directory"])
        return f"{path}/{next(p for p in sorted(folder.rglob('*')) if p.is_file()).relative_to(folder)}"
    path = path.replace("{fmt}", "json").replace("{code}", "01037")
    return re.sub(r"\{[^}]+\}", lambda m: "44030700000000000" if "case" in m.group(0) else "999999999", path)


async def _probe(app_api: Api, method: str, path: str, headers: dict[str, str]) -> tuple[int, str]:
    data = None if method == "GET" else b"{"
    sent = {"Content-Type": "application/json", **headers}
    async with app_api.client.request(method, path, data=data, headers=sent, allow_redirects=False) as resp:
        await resp.read()
        return resp.status, resp.headers.get("Location", "")


def wrong_answer(kind: str, method: str, path: str, status: int, location: str) -> bool:
    home = "/" + path.split("/")[1]
    if kind == PUBLIC:
        return status != 200
    if kind == REDIRECT:
        return status not in (301, 302, 303, 307, 308) or location != REDIRECTS[path]
    if kind == SIGN_IN:
        return status != 200 if method == "GET" else not 400 <= status < 500
    if kind == SIGN_IN_RETURN:
        return status != 403
    if kind == STATIC:
        return status != 200
    if kind in (BEARER, MP_SESSION):
        return status != 401
    if kind == PAGE:
        if method == "GET":
            return status not in (302, 303) or not location.startswith(home + "/login")
        return status not in (401, 403)
    return status != 403  # API_KEY, SIGNED


def _sqlite_only(app_api: Api) -> None:
    if not app_api.svc.url.startswith("sqlite"):
        pytest.skip("the walk checks who may reach a route; SQLite is enough")


async def test_every_served_route_is_classified(api: Api) -> None:  # noqa: F811
    routes = set(served(api.client.app))
    assert routes - set(EXPECT) == set(), "routes without an entry: classify them in EXPECT"
    assert set(EXPECT) - routes == set(), "entries for routes that are not served"
    assert {p.split("/")[1] for _, p in routes} >= {"admin", "mp", "open311", "worker", "console", "wechat"}


async def test_a_stranger_gets_what_the_table_says(api: Api) -> None:  # noqa: F811
    _sqlite_only(api)
    wrong = []
    for (method, path), resource in sorted(served(api.client.app).items()):
        status, location = await _probe(api, method, concrete(api, path, resource), {})
        if wrong_answer(EXPECT[method, path], method, path, status, location):
            wrong.append((method, path, EXPECT[method, path], status, location))
    assert wrong == [], "\n".join(map(str, wrong))


@pytest.mark.parametrize("role", ROLES)
async def test_a_staff_token_opens_the_admin_api_only(api: Api, role: Role) -> None:  # noqa: F811
    _sqlite_only(api)
    token = {"Authorization": f"Bearer {(await tokens(api))[role].token}"}
    wrong = []
    for (method, path), resource in sorted(served(api.client.app).items()):
        kind = EXPECT[method, path]
        if kind == BEARER and role in MATRIX[method, path] and (method, path) in NOT_PROBED:
            continue  # allowed, it would act for real
        status, location = await _probe(api, method, concrete(api, path, resource), token)
        if kind == BEARER:
            bad = status == 401 or (role not in MATRIX[method, path]) != (status == 403)
        else:  # the bearer token is no credential here: the stranger's answer
            bad = wrong_answer(kind, method, path, status, location)
        if bad:
            wrong.append((method, path, kind, status))
    assert wrong == [], role


def test_production_serves_the_table_less_the_simulator(tmp_path: Path) -> None:
    settings = load_settings({"GRIDLINE_DATABASE_URL": f"sqlite://{tmp_path / 'unused.sqlite3'}",
                              "GRIDLINE_MODE": "production", "GRIDLINE_WECHAT_TOKEN": "realTokenOfATestAccount",
                              "GRIDLINE_WECHAT_APPID": "wx0123456789abcdef", **state_dirs(tmp_path)})
    app = create_app(settings, sweeper=False, own_database=False)
    assert set(served(app)) == {(m, p) for m, p in EXPECT if not p.startswith("/sandbox")}


async def test_open311_public_reads_open_the_reads_only(api: Api) -> None:  # noqa: F811
    """With ``open311_public_reads`` a stranger may read requests (the spec's default); filing still needs a key."""
    _sqlite_only(api)
    settings = load_settings({"GRIDLINE_DATABASE_URL": api.svc.url, **state_dirs(api.svc.home)})
    app = create_app(settings, clock=api.svc.clock, sweeper=False, own_database=False,
                     open311_config=Open311Config(public_reads=True))
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        opened = Api(client, api.svc, {}, api.leaves, api.other_leaf)
        answers = {}
        for (method, path), resource in sorted(served(app).items()):
            if EXPECT[method, path] == API_KEY:
                answers[method, path] = (await _probe(opened, method, concrete(opened, path, resource), {}))[0]
    finally:
        await client.close()
    assert answers == {("GET", f"{G}/requests.{{fmt}}"): 200, ("GET", f"{G}/requests/{{id}}.{{fmt}}"): 404,
                       ("GET", f"{G}/tokens/{{token}}.{{fmt}}"): 404, ("POST", f"{G}/requests.{{fmt}}"): 403}
