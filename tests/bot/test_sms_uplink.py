"""``POST /sms/uplink/{provider}/{key}``: the provider's push of replies to the 回访 SMS, over HTTP.

The key in the URL is the only proof the push is the provider's (neither Tencent nor Aliyun signs it): a
wrong one is 403 and nothing is read. A well-formed push is acknowledged in the provider's own shape, and
each reply from a caller with an open survey becomes their answer; hostile bodies are refused clearly."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.settings import load_settings
from bot.sms_uplink import replies
from intake.store.models import Rating
from tests.bot.test_settings_sms import TENCENT
from tests.conftest import Services, state_dirs
from tests.intake.surveys.helpers import world
from tests.intake.surveys.test_by_sms import closed_hotline_case, number

KEY = "uplink-key-0123456789abcdef"
TEN = f"/sms/uplink/tencent/{KEY}"


@pytest.fixture(scope="session")
async def sms_server(services: Services) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    settings = load_settings({"GRIDLINE_DATABASE_URL": services.url, **state_dirs(services.home), **TENCENT,
                              "GRIDLINE_SMS_SURVEY_TEMPLATE_ID": "1003", "GRIDLINE_SMS_UPLINK_SECRET": KEY})
    assert settings.sms_surveys and settings.surveys.texted == frozenset({"phone", "hotline"})
    client = TestClient(TestServer(create_app(settings, clock=services.clock, sweeper=False, own_database=False)))
    await client.start_server()
    yield client
    await client.close()


async def post(client: TestClient[web.Request, web.Application], path: str, body: Any) -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with client.post(path, data=data, headers={"Content-Type": "application/json"}) as resp:
        return resp.status, await resp.json() if resp.content_type == "application/json" else await resp.text()


async def asked(svc: Services, uid: str) -> tuple[str, str]:
    """A hotline caller's closed case, its survey due: (case number, the caller's mobile)."""
    w, mobile = world(svc, texted=frozenset({"hotline"})), number(uid)
    case_no = await closed_hotline_case(w, mobile)
    svc.clock.advance(hours=25)
    return case_no, mobile


async def test_a_tencent_reply_answers_the_callers_survey(sms_server: TestClient[web.Request, web.Application],
                                                          svc: Services, uid: str,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    case_no, mobile = await asked(svc, uid)
    reply = {"extend": "", "mobile": mobile, "nationcode": "86", "sign": "网格通", "text": "3 灯还是不亮", "time": 1}
    status, _ = await post(sms_server, f"/sms/uplink/tencent/{'x' * len(KEY)}", reply)
    assert status == 403 and not await Rating.exists(case_no=case_no)
    assert await post(sms_server, TEN, reply) == (200, {"result": 0, "errmsg": "OK"})
    rating = await Rating.get(case_no=case_no)
    assert (rating.score, rating.comment, rating.reporter) == (3, "灯还是不亮", mobile)
    assert await post(sms_server, TEN, reply) == (200, {"result": 0, "errmsg": "OK"})  # a retried push: no harm
    assert await Rating.filter(case_no=case_no).count() == 1
    logged = [(r.getMessage(), getattr(r, "path", "")) for r in caplog.records]
    assert ("request", "/sms/uplink/{provider}/{key}") in logged and KEY not in repr(logged)  # the URL is a secret


async def test_a_push_of_replies_that_are_no_answers_is_acknowledged_and_dropped(
        sms_server: TestClient[web.Request, web.Application], svc: Services, uid: str) -> None:
    case_no, mobile = await asked(svc, uid)
    pushes = [{"mobile": mobile, "nationcode": "852", "text": "1"},  # not a mainland number
              [{"mobile": mobile, "text": "楼下又有人占道经营了"}, {"mobile": "010-62345678", "text": "1"},
               {"mobile": mobile, "text": 1}, {"mobile": None, "text": "1"}]]
    for push in pushes:
        assert await post(sms_server, TEN, push) == (200, {"result": 0, "errmsg": "OK"})
    assert not await Rating.exists(case_no=case_no)


@pytest.mark.parametrize(("path", "body", "status"), [
    (f"/sms/uplink/aliyun/{KEY}", [{"phone_number": "13800138000", "content": "1"}], 400),  # not our provider
    (TEN, b"{", 400), (TEN, b"\xff\xfe", 400), (TEN, [], 400), (TEN, "1", 400), (TEN, [1, 2], 400),
    (TEN, [{"mobile": "13800138000", "text": "1"}] * 101, 400), (TEN, b"[" + b" " * 70_000 + b"]", 400),
    ("/sms/uplink/tencent/", {}, 404), (f"/sms/uplink/tencent/{KEY[:-1]}", {}, 403),
])
async def test_hostile_pushes_are_refused(sms_server: TestClient[web.Request, web.Application], path: str,
                                          body: Any, status: int) -> None:
    got, answer = await post(sms_server, path, body)
    assert got == status, answer


def test_an_aliyun_push_is_read_from_its_own_fields() -> None:
    push = [{"phone_number": "13800138000", "content": "2 还行", "send_time": "2026-11-19 10:00:00",
             "sign_name": "网格通", "dest_code": "1234", "sequence_id": 1},
            {"phone_number": "+86 139-0013-9000", "content": "满意"}, {"phone_number": "62345678", "content": "1"}]
    assert replies(push, "aliyun") == [("+8613800138000", "2 还行"), ("+8613900139000", "满意")]
    assert replies({"mobile": "13800138000", "text": "1"}, "aliyun") == []  # Tencent's fields mean nothing here
