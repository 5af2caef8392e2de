"""The resident rules, once in intake: which cases a resident sees, the resident Actor, photos claimed by one report.

Each rule is called by every channel (WeChat chat, the mini-program); tests/test_domain_rules.py checks
that the channels call these functions instead of querying the tables themselves.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from intake.cases import media, visibility
from intake.cases.intake import Opened, open_case
from intake.cases.model import ActionRequest, Actor, NewReport, resident_ref
from intake.cases.states import Role
from intake.cases.visibility import Relation
from intake.cases.workflow import act
from intake.errors import Invalid, NotFound
from intake.store.models import Media
from tests.conftest import Services

CH = "wechat"


async def _open(svc: Services, reporter: str, text: str = "路灯坏了晚上很黑") -> Opened:
    lng, lat = svc.ctx.grid.index.centroid(svc.ctx.grid.index.leaves[3].code)
    return await open_case(svc.ctx, NewReport(CH, reporter, text, lng, lat))


def test_resident_actor_round_trips_its_channel_and_id() -> None:
    who = Actor.resident("miniprogram", "oAbc:with:colons")
    assert (who.ref, who.name, who.role) == ("miniprogram:oAbc:with:colons", "oAbc:with:colons", Role.RESIDENT)
    assert who.as_resident() == ("miniprogram", "oAbc:with:colons")
    assert resident_ref("wechat", "o1") == Actor.resident("wechat", "o1").ref
    assert Actor("user:7", "staff", Role.WORKER, user_id=7).as_resident() is None
    assert Actor("nocolon", "x", Role.RESIDENT).as_resident() is None  # malformed: never someone's report


async def test_own_seconded_and_strangers(svc: Services, uid: str) -> None:
    case = (await _open(svc, f"own{uid}")).case
    await act(svc.ctx, case.case_no, Actor.resident(CH, f"co{uid}"),
              ActionRequest("second", params={"channel": CH, "reporter": f"co{uid}"}))
    assert (await visibility.visible(case.case_no, CH, f"own{uid}"))[1] is Relation.OWN
    assert (await visibility.visible(case.case_no, CH, f"co{uid}"))[1] is Relation.SECONDED
    for channel, who, number in ((CH, f"x{uid}", case.case_no), ("miniprogram", f"own{uid}", case.case_no),
                                 (CH, f"own{uid}", "440307-20261118-9999"), (CH, f"own{uid}", None)):
        with pytest.raises(NotFound):  # a stranger, the same id on another channel, no such case, no number
            await visibility.visible(number, channel, who)
    assert await visibility.to_second(case.case_no, CH, f"x{uid}") == (case, None)
    with pytest.raises(NotFound):
        await visibility.to_second(None, CH, f"x{uid}")


async def test_lists_pages_and_recent(svc: Services, uid: str) -> None:
    mine = [(await _open(svc, f"p{uid}", f"路灯坏了第{i}盏")).case for i in range(3)]
    other = (await _open(svc, f"q{uid}")).case
    await act(svc.ctx, other.case_no, Actor.resident(CH, f"p{uid}"),
              ActionRequest("second", params={"channel": CH, "reporter": f"p{uid}"}))
    total, rows = await visibility.page(CH, f"p{uid}", "own", 0, 2)
    assert total == 3 and len(rows) == 2 and {r.case_no for r in rows} <= {c.case_no for c in mine}
    total, rows = await visibility.page(CH, f"p{uid}", "seconded", 0, 10)
    assert (total, [r.case_no for r in rows]) == (1, [other.case_no])
    with pytest.raises(Invalid):
        await visibility.page(CH, f"p{uid}", "everyone", 0, 10)
    recent = await visibility.recent(CH, f"p{uid}", limit=10)
    assert {c.case_no for c in recent} == {c.case_no for c in [*mine, other]}
    assert await visibility.recent(CH, f"nobody{uid}") == []


async def test_only_the_reporter_or_a_surveyed_co_reporter_rates(svc: Services, uid: str) -> None:
    case = (await _open(svc, f"r{uid}")).case
    assert await visibility.may_rate(case, CH, f"r{uid}", Relation.OWN)
    assert not await visibility.may_rate(case, CH, f"s{uid}", Relation.SECONDED)  # no survey sent to them


async def _upload(owner: str, n: int) -> list[str]:
    ids = [f"m{owner}{i}"[:40] for i in range(n)]
    for media_id in ids:
        await Media.create(media_id=media_id, owner=owner, mime="image/jpeg", size=1, width=1, height=1,
                           sha256="0" * 64, path=f"x/{media_id}.jpg", created_at=datetime.now(UTC))
    return ids


async def _claims(ids: list[str]) -> set[str | None]:
    return set(await Media.filter(media_id__in=ids).values_list("case_no", flat=True))


def _report(svc: Services, reporter: str, description: str = "路灯坏了晚上很黑") -> NewReport:
    lng, lat = svc.ctx.grid.index.centroid(svc.ctx.grid.index.leaves[3].code)
    return NewReport("miniprogram", reporter, description, lng, lat)


async def test_photos_go_to_one_report(svc: Services, uid: str) -> None:
    ids = await _upload(uid, 2)
    opened = await media.open_with_media(svc.ctx, _report(svc, uid), uid, ids)
    assert await _claims(ids) == {opened.case.case_no}
    with pytest.raises(Invalid):  # already used
        await media.open_with_media(svc.ctx, _report(svc, uid), uid, ids[:1])
    theirs = await _upload(f"t{uid}", 1)
    with pytest.raises(Invalid):  # someone else's photo, or an unknown id, claims nothing
        await media.open_with_media(svc.ctx, _report(svc, uid), uid, [*await _upload(f"u{uid}", 1), *theirs])
    assert await _claims(theirs) == {None}


async def test_a_failed_or_cancelled_report_releases_its_photos(svc: Services, uid: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    ids = await _upload(uid, 1)
    with pytest.raises(Invalid):
        await media.open_with_media(svc.ctx, _report(svc, uid, description="  "), uid, ids)
    assert await _claims(ids) == {None}
    started = asyncio.Event()

    async def hangs(*_: object) -> Opened:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("never")

    monkeypatch.setattr(media, "open_case", hangs)
    task = asyncio.create_task(media.open_with_media(svc.ctx, _report(svc, uid), uid, ids))
    await started.wait()
    assert (await _claims(ids)).pop().startswith("claim:")  # held while the report is being opened
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await _claims(ids) == {None}


async def test_a_photo_is_shown_to_its_owner_only(svc: Services, uid: str) -> None:
    at = datetime.now(UTC)
    row = await media.record(f"rec{uid}", uid, mime="image/jpeg", size=3, width=1, height=1, sha256="0" * 64,
                             path="x/rec.jpg", at=at)
    assert (await media.owned(f"rec{uid}", uid)).id == row.id
    for media_id, owner in ((f"rec{uid}", f"other{uid}"), (f"none{uid}", uid)):
        with pytest.raises(NotFound):
            await media.owned(media_id, owner)
