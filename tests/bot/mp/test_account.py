"""Subscription credits (wx.requestSubscribeMessage) and alert places."""

from __future__ import annotations

from intake.grid.geodesy import wgs84_to_gcj02
from intake.store.models import AlertPlace, Resident
from tests.bot.mp.conftest import TEMPLATES, Mp, Phone

PROGRESS, RESULT = TEMPLATES


async def test_accepts_become_credits(phone: Phone) -> None:
    empty = await phone.call("GET", "/mp/v1/subscriptions")
    assert (empty.status, empty.body) == (200, {"items": []})
    first = await phone.call("POST", "/mp/v1/subscriptions", json={"results": {PROGRESS: "accept", RESULT: "reject"}})
    assert first.status == 200
    assert first.body["items"] == [{"template_id": PROGRESS, "credits": 1, "last_answer": "accept"},
                                   {"template_id": RESULT, "credits": 0, "last_answer": "reject"}]
    await phone.call("POST", "/mp/v1/subscriptions", json={"results": {PROGRESS: "accept"}})
    await phone.call("POST", "/mp/v1/subscriptions", json={"results": {RESULT: "accept"}})
    held = await phone.call("GET", "/mp/v1/subscriptions")
    assert {i["template_id"]: i["credits"] for i in held.body["items"]} == {PROGRESS: 2, RESULT: 1}
    banned = await phone.call("POST", "/mp/v1/subscriptions", json={"results": {PROGRESS: "ban"}})
    assert {i["template_id"]: i["credits"] for i in banned.body["items"]} == {PROGRESS: 0, RESULT: 1}


async def test_subscription_bodies_are_checked(mp: Mp, phone: Phone) -> None:
    bodies: list[dict[str, object]] = [
        {"results": {}}, {"results": {PROGRESS: "maybe"}}, {"results": {"bad id!": "accept"}},
        {"results": {"unknown-template": "accept"}}, {"results": {PROGRESS: "accept"}, "errMsg": "ok"}]
    for body in bodies:
        reply = await phone.call("POST", "/mp/v1/subscriptions", json=body)
        assert (reply.status, reply.error) == (400, "invalid"), body
    assert (await mp.call("GET", "/mp/v1/subscriptions")).status == 401


async def test_alert_places_are_placed_in_cells(mp: Mp, phone: Phone) -> None:
    home_lat, home_lng = mp.point(0)
    work_lat, work_lng = mp.point(3)
    glng, glat = wgs84_to_gcj02(work_lng, work_lat)
    reply = await phone.call("PUT", "/mp/v1/alert-places", json={"places": [
        {"kind": "home", "lat": home_lat, "lng": home_lng, "datum": "wgs84", "label": "家"},
        {"kind": "work", "lat": glat, "lng": glng}]})
    assert reply.status == 200, reply.body
    index = mp.svc.ctx.grid.index
    by_kind = {p["kind"]: p for p in reply.body["places"]}
    assert by_kind["home"]["grid"]["code"] == index.locate(home_lng, home_lat).code  # type: ignore[union-attr]
    assert by_kind["work"]["grid"]["code"] == index.locate(work_lng, work_lat).code  # type: ignore[union-attr]
    assert abs(by_kind["work"]["lat"] - work_lat) < 1e-4  # stored in WGS-84
    resident = await Resident.get(channel="miniprogram", external_id=phone.openid)
    assert resident.home_grid == by_kind["home"]["grid"]["code"]
    assert (await phone.call("GET", "/mp/v1/alert-places")).body == reply.body
    cleared = await phone.call("PUT", "/mp/v1/alert-places", json={"places": []})
    assert cleared.body == {"places": []} and not await AlertPlace.exists(openid=phone.openid)
    assert (await Resident.get(channel="miniprogram", external_id=phone.openid)).home_grid is None


async def test_alert_places_are_checked(mp: Mp, phone: Phone) -> None:
    lat, lng = mp.point()
    here = {"lat": lat, "lng": lng, "datum": "wgs84"}
    for places in ([{"kind": "home", **here}, {"kind": "home", **here}], [{"kind": "school", **here}],
                   [{"kind": "home", "lat": 39.9, "lng": 116.4}], [{"kind": "home", **here}] * 3,
                   [{"kind": "home", **here, "label": ""}]):
        reply = await phone.call("PUT", "/mp/v1/alert-places", json={"places": places})
        assert (reply.status, reply.error) == (400, "invalid"), places
    assert (await mp.call("PUT", "/mp/v1/alert-places", json={"places": []})).status == 401
