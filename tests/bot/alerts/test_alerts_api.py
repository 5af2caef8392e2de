"""The alerts admin API: CAP intake, composing, validation, update / cancel, coverage and acknowledgements."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from tests.bot.conftest import OTHER_STREET, Api, _staff
from tests.conftest import shared_data
from tests.reliability.bombs import polygon_bomb

CN = "standards/cap_example_cn_henan_11B06.xml"
XML = {"Content-Type": "application/xml"}


async def test_every_cap_sample(api: Api) -> None:
    for path in [*sorted(shared_data("cap").glob("*.xml")), shared_data(CN)]:
        reply = await api.call("POST", "/admin/v1/alerts/cap", data=path.read_bytes(), headers=XML)
        if path.name.startswith("NEGATIVE"):
            assert reply.status == 400 and reply.error == "invalid_cap", reply.body
            assert "urn:oasis:names:tc:emergency:cap:1.2" in reply.body["message"]
        else:
            assert reply.status in (200, 201), (path.name, reply.body)
            assert set(reply.body) >= {"id", "cells", "residents"} and reply.body["cells"] == 0


def cn_cap(uid: str, geocode: str = "440307011000", msg: str = "Alert", refs: str = "") -> bytes:
    return f"""<alert><identifier>44030041600000_{uid}</identifier><sender>深圳市气象台</sender>
<sendTime>2023-09-01 08:00:00+08:00</sendTime><status>Actual</status><msgType>{msg}</msgType><scope>Public</scope>
<references>{refs}</references><info><eventType>11B06</eventType><severity>Orange</severity>
<headline>深圳市气象台发布大风橙色预警</headline><description>大风</description><area><areaDesc>南澳</areaDesc>
<geocode>{geocode}</geocode></area></info></alert>""".encode()


async def test_cap_targets_grid_and_dedupes(api: Api, uid: str) -> None:
    first = await api.call("POST", "/admin/v1/alerts/cap", data=cn_cap(uid), headers=XML)
    assert first.status == 201 and first.body["cells"] > 100, first.body
    again = await api.call("POST", "/admin/v1/alerts/cap", data=cn_cap(uid), headers=XML)
    assert again.status == 200 and again.body["action"] == "duplicate" and again.body["id"] == first.body["id"]
    cancel = await api.call("POST", "/admin/v1/alerts/cap", headers=XML,
                            data=cn_cap(uid + "c", msg="Cancel", refs=f"44030041600000_{uid}"))
    assert cancel.status == 200 and cancel.body["action"] == "cancelled"
    shown = await api.call("GET", f"/admin/v1/alerts/{first.body['id']}")
    assert shown.body["status"] == "cancelled" and shown.body["signal"] == "05"


@pytest.mark.parametrize("body", [
    b"", b"<!DOCTYPE a [<!ENTITY x 'y'>]><alert/>", b"<alert><identifier>x",
    b'<?xml version="1.0"?><!DOCTYPE alert SYSTEM "http://example.com/x.dtd"><alert/>',
])
async def test_hostile_cap(api: Api, body: bytes) -> None:
    reply = await api.call("POST", "/admin/v1/alerts/cap", data=body, headers=XML)
    assert reply.status == 400, reply.body


async def test_a_large_cap_sent_in_pieces_is_read_whole(api: Api, uid: str) -> None:
    # A document of ~190 KB (under the limit) arriving over many network reads must not be cut short.
    body = cn_cap(uid).replace(b"</info>", b"</info>" + b"\n" * 190_000)

    async def pieces() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]
            await asyncio.sleep(0)

    async with api.client.post("/admin/v1/alerts/cap", data=pieces(), headers={**api.auth("admin"), **XML}) as resp:
        assert resp.status == 201, await resp.text()
    # Cancelled again: an alert left in force over 南澳 would be seen (and its cards sent) by other tests.
    cancel = await api.call("POST", "/admin/v1/alerts/cap", headers=XML,
                            data=cn_cap(uid + "c", msg="Cancel", refs=f"44030041600000_{uid}"))
    assert cancel.status == 200 and cancel.body["action"] == "cancelled"


async def test_cap_size_limit_and_roles(api: Api) -> None:
    big = b"<alert>" + b" " * (300 * 1024) + b"</alert>"
    assert (await api.call("POST", "/admin/v1/alerts/cap", data=big, headers=XML)).status == 413
    cn = cn_cap("roles")  # refused before it is read
    assert (await api.call("POST", "/admin/v1/alerts/cap", "w1", data=cn, headers=XML)).status == 403
    assert (await api.call("POST", "/admin/v1/alerts/cap", None, data=cn, headers=XML)).status == 401


def body(leaf: str, **kw: object) -> dict[str, object]:
    return {"signal": "台风", "colour": "yellow", "area": {"grids": [leaf]}, "message": "台风将影响本区",
            "guidance": "关好门窗", **kw}


async def test_compose_update_cancel_and_coverage(api: Api, uid: str) -> None:
    leaf, other = api.leaves
    lat, lng = api.point(leaf)
    created = await api.call("POST", "/admin/v1/alerts", json=body(leaf, area={
        "circle": {"lat": lat, "lng": lng, "radius_km": 0.01}}))
    assert created.status == 201 and created.body["cells"] >= 1, created.body
    alert_id = created.body["id"]
    ack = await api.call("POST", f"/admin/v1/alerts/{alert_id}/acks", "w1", json={"grid": leaf,
                                                                                 "text": "已通知到户 12 户"})
    assert ack.status == 201 and ack.body["households"] == 12
    foreign = await api.call("POST", f"/admin/v1/alerts/{alert_id}/acks", "w2", json={"grid": other,
                                                                                     "households": 3})
    assert foreign.status == 403
    assert (await api.call("POST", f"/admin/v1/alerts/{alert_id}/acks", "w1",
                           json={"grid": leaf, "text": "收到"})).status == 400
    shown = await api.call("GET", f"/admin/v1/alerts/{alert_id}")
    assert shown.status == 200 and shown.body["delivery"] == "outbox"
    cell = next(c for c in shown.body["coverage"] if c["grid"] == leaf)
    assert cell["acks"][0]["households"] == 12 and cell["reached"] == 0
    up = await api.call("POST", f"/admin/v1/alerts/{alert_id}/update", json={"colour": "red",
                                                                           "area": {"grids": [leaf, other]}})
    assert up.status == 200 and up.body["action"] == "updated" and up.body["cells"] == 2
    bad = await api.call("POST", f"/admin/v1/alerts/{alert_id}/update", json={"colour": "purple"})
    assert bad.status == 400
    gone = await api.call("POST", f"/admin/v1/alerts/{alert_id}/cancel")
    assert gone.status == 200 and gone.body["action"] == "cancelled"
    assert (await api.call("POST", f"/admin/v1/alerts/{alert_id}/cancel")).status == 409
    listed = await api.call("GET", "/admin/v1/alerts", params={"per_page": "5"})
    assert listed.status == 200 and listed.body["items"][0]["id"] >= alert_id


@pytest.mark.parametrize("bad", [
    {"signal": "龙卷风"}, {"colour": "purple"}, {"signal": "高温", "colour": "blue"}, {"message": ""},
    {"message": "x" * 1001}, {"area": {}}, {"area": {"polygon": [[114.5, 22.5], [114.6, 22.5]]}},
    {"area": {"polygon": [[514.5, 22.5], [114.6, 22.5], [114.6, 22.6]]}},
    {"area": {"circle": {"lat": 22.5, "lng": 114.5, "radius_km": 5000}}},
    {"area": {"divisions": ["4403"]}}, {"area": {"grids": ["44030799999999999"]}}, {"area": {"grids": ["abc"]}},
    {"expires": "2020-01-01T00:00:00+08:00"}, {"expires": "2030-01-01T00:00:00"}, {"extra": 1},
    {"message": "nul\x00byte"},
])
async def test_compose_validation(api: Api, bad: dict[str, object]) -> None:
    reply = await api.call("POST", "/admin/v1/alerts", json={**body(api.leaves[0]), **bad})
    assert reply.status == 400, (bad, reply.body)


async def test_not_found_and_roles(api: Api) -> None:
    assert (await api.call("GET", "/admin/v1/alerts/99999999")).status == 404
    assert (await api.call("GET", "/admin/v1/alerts/abc")).status == 404
    assert (await api.call("POST", "/admin/v1/alerts", "w1", json=body(api.leaves[0]))).status == 403
    assert (await api.call("POST", "/admin/v1/alerts", json=[1, 2])).status == 400


async def test_a_polygon_bomb_never_stalls_healthz(api: Api) -> None:
    """A dispatcher's self-crossing polygon froze the server, /healthz included (make_valid on the loop)."""
    lat, lng = api.point(api.leaves[0])
    bomb = body(api.leaves[0], area={"polygon": [list(p) for p in polygon_bomb(300, (lng, lat))]})
    sent = asyncio.ensure_future(api.call("POST", "/admin/v1/alerts", "street", json=bomb))
    worst = 0.0
    while not sent.done():
        started = time.perf_counter()
        probe = await api.call("GET", "/healthz", None)
        worst = max(worst, time.perf_counter() - started)
        assert probe.status in (200, 503)
        await asyncio.sleep(0.02)
    reply = sent.result()
    assert reply.status == 400 and "cross each other" in reply.body["message"], reply.body
    assert worst < 1.0


def _declared(uid: str, encoding: str) -> str:
    return f'<?xml version="1.0" encoding="{encoding}"?>' + cn_cap(uid).decode()


@pytest.mark.parametrize(("encoding", "codec"), [("GB2312", "gb2312"), ("GBK", "gbk"), ("gb18030", "gb18030"),
                                                 ("UTF-16", "utf-16")])
async def test_cap_in_a_declared_encoding_is_read(api: Api, uid: str, encoding: str, codec: str) -> None:
    # GB2312 was a 500 (expat: "multi-byte encodings are not supported"); older warning systems write it.
    reply = await api.call("POST", "/admin/v1/alerts/cap", data=_declared(uid, encoding).encode(codec), headers=XML)
    assert reply.status == 201, reply.body
    cancel = await api.call("POST", "/admin/v1/alerts/cap", headers=XML,
                            data=cn_cap(uid + "c", msg="Cancel", refs=f"44030041600000_{uid}"))
    assert cancel.status == 200


@pytest.mark.parametrize("data", [
    _declared("enc1", "Shift_JIS").encode("shift_jis", "replace"), _declared("enc2", "x-klingon").encode(),
    _declared("enc3", "GBK").encode("utf-8") + b"\xff\xfe\xfa", _declared("enc4", "UTF-8").encode("utf-16-le"),
    cn_cap("enc5").decode().encode("utf-32"), _declared("enc6", "rot13").encode(),
])
async def test_cap_in_an_encoding_we_cannot_read_is_400(api: Api, data: bytes) -> None:
    reply = await api.call("POST", "/admin/v1/alerts/cap", data=data, headers=XML)
    assert reply.status == 400 and reply.error == "invalid_cap", reply.body


async def _kuiyong(api: Api) -> str:
    if "kuiyong" not in api.staff:
        api.staff["kuiyong"] = await _staff("API 葵涌调度员", "dispatcher", (OTHER_STREET,))
    return "kuiyong"


async def test_a_street_dispatcher_changes_only_alerts_of_their_own_area(api: Api) -> None:
    kuiyong, nanao_leaf = await _kuiyong(api), api.leaves[0]
    by_nanao = await api.call("POST", "/admin/v1/alerts", "street", json=body(nanao_leaf))
    assert by_nanao.status == 201, by_nanao.body
    alert_id = by_nanao.body["id"]
    # 葵涌's dispatcher may neither update nor cancel 南澳's alert; nothing changes.
    up = await api.call("POST", f"/admin/v1/alerts/{alert_id}/update", kuiyong, json={"colour": "red"})
    gone = await api.call("POST", f"/admin/v1/alerts/{alert_id}/cancel", kuiyong)
    assert (up.status, gone.status) == (403, 403), (up.body, gone.body)
    shown = await api.call("GET", f"/admin/v1/alerts/{alert_id}")
    assert (shown.body["status"], shown.body["version"], shown.body["colour"]) == ("active", 1, "yellow")
    # Nor issue one reaching into 南澳, nor widen 南澳's own alert into 葵涌.
    assert (await api.call("POST", "/admin/v1/alerts", kuiyong, json=body(nanao_leaf))).status == 403
    wider = await api.call("POST", f"/admin/v1/alerts/{alert_id}/update", "street",
                           json={"area": {"grids": [nanao_leaf, api.other_leaf]}})
    assert wider.status == 403, wider.body
    # The author's own street may; so may an admin, anywhere.
    assert (await api.call("POST", f"/admin/v1/alerts/{alert_id}/update", "street",
                           json={"colour": "orange"})).status == 200
    assert (await api.call("POST", f"/admin/v1/alerts/{alert_id}/cancel", "admin")).status == 200


async def test_a_city_wide_alert_is_not_a_street_dispatchers_to_cancel(api: Api, uid: str) -> None:
    city = await api.call("POST", "/admin/v1/alerts/cap", "admin", data=cn_cap(uid), headers=XML)
    assert city.status == 201, city.body
    by_cap = await api.call("POST", "/admin/v1/alerts/cap", "street", headers=XML,
                            data=cn_cap(uid + "c", msg="Cancel", refs=f"44030041600000_{uid}"))
    direct = await api.call("POST", f"/admin/v1/alerts/{city.body['id']}/cancel", "street")
    assert (by_cap.status, direct.status) == (403, 403), (by_cap.body, direct.body)
    assert (await api.call("POST", f"/admin/v1/alerts/{city.body['id']}/cancel", "desk")).status == 200
