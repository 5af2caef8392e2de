"""The OpenAPI document matches the routes, the docs page stands alone, and schemathesis finds no 5xx.

schemathesis is synchronous (``requests``), so it runs in a worker thread
while the session's event loop goes on serving the app it calls.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from bot.mp.openapi import document
from bot.mp.replies import ReportView
from tests.bot.mp.conftest import Mp, Phone

EXAMPLES = 30


async def test_every_route_is_documented(mp: Mp) -> None:
    reply = await mp.call("GET", "/mp/v1/openapi.json")
    assert reply.status == 200
    spec = reply.body
    assert spec["openapi"] == "3.1.0" and spec == document()
    served = {(r.method.lower(), r.resource.canonical) for r in mp.client.app.router.routes()
              if r.resource is not None and r.resource.canonical.startswith("/mp/v1/") and r.method != "HEAD"}
    documented = {(m, p) for p, ops in spec["paths"].items() for m in ops}
    assert documented == served - {("get", "/mp/v1/openapi.json"), ("get", "/mp/v1/docs")}
    view = spec["components"]["schemas"]["ReportView"]
    assert set(view["properties"]) == set(ReportView.model_fields)
    assert spec["components"]["schemas"]["ReportBody"]["additionalProperties"] is False


async def test_the_docs_page_lists_the_paths_without_external_resources(mp: Mp) -> None:
    reply = await mp.call("GET", "/mp/v1/docs")
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("text/html")
    page = reply.body.decode()
    for path in document()["paths"]:
        assert path.replace("{", "").split("}")[0].split("/")[-1] in page
    assert "<script" not in page and not re.search(r"(src|href)=[\"']?(https?:)?//", page)
    assert "default-src 'none'" in reply.headers["Content-Security-Policy"]


def _fuzz(base: str, token: str) -> tuple[list[str], dict[int, int]]:
    """Every operation, valid and invalid inputs: the failures (a 5xx, a status or type not documented),
    and how many answers of each status came back."""
    schema = schemathesis.openapi.from_dict(document())
    failures: list[str] = []
    seen: dict[int, int] = {}
    auth = {"Authorization": f"Bearer {token}"}
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

    def probe(label: str, strategy: Any) -> None:
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case: Any) -> None:
            response = case.call(base_url=base, headers=auth)
            seen[response.status_code] = seen.get(response.status_code, 0) + 1
            try:
                case.validate_response(response, checks=checks)
            except Exception as exc:  # collect all, so one run shows every failing operation
                failures.append(f"{label} {response.status_code}: {exc}"[:500])

        run()

    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an Err would raise here, which is what we want
        for mode in GenerationMode:
            probe(f"{operation.label} [{mode.value}]", operation.as_strategy(generation_mode=mode))
    return failures, seen


async def test_schemathesis_finds_no_server_error(mp: Mp, phone: Phone) -> None:
    base = str(mp.client.make_url("/")).rstrip("/")
    failures, seen = await asyncio.get_running_loop().run_in_executor(None, _fuzz, base, phone.token)
    assert failures == []
    assert not any(status >= 500 for status in seen)
    assert seen.get(200, 0) + seen.get(201, 0) > 20 and seen.get(400, 0) > 50, seen  # it did get through
