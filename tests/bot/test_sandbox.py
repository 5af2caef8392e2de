"""``/sandbox`` over HTTP: the page and its JSON, 404 in production, and a report sent as the page sends it.

``Page`` does from Python what ``static/app.js`` does in the browser: it reads the token from
``/sandbox/api/config``, builds WeChat's callback XML, signs it and POSTs it to ``/wechat``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.keys import WECHAT
from bot.sandbox import STATIC_DIR, labels, pushes
from bot.settings import load_settings
from bot.wechat.menu import MENU
from intake.grid.model import Datum, Level
from intake.store.models import Case
from intake.store.models_outbox import OutboxMessage
from notify.recording import RecordingNotifier
from notify.types import Notification, Recipient
from outbox.deliveries import Shown, deliveries
from outbox.directory import Directory
from outbox.notifier import OutboxNotifier
from outbox.router import ReachRouter, RouteConfig
from outbox.store import DbOutboxStore
from tests.bot.wechat.signing import message_xml
from tests.conftest import Services, state_dirs

Client = TestClient[web.Request, web.Application]
_ids = itertools.count(int(time.time() * 1000) * 1000)


async def _serve(services: Services, **env: str) -> Client:
    settings = load_settings({"GRIDLINE_DATABASE_URL": services.url, **state_dirs(services.home), **env})
    client = TestClient(TestServer(create_app(settings, clock=services.clock, sweeper=False, own_database=False)))
    await client.start_server()
    return client


@pytest.fixture(scope="module")
async def sandbox(services: Services) -> AsyncIterator[Client]:
    client = await _serve(services)  # no WeChat credentials: sandbox mode
    yield client
    await client.close()


@dataclass
class Page:
    """A resident at the simulator: every call is one signed callback, as the page makes it."""

    client: Client
    config: dict[str, Any]
    openid: str
    since: int = 0
    after: str = ""
    states: dict[str, Any] = field(default_factory=dict)

    async def send(self, **fields: str | int | float) -> str:
        head: dict[str, str | int | float] = {"ToUserName": self.config["to_user"], "FromUserName": self.openid,
                                              "CreateTime": int(time.time())}
        if fields["MsgType"] != "event":
            fields["MsgId"] = str(next(_ids))
        timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**10))
        signature = hashlib.sha1("".join(sorted((self.config["token"], timestamp, nonce))).encode()).hexdigest()
        query = {"signature": signature, "timestamp": timestamp, "nonce": nonce, "openid": self.openid}
        async with self.client.post("/wechat", params=query, data=message_xml({**head, **fields}).encode()) as resp:
            body = await resp.text()
        assert resp.status == 200, body
        return "" if body == "success" else ET.fromstring(body).findtext("Content") or ""

    async def pushes(self) -> list[dict[str, Any]]:
        params = {"openid": self.openid, "since": str(self.since), "after": self.after}
        async with self.client.get("/sandbox/api/pushes", params=params) as resp:
            body = await resp.json()
        self.since, self.after = body["next"], body["last_key"] or ""
        self.states = body["states"]
        items: list[dict[str, Any]] = body["items"]
        return items


async def get_json(client: Client, path: str) -> Any:
    async with client.get(path) as resp:
        assert resp.status == 200 and resp.content_type == "application/json", await resp.text()
        return await resp.json()


async def test_the_page_and_its_files_are_served(sandbox: Client) -> None:
    async with sandbox.get("/sandbox") as resp:
        page = await resp.text()
        assert resp.status == 200 and resp.content_type == "text/html"
    for asset in ("/sandbox/static/app.js", "/sandbox/static/style.css"):
        assert asset in page
        async with sandbox.get(asset) as resp:
            assert resp.status == 200, asset
    async with sandbox.get("/sandbox/static/app.js") as resp:
        assert "crypto.subtle.digest" in await resp.text()


async def test_config_gives_the_token_and_named_places_in_gcj02(sandbox: Client, svc: Services) -> None:
    config = await get_json(sandbox, "/sandbox/api/config")
    assert config["token"] == sandbox.app[WECHAT].token and config["to_user"] == "gh_sandbox"
    by_name = {p["name"]: p for p in config["places"]}
    assert {"较场尾", "南澳墟镇", "葵涌社区"} <= set(by_name)
    for place in config["places"]:
        hit = svc.ctx.grid.locate(place["lng"], place["lat"], Datum.GCJ02)
        assert hit is not None and hit.inside, place
    # The landmark's own cell (from the gazetteer) is where its GCJ-02 point falls.
    match = svc.ctx.grid.match_address("较场尾")
    hit = svc.ctx.grid.locate(by_name["较场尾"]["lng"], by_name["较场尾"]["lat"], Datum.GCJ02)
    assert match is not None and hit is not None and hit.code.startswith(match.code)


async def test_map_is_a_small_feature_collection_of_streets_and_communities(sandbox: Client, svc: Services) -> None:
    async with sandbox.get("/sandbox/api/map") as resp:
        raw = await resp.read()
    fc = json.loads(raw)
    assert fc["type"] == "FeatureCollection" and len(raw) < 200_000
    levels = [f["properties"]["level"] for f in fc["features"]]
    assert levels.count("street") == 3 and levels.count("community") == 24
    west, south, east, north = fc["bbox"]
    assert 114.3 < west < east < 114.7 and 22.4 < south < north < 22.7
    for feature in fc["features"]:
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        lng, lat = feature["properties"]["label"]
        hit = svc.ctx.grid.locate(lng, lat, Datum.GCJ02)
        assert hit is not None and hit.code.startswith(feature["properties"]["code"]), feature["properties"]
    cell = svc.ctx.grid.index.find(fc["features"][-1]["properties"]["code"])
    assert cell is not None and cell.level is Level.COMMUNITY


async def test_pushes_needs_an_openid_and_an_integer_since(sandbox: Client) -> None:
    for params in ({}, {"openid": "x" * 65}, {"openid": "oSandbox1", "since": "later"}):
        async with sandbox.get("/sandbox/api/pushes", params=params) as resp:
            assert resp.status == 400, params
    body = await get_json(sandbox, "/sandbox/api/pushes?openid=oSandboxNobody&since=999999999")
    assert body["items"] == [] and isinstance(body["next"], int)


async def test_pushes_keep_their_place_when_the_recorder_slides(svc: Services) -> None:
    def note(n: int, who: str = "resident", ref: str = "oA") -> Notification:
        return Notification("case.open" if who == "resident" else "case.task", Recipient(who, ref, "wechat"),
                            key=f"k{n}{who}", case_no=f"c{n}")

    recorder = RecordingNotifier(maxlen=4)
    await recorder.publish([note(0), note(1), note(9, ref="oB")])
    first = pushes(recorder.sent, "oA", 0, None, svc.ctx)
    assert [i["case_no"] for i in first["items"]] == ["c0", "c1"] and not first["reset"]
    # Full: the oldest drop off and positions slide; the last key seen still marks the place.
    await recorder.publish([note(2), note(2, "grid_group", "440307010001001"), note(9, "grid_group")])
    second = pushes(recorder.sent, "oA", first["next"], first["last_key"], svc.ctx)
    assert [(i["kind"], i["case_no"]) for i in second["items"]] == [("case.open", "c2"), ("case.task", "c2")]
    assert second["items"][1]["payload"] == {} and not second["reset"]
    # A restarted server has none of it: start over, and say so.
    again = pushes(RecordingNotifier().sent, "oA", second["next"], second["last_key"], svc.ctx)
    assert again == {"next": 0, "last_key": None, "reset": True, "items": []}


async def test_every_sandbox_route_is_404_in_production() -> None:
    settings = load_settings({"GRIDLINE_WECHAT_TOKEN": "t" * 32, "GRIDLINE_WECHAT_APPID": "wx0123456789abcdef"})
    app = create_app(settings, sweeper=False, own_database=False)
    # Routing alone decides this, so the app is served without its start-up (database, models).
    app.cleanup_ctx.clear()
    async with TestClient(TestServer(app)) as client:
        for path in ("/sandbox", "/sandbox/", "/sandbox/api/config", "/sandbox/api/map",
                     "/sandbox/api/pushes?openid=o1", "/sandbox/static/app.js", "/sandbox/static/index.html"):
            async with client.get(path) as resp:
                assert resp.status == 404, path
        async with client.get("/metrics") as resp:
            assert resp.status == 200  # the app itself answers: only the sandbox is missing


async def test_a_configured_token_is_never_handed_out() -> None:
    settings = load_settings({"GRIDLINE_MODE": "sandbox", "GRIDLINE_WECHAT_TOKEN": "realTokenOfATestAccount"})
    app = create_app(settings, sweeper=False, own_database=False)
    app.cleanup_ctx.clear()  # as above: the refusal comes before any service is needed
    async with TestClient(TestServer(app)) as client, client.get("/sandbox/api/config") as resp:
        assert resp.status == 403 and "realToken" not in await resp.text()


async def test_a_report_made_like_the_page_gets_a_case_and_its_pushes(sandbox: Client, svc: Services,
                                                                      uid: str) -> None:
    page = Page(sandbox, await get_json(sandbox, "/sandbox/api/config"), f"oSandbox{uid}")
    place = next(p for p in page.config["places"] if p["name"] == "较场尾")
    assert "我要反映" in await page.send(MsgType="event", Event="subscribe", EventKey="")
    assert await page.send(MsgType="event", Event="CLICK", EventKey="REPORT")
    said = "路边暴露垃圾没人清理，很臭"
    assert "在哪里" in await page.send(MsgType="voice", MediaId="sandbox-voice-1", Format="amr", Recognition=said)
    assert "共1张" in await page.send(MsgType="image", PicUrl="http://mmbiz.qpic.cn/sandbox/m1", MediaId="sandbox-m1")
    summary = await page.send(MsgType="location", Location_X=place["lat"], Location_Y=place["lng"], Scale=15,
                              Label=place["name"])
    assert "回复“1”确认提交" in summary and "较场尾" in summary
    done = await page.send(MsgType="text", Content="1")
    if "新建" in done:  # a similar report nearby from another test: submit ours anyway
        done = await page.send(MsgType="text", Content="新建")
    case = await Case.get(reporter=page.openid)
    assert case.case_no in done and case.photos == ["wechat-media:sandbox-m1"] and case.description == said
    pushed = await page.pushes()
    to_resident = [p for p in pushed if p["recipient"] == {"kind": "resident", "ref": page.openid, "channel": "wechat"}]
    assert [p["kind"] for p in to_resident] == ["case.open"] and to_resident[0]["case_no"] == case.case_no
    # 暴露垃圾 is on the self-handle list: dispatched at once, with a task card for the grid's group.
    assert case.category_code == "06010" and case.assignee_user_id is not None
    task = next(p for p in pushed if p["recipient"]["kind"] == "grid_group")
    assert case.grid_code is not None and task["case_no"] == case.case_no and task["recipient"]["ref"] == case.grid_code
    assert task["kind"] == "case.task" and task["payload"]["grid_name"] == svc.ctx.grid.index.cell(case.grid_code).name
    # Labels from gettext, and what the outbox did: the 已受理 was the callback's own reply (delivered);
    # the task card is queued here (no sender runs in this app), never shown as sent.
    assert to_resident[0]["label"] == "已受理" and task["label"] == "任务派发"
    assert page.states[to_resident[0]["key"]]["state"] == "delivered"
    assert page.states[to_resident[0]["key"]]["channel"] == "passive_reply"
    assert page.states[task["key"]]["state"] in ("queued", "stopped")
    assert await page.pushes() == []  # incremental: nothing new since the last poll
    assert set(page.states) >= {to_resident[0]["key"], task["key"]}  # states are answered at every poll


def test_the_page_menu_is_the_real_menu() -> None:
    """What the sandbox's menu offers is what ``gridline wechat menu`` creates, so texts that name it hold."""
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    for button in MENU["button"]:
        assert f">{button['name']}<" in page
        for sub in button.get("sub_button", []):
            attr = "data-location" if sub["type"] == "location_select" else "data-key"
            assert f'{attr}="{sub["key"]}">{sub["name"]}<' in page, sub
    assert ">＋<" in page  # the prompt "发送位置（＋→位置）" names it


async def test_states_fold_the_outbox_row(svc: Services, uid: str) -> None:
    """Scheduled (not_before ahead), stopped with the router's reason, and a key never written."""
    now = svc.clock()
    to = Recipient("resident", f"oState{uid}", "wechat")
    later = Notification("survey.request", to, f"st-{uid}-later", not_before=now + timedelta(hours=20))
    card = Notification("case.task", Recipient("grid_group", "999999999999"), f"st-{uid}-card")
    await OutboxNotifier(svc.clock).publish([later, card])
    store = DbOutboxStore(ReachRouter(Directory(), RouteConfig("http://x", None)))
    await store.route_pending(now, only=[(await OutboxMessage.get(key=card.key)).id])
    found = await deliveries([later.key, card.key, f"st-{uid}-none"], now)
    assert found[later.key].shown is Shown.SCHEDULED and found[later.key].until == now + timedelta(hours=20)
    assert found[card.key].shown is Shown.STOPPED and "no WeCom group" in found[card.key].reason
    assert f"st-{uid}-none" not in found
    shown = labels.describe(found[later.key])
    assert shown["label"].startswith("暂缓发送 至 ") and labels.describe(None)["state"] == "unknown"
    assert labels.kind_label("case.handle") == "已处置，待核查" and labels.kind_label("survey.request") == "满意度回访"
