"""Discovery, services and service definitions, field by field against the spec summary, in JSON and XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from aiohttp.test_utils import TestClient

from tests.bot.open311.conftest import Open311, spec_fields


def _xml_items(text: str, item: str) -> list[dict[str, str | None]]:
    root = ET.fromstring(text)
    return [{child.tag: child.text for child in element} for element in root.iter(item)]


async def test_discovery_has_every_spec_field(o311: Open311) -> None:
    fields = spec_fields("Service discovery")
    top = [f for f in fields if f in ("changeset", "contact", "key_service", "endpoints")]
    endpoint_fields = ["specification", "url", "changeset", "type", "formats"]
    assert set(top) == {"changeset", "contact", "key_service", "endpoints"} and set(endpoint_fields) <= set(fields)
    js = await o311.call("GET", "/discovery.json")
    assert js.status == 200 and js.headers["Content-Type"].startswith("application/json")
    body = js.json()
    assert list(body) == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = body["endpoints"][0]
    assert list(endpoint) == endpoint_fields
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] in ("production", "test")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    xml = await o311.call("GET", "/discovery.xml")
    assert xml.status == 200 and xml.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(xml.text)
    assert root.tag == "discovery" and root.findtext("key_service") == body["key_service"]
    assert [f.text for f in root.iter("format")] == endpoint["formats"]
    assert root.find("endpoints/endpoint/url").text == endpoint["url"]  # type: ignore[union-attr]


async def test_discovery_uses_the_public_url(open_server: TestClient) -> None:  # type: ignore[type-arg]
    async with open_server.get("/open311/v2/discovery.json") as resp:
        body = await resp.json()
    assert body["endpoints"][0]["url"] == "https://gov.example.cn/open311/v2"


async def test_services_are_the_live_leaf_categories(o311: Open311) -> None:
    fields = spec_fields("Service (GET /services) fields")
    assert fields == ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
    js = await o311.call("GET", "/services.json")
    services = js.json()
    catalog = o311.svc.ctx.taxonomy.catalog
    assert [s["service_code"] for s in services] == [c.code for c in catalog.leaves()]
    lamp = next(s for s in services if s["service_code"] == "01037")
    assert list(lamp) == fields
    assert (lamp["service_name"], lamp["metadata"], lamp["type"]) == ("路灯异常", True, "realtime")
    assert lamp["group"] == catalog.get("01").name_zh
    assert "路灯不亮" in lamp["keywords"].split(",")
    english = (await o311.call("GET", "/services.json", params={"lang": "en"})).json()
    assert next(s for s in english if s["service_code"] == "01037")["service_name"] == "Streetlight out or damaged"
    xml = await o311.call("GET", "/services.xml")
    items = _xml_items(xml.text, "service")
    assert len(items) == len(services)
    as_xml = next(i for i in items if i["service_code"] == "01037")
    assert list(as_xml) == fields
    assert as_xml == {k: ("true" if v is True else str(v)) for k, v in lamp.items()}


async def test_service_definition(o311: Open311) -> None:
    js = await o311.call("GET", "/services/01037.json")
    assert js.status == 200
    body = js.json()
    assert list(body) == ["service_code", "attributes"] and body["service_code"] == "01037"
    spec = spec_fields("Service definition")
    for attribute in body["attributes"]:
        assert set(attribute) - {"values"} == {"variable", "code", "datatype", "required", "datatype_description",
                                               "order", "description"} <= set(spec)
        assert attribute["datatype"] in ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
    assert [a["order"] for a in body["attributes"]] == [1, 2]
    listed = body["attributes"][1]
    assert listed["values"] == [{"key": "no", "name": "No"}, {"key": "yes", "name": "Yes, people are in danger now"}]
    xml = ET.fromstring((await o311.call("GET", "/services/01037.xml")).text)
    assert xml.tag == "service_definition" and xml.findtext("service_code") == "01037"
    attributes = xml.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["landmark", "urgent"]
    assert attributes[0].findtext("variable") == "true" and attributes[0].findtext("required") == "false"
    assert [v.findtext("key") for v in attributes[1].findall("values/value")] == ["no", "yes"]


async def test_unknown_services_are_404_in_the_spec_shape(o311: Open311) -> None:
    for code in ("99999", "01", "x"):
        js = await o311.call("GET", f"/services/{code}.json")
        assert js.status == 404 and js.json() == [{"code": 404, "description": f"service_code {code!r} not found"}]
    xml = await o311.call("GET", "/services/99999.xml")
    root = ET.fromstring(xml.text)
    assert (xml.status, root.tag, root.findtext("error/code")) == (404, "errors", "404")


async def test_router_errors_answer_in_the_spec_shape(o311: Open311) -> None:
    for method, path, status, fmt in (("GET", "/nothing.json", 404, "json"), ("GET", "/services.csv", 404, "xml"),
                                      ("PUT", "/services.json", 405, "json"), ("DELETE", "/requests.xml", 405, "xml")):
        answer = await o311.call(method, path)
        assert answer.status == status, path
        if fmt == "json":
            assert answer.json()[0]["code"] == status
        else:
            assert ET.fromstring(answer.text).findtext("error/code") == str(status)


async def test_another_jurisdiction_is_404(open_server: TestClient) -> None:  # type: ignore[type-arg]
    async with open_server.get("/open311/v2/services.json", params={"jurisdiction_id": "elsewhere.cn"}) as resp:
        assert resp.status == 404 and (await resp.json())[0]["code"] == 404
    async with open_server.get("/open311/v2/services.json", params={"jurisdiction_id": "dapeng.example.cn"}) as resp:
        assert resp.status == 200


def test_every_case_status_has_an_open311_note() -> None:
    # A status added to the state table without a note here made every request list holding such a case a 500
    # (voided cases, found by the route walk).
    from bot.open311.mapping import NOTES
    from intake.cases.states import Status

    assert set(Status) == set(NOTES)
