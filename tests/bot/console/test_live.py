"""Live desk counts as Server-Sent Events: an HTTP client reads the stream; a new case changes a count; a
sign-out or an admin's revocation ends the stream; no session, a worker and too many streams are refused."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.console import live
from intake import passwords
from intake.cases.desk import QUEUES
from tests.bot.conftest import WORKER_STREET, Api, _staff, open_case
from tests.bot.console.conftest import CSRF, PASSWORD, browser, sign_in

WAIT_S = 20.0


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "TICK_S", 0.2)


async def events(resp: aiohttp.ClientResponse) -> AsyncIterator[tuple[str, str]]:
    """``(event, data)`` as the stream sends them (comments and the retry line skipped)."""
    name, data = "message", ""
    while line := (await resp.content.readline()).decode():
        line = line.rstrip("\n")
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif not line and data:
            yield name, data
            name, data = "message", ""


async def next_event(stream: AsyncIterator[tuple[str, str]]) -> tuple[str, str]:
    return await asyncio.wait_for(anext(stream), WAIT_S)


async def _dispatcher(uid: str) -> int:
    staff = await _staff(f"实时调度员{uid[:4]}", "dispatcher", (WORKER_STREET,))
    assert staff.user_id is not None
    await passwords.set_password(staff.user_id, PASSWORD, datetime.now(UTC))
    return staff.user_id


async def test_a_new_case_changes_the_pushed_count_and_sign_out_ends_the_stream(console: Api, uid: str) -> None:
    channel = f"live_{uid}"
    async with browser(console) as b:
        await sign_in(b, console.staff["street"].user_id)
        async with b.get("/console/counts/stream", params={"channel": channel}) as resp:
            assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/event-stream")
            assert resp.headers["Cache-Control"] == "no-store"
            stream = events(resp)
            name, data = await next_event(stream)
            first = json.loads(data)
            assert name == "counts" and set(first) == set(QUEUES) and first["new"] == 0
            await open_case(console, f"live-{uid}", channel=channel)
            name, data = await next_event(stream)
            assert name == "counts" and json.loads(data)["new"] == 1  # pushed without asking
            async with b.get("/console/") as page:
                token = CSRF.search(await page.text())
            assert token
            async with b.post("/console/logout", data={"csrf": token.group(1)}, allow_redirects=False) as out:
                assert out.status == 303
            assert await next_event(stream) == ("end", '"signed-out"')
            assert await asyncio.wait_for(resp.content.read(), WAIT_S) == b""  # and the server closed it


async def test_an_admins_revocation_and_deactivation_end_the_stream(console: Api, uid: str) -> None:
    user_id = await _dispatcher(uid)
    async with browser(console) as b:
        assert (await sign_in(b, user_id)).status == 303
        async with b.get("/console/counts/stream") as resp:
            stream = events(resp)
            assert (await next_event(stream))[0] == "counts"
            listed = await console.call("GET", f"/admin/v1/sessions?namespace=console&user_id={user_id}")
            for item in listed.body["items"]:
                assert (await console.call("POST", f"/admin/v1/sessions/{item['id']}/revoke")).status == 200
            assert await next_event(stream) == ("end", '"signed-out"')
        assert (await sign_in(b, user_id)).status == 303
        async with b.get("/console/counts/stream") as resp:
            stream = events(resp)
            assert (await next_event(stream))[0] == "counts"
            assert (await console.call("POST", f"/admin/v1/users/{user_id}/deactivate")).status == 200
            assert await next_event(stream) == ("end", '"signed-out"')


async def test_no_session_a_worker_and_too_many_streams_are_refused(console: Api, uid: str) -> None:
    async with browser(console) as b:
        async with b.get("/console/counts/stream", allow_redirects=False) as resp:
            assert resp.status == 303 and "/console/login" in resp.headers["Location"]
        signed = await sign_in(b, console.staff["w1"].user_id)
        assert signed.headers["Location"] == "/worker/"  # a worker gets no console session
        async with b.get("/console/counts/stream", allow_redirects=False) as resp:
            assert resp.status == 303 and "/console/login" in resp.headers["Location"]
    user_id = await _dispatcher(uid)
    async with browser(console) as b:
        await sign_in(b, user_id)
        opened = [await b.get("/console/counts/stream", params={"area": "x'<>", "since": "junk"})
                  for _ in range(live.PER_USER)]
        try:
            assert all(r.status == 200 for r in opened)
            async with b.get("/console/counts/stream") as resp:
                assert resp.status == 429 and resp.headers["Retry-After"] == "60"
        finally:
            for r in opened:
                r.close()
        for _ in range(50):  # the server notices the closed streams at its next look
            if not live.STREAMS[user_id]:
                break
            await asyncio.sleep(0.2)
        async with b.get("/console/counts/stream") as resp:
            assert resp.status == 200

