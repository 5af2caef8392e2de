"""A reporter's 已处置 / 已办结 message links to the handled photos (staff photos only, watermarked), behind a
link the server signed: a news card inside WeChat's 48-hour window, the page and the photos over HTTP."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from bot.settings import load_settings
from bot.web import media, watermarks
from intake.photos import handled, pending
from intake.store.models import Case, Media, Resident
from intake.store.models_outbox import OutboxMessage
from notify.types import Notification, Recipient
from outbox.directory import Directory
from outbox.notifier import OutboxNotifier
from outbox.router import ReachRouter, RouteConfig
from outbox.store import DbOutboxStore
from tests.bot.conftest import walk
from tests.bot.worker.conftest import PHOTO_LINK_SECRET, Site
from tests.bot.worker.photo_files import phone_photo
from tests.bot.worker.test_pages import signed_in
from tests.bot.worker.test_photos import handle_form

KEY = load_settings({"GRIDLINE_PHOTO_LINK_SECRET": PHOTO_LINK_SECRET}).photo_link_key
IMG = re.compile(r'<img src="(/photos/[^"]+)"')


async def routed(site: Site, case: Case, kind: str, uid: str) -> OutboxMessage:
    await Resident.get_or_create(channel="wechat", external_id=case.reporter,
                                 defaults={"last_seen_at": site.api.svc.clock.now - timedelta(hours=1)})
    key = f"{case.case_no}:{kind}:{uid}"
    await OutboxNotifier(site.api.svc.clock).publish([Notification(
        kind, Recipient("resident", case.reporter, "wechat"), key, case.case_no, {"note": "已清理"})])
    store = DbOutboxStore(ReachRouter(Directory(ttl_s=0), RouteConfig("https://grid.example.org",
                                                                      photo_link_key=KEY)))
    await store.route_pending(site.api.svc.clock.now, only=[(await OutboxMessage.get(key=key)).id])
    return await OutboxMessage.get(key=key)


async def test_the_reporter_gets_a_news_card_whose_link_shows_the_watermarked_staff_photo(site: Site,
                                                                                        uid: str) -> None:
    case_no = await walk(site.api, "handling", f"hl-{uid}")
    phone, csrf = await signed_in(site, "w1", case_no)
    original = phone_photo()
    async with phone, phone.post(f"/worker/cases/{case_no}", data=handle_form(csrf, original),
                                 allow_redirects=False) as resp:
        assert resp.status == 303
    case = await Case.get(case_no=case_no)
    # A resident's photo of the same case is never shown behind the link (PIPL: staff photos only).
    await Media.create(media_id=f"mres{uid}", owner=case.reporter, source="mp", mime="image/jpeg", size=1, width=1,
                       height=1, sha256="0" * 64, path="00/none.jpg", case_no=case_no, created_at=case.opened_at)
    message = await routed(site, case, "case.handle", uid)
    assert message.channel == "wechat_cs" and message.body is not None and message.body["msgtype"] == "news"
    [article] = message.body["news"]["articles"]
    assert article["title"].startswith(case_no) and case_no in article["description"]
    url = urlsplit(article["url"])
    assert url.netloc == "grid.example.org" and article["picurl"] == article["url"] + "/1"
    assert KEY is not None and handled.verify(KEY, url.path.rsplit("/", 1)[1], site.api.svc.clock()) == case_no
    stored = await Media.get(case_no=case_no, source="staff")
    async with site.phone() as stranger:  # no session: the link is the credential
        async with stranger.get(url.path) as resp:
            assert resp.status == 200 and resp.headers["X-Content-Type-Options"] == "nosniff"
            images = IMG.findall(await resp.text())
        assert images == [f"{url.path}/1"]
        async with stranger.get(images[0]) as resp:
            served = await resp.read()
            assert resp.status == 200 and resp.headers["Content-Type"] == "image/jpeg"
        # The copy is made after the worker's answer and the link waits for it: read the row again now.
        await stored.refresh_from_db()
        assert hashlib.sha256(served).hexdigest() == stored.sha256 != stored.original_sha256  # the watermarked copy
        for bad in (url.path[:-1] + ("0" if url.path[-1] != "0" else "1"), url.path.replace(case_no, "GL-0"),
                    "/photos/" + "x" * 40):
            async with stranger.get(bad) as resp:
                assert resp.status == 403
        async with stranger.get(f"{url.path}/2") as resp:
            assert resp.status == 404


async def test_steps_without_handled_photos_stay_plain_text(site: Site, uid: str) -> None:
    case = await Case.get(case_no=await walk(site.api, "dispatched", f"hn-{uid}"))
    message = await routed(site, case, "case.dispatch", uid)
    assert message.body is not None and message.body["msgtype"] == "text"


def test_a_link_expires_and_cannot_be_moved_to_another_case(site: Site) -> None:
    now = site.api.svc.clock()
    assert KEY is not None
    token = handled.sign(KEY, "GL-20261206-0001", now)
    assert handled.verify(KEY, token, now + timedelta(days=29)) == "GL-20261206-0001"
    assert handled.verify(KEY, token, now + timedelta(days=31)) is None
    assert handled.verify(KEY, token.replace("0001", "0002", 1), now) is None
    assert handled.verify(b"another key", token, now) is None


async def test_a_photo_still_being_watermarked_is_linked_and_waited_for(site: Site, uid: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watermarks, "start", lambda *args: None)  # stamped later, by the periodic pass
    monkeypatch.setattr(media, "WAIT_S", 0.2)
    case_no = await walk(site.api, "handling", f"hw-{uid}")
    phone, csrf = await signed_in(site, "w1", case_no)
    original = phone_photo()
    async with phone, phone.post(f"/worker/cases/{case_no}", data=handle_form(csrf, original),
                                 allow_redirects=False) as resp:
        assert resp.status == 303
    message = await routed(site, await Case.get(case_no=case_no), "case.handle", uid)
    assert message.body is not None and message.body["msgtype"] == "news"  # routed at once: the link is there
    path = urlsplit(message.body["news"]["articles"][0]["url"]).path
    async with site.phone() as stranger:
        async with stranger.get(path) as resp:
            assert IMG.findall(await resp.text()) == [f"{path}/1"]
        async with stranger.get(f"{path}/1") as resp:
            body = await resp.read()
            assert resp.status == 503 and resp.headers["Retry-After"] == "2" and b"\xff\xd8" not in body
        site.api.svc.clock.advance(seconds=pending.GRACE.total_seconds())
        await watermarks.job_body(site.api.client.app)()
        stored = await Media.get(case_no=case_no, source="staff")
        async with stranger.get(f"{path}/1") as resp:
            served = await resp.read()
            assert resp.status == 200 and hashlib.sha256(served).hexdigest() == stored.sha256 != stored.original_sha256


@pytest.mark.parametrize(("accept", "lang", "words"), [
    ("en", "en", ("Photos of the handling of your report", "No photos.")),
    ("zh-HK", "zh-HK", ("處置後的現場照片", "暫無照片。")),
    ("", "zh-CN", ("处置后的现场照片", "暂无照片。"))])
async def test_the_page_speaks_the_readers_language(site: Site, uid: str, accept: str, lang: str,
                                                    words: tuple[str, str]) -> None:
    assert KEY is not None
    token = handled.sign(KEY, f"GL-{uid}", site.api.svc.clock())
    async with site.phone() as stranger, stranger.get(f"/photos/{token}", headers={"Accept-Language": accept}) as resp:
        text = await resp.text()
        assert resp.status == 200 and resp.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert f'<html lang="{lang}">' in text and all(w in text for w in words) and f"GL-{uid}" in text
    assert "<script" not in text and not IMG.findall(text)
