"""How routes are mounted: each channel a sub-application at its prefix, admin authentication on the admin
sub-app only, shared state reached from the root, and the worker's and the console's pages behind their own
sign-in."""

from __future__ import annotations

import re

from aiohttp import web

from bot import admin, console, open311, roles, worker
from bot import mp as miniprogram
from tests.bot.conftest import Api


def _served(app: web.Application) -> set[tuple[str, str]]:
    return {(r.method, r.resource.canonical) for r in app.router.routes()
            if r.resource is not None and r.method != "HEAD"}


async def test_every_admin_route_refuses_a_caller_without_a_token(api: Api) -> None:
    admin_routes = {(m, p) for m, p in _served(api.client.app) if p.startswith(admin.PREFIX + "/")}
    assert len(admin_routes) > 40  # cases, grid, taxonomy, alerts, surveys, messages, nlp
    for method, path in sorted(admin_routes - {(m, p) for m, p in roles.OPEN}):  # the API's own description
        concrete = re.sub(r"\{[^}]+\}", "x1", path)
        reply = await api.call(method, concrete, who=None)
        assert reply.status == 401 and reply.body["error"] == "unauthorized", (method, path)


async def test_outside_admin_no_token_is_asked_for(api: Api) -> None:
    for path in ("/healthz", "/metrics", f"{miniprogram.PREFIX}/openapi.json", f"{open311.PREFIX}/discovery.json"):
        reply = await api.call("GET", path, who=None)
        assert reply.status == 200, path


async def test_admin_handlers_reach_the_root_state_and_keep_their_urls(api: Api) -> None:
    reply = await api.call("GET", f"{admin.PREFIX}/taxonomy")  # the case context lives on the root app
    assert reply.status == 200 and reply.body
    missing = await api.call("GET", f"{admin.PREFIX}/no-such-thing")
    assert (missing.status, missing.body["error"]) == (404, "not_found")  # the root's JSON errors still apply


async def test_every_console_page_but_the_sign_in_needs_a_session(api: Api) -> None:
    pages = {(m, p) for m, p in _served(api.client.app) if p.startswith(console.PREFIX + "/")}
    assert {("GET", "/console/"), ("GET", "/console/cases/{case_no}"), ("POST", "/console/cases/{case_no}")} <= pages
    for method, path in sorted(pages):
        if path in ("/console/login", "/console/static", "/console/logout") or path.startswith("/console/login/"):
            continue  # the sign-in ways (password, WeCom QR and its return) and the static files
        concrete = re.sub(r"\{[^}]+\}", "x1", path)
        async with api.client.request(method, concrete, allow_redirects=False) as resp:
            if method == "GET":
                assert resp.status in (302, 303) and "/console/login" in resp.headers["Location"], path
            else:
                assert resp.status in (401, 403), (method, path)


async def test_every_worker_page_but_the_sign_in_needs_a_session(api: Api) -> None:
    pages = {(m, p) for m, p in _served(api.client.app) if p.startswith(worker.PREFIX + "/")}
    assert {("GET", "/worker/"), ("GET", "/worker/cases/{case_no}"), ("POST", "/worker/cases/{case_no}")} <= pages
    for method, path in sorted(pages):
        if path in ("/worker/login", "/worker/static", "/worker/sw.js") or path.startswith("/worker/login/"):
            continue  # the sign-in ways, the static files and the service worker (and /worker, a redirect)
        concrete = re.sub(r"\{[^}]+\}", "x1", path)
        async with api.client.request(method, concrete, allow_redirects=False) as resp:
            if method == "GET":
                assert resp.status == 303 and resp.headers["Location"].startswith("/worker/login?next="), path
            else:
                assert resp.status == 401, (method, path)
