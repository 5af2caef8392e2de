"""预警 on the worker's phone: the group card's link opens my warnings; 已通知到户 N 户 / 需要支援 is
recorded like the API's acknowledgement; other cells, hostile input and a missing CSRF token change nothing."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import pytest

from intake.store.models_alerts import AlertAck
from outbox.alert_texts import ask
from outbox.texts import Words
from tests.bot.conftest import walk
from tests.bot.worker.conftest import Site
from tests.bot.worker.test_pages import signed_in

LINK = re.compile(r"\]\((http://[^)]+)\)")


@pytest.fixture
async def alert_id(site: Site) -> AsyncIterator[int]:
    """A yellow typhoon warning over w1's first cell, cancelled afterwards (other tests see no alert in force)."""
    leaf = site.api.leaves[0]
    made = await site.api.call("POST", "/admin/v1/alerts", json={
        "signal": "台风", "colour": "yellow", "area": {"grids": [leaf]}, "message": "台风将影响本区",
        "guidance": "关好门窗", "instructions": "逐户通知低洼住户转移\n<b>带好手电</b>"})
    assert made.status == 201, made.body
    yield int(made.body["id"])
    assert (await site.api.call("POST", f"/admin/v1/alerts/{made.body['id']}/cancel")).status == 200


async def test_the_card_link_opens_my_warnings_and_an_answer_is_recorded(site: Site, uid: str, alert_id: int) -> None:
    leaf = site.api.leaves[0]
    card = ask("alert.card", {"alert_id": alert_id, "grid": leaf, "ack": ["已通知到户 N 户", "需要支援"]},
               Words("zh_CN"), "http://gridline.example")
    found = LINK.search(card[-1])
    assert found and "/admin/" not in found.group(1)
    path = found.group(1).removeprefix("http://gridline.example")
    async with site.phone() as stranger, stranger.get(path, allow_redirects=False) as resp:
        assert resp.status == 303 and resp.headers["Location"].startswith("/worker/login?next=")  # sign in first
    phone, csrf = await signed_in(site, "w1", await walk(site.api, "dispatched", f"wa-{uid}"))
    async with phone:
        async with phone.get(path) as resp:
            page = await resp.text()
        assert resp.status == 200 and "台风将影响本区" in page and f'id="ack-{alert_id}-{leaf}"' in page
        assert "act ack focus" in page  # the card's cell
        # The workers' instructions (never in a resident's message) are on their page, as text, line breaks kept.
        assert "网格员工作要求" in page and "逐户通知低洼住户转移\n&lt;b&gt;带好手电&lt;/b&gt;" in page
        data = {"csrf": csrf, "grid": leaf, "households": "12", "note": "挨家挨户", "idem": uuid.uuid4().hex}
        for _ in range(2):  # a double tap: one answer
            async with phone.post(f"/worker/alerts/{alert_id}", data=data, allow_redirects=False) as resp:
                assert resp.status == 303 and resp.headers["Location"] == "/worker/alerts"
        async with phone.get("/worker/alerts") as resp:
            page = await resp.text()
        assert "flash ok" in page and "12" in page
        await phone.post(f"/worker/alerts/{alert_id}", data={"csrf": csrf, "grid": leaf, "support": "1"})
    acks = await AlertAck.filter(alert_id=alert_id)
    assert [(a.grid_code, a.households, a.support) for a in acks] == [(leaf, None, True)]  # replaced, as the API does
    shown = await site.api.call("GET", f"/admin/v1/alerts/{alert_id}")
    assert next(c for c in shown.body["coverage"] if c["grid"] == leaf)["acks"][0]["support"] is True


@pytest.mark.parametrize("form", [
    {"households": "abc"}, {"households": "-1"}, {"households": "99999999"}, {},  # neither number nor support
    {"grid": "OTHER"},  # a cell of another street
])
async def test_hostile_or_foreign_answers_store_nothing(site: Site, uid: str, alert_id: int,
                                                        form: dict[str, str]) -> None:
    leaf = site.api.leaves[0]
    phone, csrf = await signed_in(site, "w1", await walk(site.api, "dispatched", f"wh-{uid}"))
    data = {"csrf": csrf, "grid": leaf, **form}
    if data["grid"] == "OTHER":
        data.update(grid=site.api.other_leaf, households="3")
    async with phone:
        async with phone.post(f"/worker/alerts/{alert_id}", data=data) as resp:
            page = await resp.text()
        assert resp.status == 400 or "flash error" in page
        async with phone.post(f"/worker/alerts/{alert_id}", data={"grid": leaf, "households": "3"}) as resp:
            assert resp.status == 403  # no CSRF token
        async with phone.post("/worker/alerts/99999999", data={"csrf": csrf, "grid": leaf, "households": "3"}) as resp:
            assert resp.status == 404
    assert await AlertAck.filter(alert_id=alert_id).count() == 0


async def test_no_warning_says_so(site: Site, uid: str) -> None:
    phone, _ = await signed_in(site, "w2", await walk(site.api, "dispatched", f"wn-{uid}"))
    async with phone, phone.get("/worker/alerts?lang=en") as resp:
        assert resp.status == 200 and "No warning in force for your cells." in await resp.text()
