"""公众号 photos fetched after intake by the background job, from the fake WeChat API (real JSON and errcodes):
stored content-addressed, retried after 45009, lost on 40007 or after WeChat's 3 days."""

from __future__ import annotations

import hashlib
from pathlib import Path

from intake.cases.intake import open_case
from intake.cases.model import NewReport
from intake.photos import access
from intake.store.models import Case, Media
from notify.media import LocalMediaStorage
from outbox.media_fetch import fetch_due
from tests.bot.worker.photo_files import phone_photo
from tests.conftest import Services
from tests.notify.conftest import Api, api  # noqa: F401 (the fake WeChat API server fixture)


async def _case(svc: Services, uid: str, *media_ids: str) -> Case:
    lat, lng = 22.5460, 114.0580
    opened = await open_case(svc.ctx, NewReport(channel="wechat", reporter=f"oPhoto{uid}", lat=lat, lng=lng,
                                                description=f"路灯不亮 {uid}",
                                                photos=tuple(f"wechat-media:{m}" for m in media_ids)))
    return opened.case


async def _states(case: Case) -> list[str]:
    return [p.state for p in await access.of_case(case)]


async def test_photos_are_fetched_retried_and_lost_visibly(svc: Services, api: Api, uid: str,  # noqa: F811
                                                           tmp_path: Path) -> None:
    photo = phone_photo()
    good, busy = api.fake.add_media(photo), api.fake.add_media(phone_photo(64, 64), "image/png")
    case = await _case(svc, uid, busy, "expiredMediaId0001", good)
    assert await _states(case) == ["pending", "pending", "pending"]  # nothing fetched on the reply path
    assert not api.fake.calls and not api.fake.gate.answers
    # Other tests' 公众号 photos still pending in the shared database would take the failing first call.
    await Media.filter(source="wechat", state="pending").exclude(case_no=case.case_no).update(state="lost")
    storage, client = LocalMediaStorage(tmp_path), api.wechat()
    api.fake.gate.fail("media_get", 45009)  # the first call: "reach max api daily quota limit"
    await fetch_due(client, storage, svc.clock)
    assert await _states(case) == ["pending", "lost", "stored"]
    lost = await Media.get(case_no=case.case_no, ref="wechat-media:expiredMediaId0001")
    assert lost.last_error is not None and lost.last_error.startswith("40007")
    stored = await Media.get(case_no=case.case_no, ref=f"wechat-media:{good}")
    digest = hashlib.sha256(photo).hexdigest()
    assert stored.path == f"{digest[:2]}/{digest}.jpg" and stored.sha256 == digest and stored.mime == "image/jpeg"
    assert (tmp_path / stored.path).read_bytes() == photo
    await fetch_due(client, storage, svc.clock)
    assert await _states(case) == ["pending", "lost", "stored"]  # the retry waits for its backoff
    svc.clock.advance(minutes=5)
    await fetch_due(client, storage, svc.clock)
    assert await _states(case) == ["stored", "lost", "stored"]
    retried = await Media.get(case_no=case.case_no, ref=f"wechat-media:{busy}")
    assert retried.tries == 2 and retried.path.endswith(".png")


async def test_a_photo_not_fetched_in_three_days_is_lost(svc: Services, api: Api, uid: str,  # noqa: F811
                                                         tmp_path: Path) -> None:
    case = await _case(svc, uid, api.fake.add_media(phone_photo()))
    svc.clock.advance(days=3, seconds=1)  # WeChat unreachable meanwhile (or no API configured: no client)
    await fetch_due(None, LocalMediaStorage(tmp_path), svc.clock)
    assert await _states(case) == ["lost"]
    assert not list(tmp_path.rglob("*.jpg"))  # noqa: ASYNC240


async def test_a_non_image_answer_is_not_kept(svc: Services, api: Api, uid: str, tmp_path: Path) -> None:  # noqa: F811
    case = await _case(svc, uid, api.fake.add_media(b"<svg onload=alert(1)>", "image/svg+xml"))
    await fetch_due(api.wechat(), LocalMediaStorage(tmp_path), svc.clock)
    assert await _states(case) == ["lost"] and not list(tmp_path.rglob("*.*"))  # noqa: ASYNC240
