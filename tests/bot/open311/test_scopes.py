"""Scoped API keys: a public key sees category, status and a rounded place; a key limited to channels sees
only those channels' cases. Any key used to read any case with the resident's text and exact coordinates."""

from __future__ import annotations

import uuid

from bot.open311.keys import create_client
from tests.bot.open311.conftest import Open311, form

SECRET_TEXT = "路灯不亮了，我的电话13800001234，身份证440301199001011234"


async def _file(o311: Open311, key: str) -> str:
    answer = await o311.call("POST", "/requests.json", data={**form(o311, description=SECRET_TEXT,
                                                                    address_string="南澳大道88号"), "api_key": key})
    assert answer.status == 201, answer.text
    return str(answer.json()[0]["service_request_id"])


async def test_a_public_key_sees_no_resident_text_and_a_rounded_place(o311: Open311) -> None:
    case_no = await _file(o311, o311.key)
    public = await create_client("pub-" + uuid.uuid4().hex[:8])
    [seen] = (await o311.call("GET", f"/requests/{case_no}.json", params={"api_key": public})).json()
    [full] = (await o311.call("GET", f"/requests/{case_no}.json", params={"api_key": o311.key})).json()
    assert full["description"] == SECRET_TEXT and full["address"] == "南澳大道88号"
    assert (seen["description"], seen["address"], seen["media_url"]) == (None, None, None)
    assert (seen["service_code"], seen["status"]) == (full["service_code"], full["status"])
    assert seen["lat"] == round(full["lat"], 2) and seen["long"] == round(full["long"], 2)
    assert seen["lat"] != full["lat"] or seen["long"] != full["long"]
    listed = (await o311.call("GET", "/requests.json", params={"api_key": public})).json()
    assert listed and all(item["description"] is None for item in listed)
    xml = await o311.call("GET", f"/requests/{case_no}.xml", params={"api_key": public})
    assert "13800001234" not in xml.text


async def test_a_key_limited_to_channels_reads_only_their_cases(o311: Open311) -> None:
    other_name = "oth-" + uuid.uuid4().hex[:8]
    other_key = await create_client(other_name, private=True)
    mine, theirs = await _file(o311, o311.key), await _file(o311, other_key)
    scoped = await create_client("chn-" + uuid.uuid4().hex[:8], private=True, channels=[f"open311:{o311.name}"])
    key = {"api_key": scoped}
    assert (await o311.call("GET", f"/requests/{mine}.json", params=key)).status == 200
    assert (await o311.call("GET", f"/requests/{theirs}.json", params=key)).status == 404
    assert (await o311.call("GET", f"/tokens/{theirs}.json", params=key)).status == 404
    listed = {r["service_request_id"] for r in (await o311.call("GET", "/requests.json", params=key)).json()}
    assert mine in listed and theirs not in listed
    both = (await o311.call("GET", "/requests.json", params={**key, "service_request_id": f"{mine},{theirs}"}))
    assert [r["service_request_id"] for r in both.json()] == [mine]
