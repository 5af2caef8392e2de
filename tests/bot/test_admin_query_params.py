"""Unknown query parameters are refused by name on every admin endpoint; declared ones are read.

``?light=red`` once returned every case, unfiltered: the answer looked filtered and was not.
"""

from __future__ import annotations

import inspect

from aiohttp import web

from bot import admin
from bot.queries import COMMON, QUERY
from tests.bot.conftest import Api


def _routes() -> list[web.AbstractRoute]:
    return [r for r in admin.build().router.routes() if r.method == "GET"]


def _path(canonical: str) -> str:
    return canonical.replace("{case_no}", "440307-20261118-00001-0").replace("{", "").replace("}", "")


async def test_every_get_route_names_the_unknown_parameter(api: Api) -> None:
    for route in _routes():
        path = admin.PREFIX + _path(route.resource.canonical)
        reply = await api.call("GET", path, params={"light": "red", "lang": "en"})
        assert reply.status == 400, (path, reply.body)
        assert reply.body["details"]["unknown"] == ["light"], path


async def test_declared_parameters_are_not_refused_as_unknown(api: Api) -> None:
    for (method, canonical), names in QUERY.items():
        for name in sorted(names | COMMON):
            reply = await api.call(method, _path(canonical), params={name: "1"})
            details = reply.body.get("details") if isinstance(reply.body, dict) else None
            assert "unknown" not in (details or {}), (canonical, name, reply.body)


def test_every_declared_parameter_is_read_by_its_view() -> None:
    views = {(r.method, admin.PREFIX + r.resource.canonical): inspect.getsource(inspect.getmodule(r.handler))
             for r in _routes()}
    for key, names in QUERY.items():
        assert key in views, f"{key} is declared but not served"
        for name in names:
            read = f'"{name}"' in views[key] or name in ("page", "per_page") or key[1].endswith("/cases/export")
            assert read, f"{key} declares {name} and reads it nowhere"
