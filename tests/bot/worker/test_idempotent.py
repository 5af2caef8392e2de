"""A worker's action POST with an ``idem`` key applies once: replays, concurrent duplicates, the JSON answer."""

from __future__ import annotations

import asyncio
import uuid

from intake.store.models import CaseEvent
from tests.bot.conftest import walk
from tests.bot.worker.conftest import Site
from tests.bot.worker.test_pages import signed_in, status_of

JSON = {"Accept": "application/json"}


async def accepts(case_no: str) -> int:
    return await CaseEvent.filter(case_no=case_no, action="accept").count()


async def test_the_same_key_twice_applies_once_and_answers_the_same(site: Site, uid: str) -> None:
    case_no = await walk(site.api, "dispatched", f"wi-{uid}")
    phone, csrf = await signed_in(site, "w1", case_no)
    data = {"csrf": csrf, "action": "accept", "idem": uuid.uuid4().hex}
    async with phone:
        for _ in range(2):
            async with phone.post(f"/worker/cases/{case_no}", data=data) as resp:
                page = await resp.text()
            assert resp.status == 200 and "flash ok" in page  # the replay shows the first answer, not an error
        assert await accepts(case_no) == 1 and await status_of(case_no) == "handling"
        # A new key for the same step: applied anew, and refused by the domain in clear words.
        async with phone.post(f"/worker/cases/{case_no}", data={**data, "idem": uuid.uuid4().hex},
                              headers=JSON) as resp:
            body = await resp.json()
        assert body["kind"] == "error" and "处置中" in body["text"] and body["location"] == f"/worker/cases/{case_no}"
        assert await accepts(case_no) == 1


async def test_concurrent_duplicates_apply_once(site: Site, uid: str) -> None:
    case_no = await walk(site.api, "dispatched", f"wj-{uid}")
    phone, csrf = await signed_in(site, "w1", case_no)
    data = {"csrf": csrf, "action": "accept", "idem": uuid.uuid4().hex}

    async def send() -> dict[str, str]:
        async with phone.post(f"/worker/cases/{case_no}", data=data, headers=JSON) as resp:
            assert resp.status == 200
            return dict(await resp.json())

    async with phone:
        answers = await asyncio.gather(*(send() for _ in range(4)))
    assert all(a == answers[0] for a in answers) and answers[0]["kind"] == "ok", answers
    assert await accepts(case_no) == 1


async def test_bad_keys_and_reused_keys_are_refused_with_nothing_applied(site: Site, uid: str) -> None:
    case_no = await walk(site.api, "dispatched", f"wk2-{uid}")
    phone, csrf = await signed_in(site, "w1", case_no)
    async with phone:
        for bad in ("x", "a b c d e f g h", "键" * 10, "y" * 200):
            async with phone.post(f"/worker/cases/{case_no}", data={"csrf": csrf, "action": "accept", "idem": bad},
                                  headers=JSON) as resp:
                assert resp.status == 400 and (await resp.json())["kind"] == "error"
        assert await accepts(case_no) == 0
        key = uuid.uuid4().hex
        async with phone.post("/worker/report", data={"csrf": csrf, "description": "", "idem": key}) as resp:
            assert resp.status == 400  # bad input decided nothing: the key is given back
        async with phone.post(f"/worker/cases/{case_no}", data={"csrf": csrf, "action": "accept", "idem": key},
                              headers=JSON) as resp:
            assert (await resp.json())["kind"] == "ok"
        async with phone.post("/worker/report", data={"csrf": csrf, "description": "井盖", "idem": key},
                              headers=JSON) as resp:
            assert resp.status == 422  # a key belongs to the request it first came with
        assert await accepts(case_no) == 1
