"""JSON answers are UTF-8 as written (bot/jsonout.py), from every view and every error."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.jsonout import dumps
from tests.bot.conftest import Api

ROOT = Path(__file__).resolve().parents[2]


def test_one_encoder_serves_every_json_answer() -> None:
    """``web.json_response`` escapes every non-ASCII character unless given our ``dumps``: only
    bot/jsonout.py may call it."""
    offenders = [str(path.relative_to(ROOT)) for package in ("bot", "outbox", "tuning")
                 for path in sorted((ROOT / package).rglob("*.py"))
                 if path.name != "jsonout.py" and re.search(r"web\.json_response\(", path.read_text("utf-8"))]
    assert offenders == []


def test_dumps_writes_chinese_and_dates_and_refuses_other_objects() -> None:
    assert dumps({"name": "路灯异常", "at": datetime(2026, 11, 18, 1, 0, tzinfo=UTC)}) == \
        '{"name": "路灯异常", "at": "2026-11-18T01:00:00+00:00"}'
    with pytest.raises(TypeError, match="object is not JSON serialisable"):
        dumps({"x": object()})


async def test_an_admin_answer_and_an_error_are_unescaped_utf8(api: Api) -> None:
    async with api.client.get("/admin/v1/taxonomy", headers=api.auth("admin")) as resp:
        raw = await resp.read()
        assert resp.status == 200 and resp.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "路灯异常".encode() in raw and b"\\u" not in raw
    async with api.client.get("/admin/v1/taxonomy/不存在", headers=api.auth("admin")) as resp:
        raw = await resp.read()
    assert resp.status == 404 and "不存在".encode() in raw and b"\\u" not in raw
