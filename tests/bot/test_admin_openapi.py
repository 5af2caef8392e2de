"""``/admin/v1/openapi.json`` and ``/admin/v1/docs``: every admin route, its body model, roles and query
parameters, and a document that is valid OpenAPI 3.1 (the official meta-schema, as schemathesis ships it)."""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
import schemathesis
from schemathesis.specs.openapi.definitions import OPENAPI_31

from bot import queries
from bot.roles import MATRIX, ORDER
from bot.schemas import ReportBody
from tests.bot.conftest import Api
from tests.bot.test_role_matrix import served

SPEC = "/admin/v1/openapi.json"


async def spec_of(api: Api) -> dict[str, Any]:
    reply = await api.call("GET", SPEC, None)  # no token: the description is open
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("application/json"), reply.body
    body: dict[str, Any] = reply.body
    return body


async def test_every_admin_route_is_documented_with_its_roles_and_query(api: Api) -> None:
    spec = await spec_of(api)
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert documented == served(api)
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            key = (method.upper(), path)
            assert op["x-roles"] == [str(r) for r in ORDER if r in MATRIX[key]], key
            query = {p["name"] for p in op["parameters"] if p["in"] == "query"}
            assert query == queries.QUERY.get(key, frozenset()) | queries.COMMON, key
            assert {p["name"] for p in op["parameters"] if p["in"] == "path"} == set(re.findall(r"\{(\w+)\}", path))
    report = spec["paths"]["/admin/v1/reports"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert report == {"$ref": "#/components/schemas/ReportBody"}
    schema = spec["components"]["schemas"]["ReportBody"]
    assert set(schema["properties"]) == set(ReportBody.model_fields) and schema["additionalProperties"] is False
    assert "201" in spec["paths"]["/admin/v1/reports"]["post"]["responses"]
    cap = spec["paths"]["/admin/v1/alerts/cap"]["post"]["requestBody"]["content"]
    assert list(cap) == ["application/xml"]
    # Every write whose handler reads a body documents it.
    bodiless = ("deactivate", "rotate-token", "cancel", "activate", "shadow", "rollback", "run", "requeue", "revoke")
    missing = [(m, p) for p, ops in spec["paths"].items() for m in ("post", "put", "patch")
               if m in ops and not p.endswith(bodiless) and "requestBody" not in ops[m]]
    assert missing == []


async def test_the_document_is_valid_openapi_3_1(api: Api) -> None:
    spec = await spec_of(api)
    assert spec["openapi"] == "3.1.0"
    validator = jsonschema_rs.Draft202012Validator(OPENAPI_31)
    assert [e.message for e in validator.iter_errors(spec)] == []
    assert not validator.is_valid({"openapi": "3.1.0", "paths": {}})  # the check bites: no info
    broken = {**spec, "paths": {"/x": {"get": {"responses": {"200": {}}}}}}  # a response needs a description
    assert not validator.is_valid(broken)
    for name, schema in spec["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name
    operations = [op.ok() for op in schemathesis.openapi.from_dict(spec).get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) == sum(len(ops) for ops in spec["paths"].values())


async def test_the_docs_page_lists_every_operation_and_loads_nothing(api: Api) -> None:
    reply = await api.call("GET", "/admin/v1/docs", None)
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("text/html")
    page = reply.body if isinstance(reply.body, str) else reply.body.decode()
    for path in (await spec_of(api))["paths"]:
        assert f"<code>{path}</code>" in page
    assert "ReportBody" in page and "dispatcher" in page
    assert "<script" not in page and not re.search(r"(src|href)=[\"']?(https?:)?//", page)
    assert "default-src 'none'" in reply.headers["Content-Security-Policy"]
    refused = await api.call("GET", "/admin/v1/docs", None, params={"x": "1"})
    assert refused.status == 400  # unknown query parameters are refused here too
    assert (await api.call("GET", "/admin/v1/cases", None)).status == 401  # the rest stays closed
