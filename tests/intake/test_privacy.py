"""Personal data under PIPL: retention erases ended cases, residents export and delete, staff reads are logged.

Each test makes its own cases with its own reporter; the age-based sweep is run on cases opened ~1,000 days
before the test clock so it cannot reach other tests' cases (opened near ``T0``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from intake.cases import repo
from intake.cases.intake import open_case
from intake.cases.model import ActionRequest, Actor, NewReport
from intake.cases.states import Role
from intake.cases.verify import verify_all
from intake.cases.workflow import act
from intake.errors import Forbidden
from intake.privacy import reads, resident, retention
from intake.privacy.erase import ERASED_TEXT
from intake.store.models import Case, InboundMessage, Media, Resident
from tests.conftest import T0, Services
from tests.intake.test_sla_sweeper import DESK

OLD = timedelta(days=1000)
TEXT = "路灯坏了，我是张三，电话13812345678"


async def _case(svc: Services, reporter: str, leaf: int = 40) -> str:
    lng, lat = svc.ctx.grid.index.centroid(svc.ctx.grid.index.leaves[leaf].code)
    opened = await open_case(svc.ctx, NewReport("test", reporter, TEXT, lng, lat, address="某路12号",
                                                photos=(f"mp-media:m{reporter}",)))
    return opened.case.case_no


async def _ended(svc: Services, reporter: str) -> str:
    no = await _case(svc, reporter)
    await act(svc.ctx, no, DESK, ActionRequest("reject", note="不属于受理范围"))
    return no


def _file(media_dir: Path, owner: str) -> Path:
    media_dir.mkdir(parents=True, exist_ok=True)
    path = media_dir / f"{owner}.jpg"
    path.write_bytes(b"\xff\xd8 not really a photo")
    return path


async def _photo(no: str, owner: str, media_dir: Path) -> Path:
    path = _file(media_dir, owner)
    await Media.create(media_id=f"m{owner}", owner=owner, mime="image/jpeg", size=20, width=1, height=1,
                       sha256="0" * 64, path=path.name, case_no=no, created_at=T0)
    return path


async def _chain_whole(no: str) -> bool:
    async for item in verify_all():
        if not isinstance(item, str) and item.case_no == no:
            return False
    return True


async def test_an_ended_case_past_retention_loses_its_personal_data_and_keeps_its_chain(
        svc: Services, uid: str, tmp_path: Path) -> None:
    svc.clock.now = T0 - OLD
    no = await _ended(svc, uid)
    photo = await _photo(no, uid, tmp_path)
    await InboundMessage.create(channel="test", external_id=uid, dedup_key=f"k{uid}", kind="text", content=TEXT,
                                lat=22.5, lng=114.5, received_at=T0 - OLD, case_no=no)
    await Media.create(media_id=f"s{uid}", owner="user:7", source="staff", mime="image/jpeg", size=20, width=1,
                       height=1, sha256="1" * 64, path=f"staff-{uid}.jpg", case_no=no, created_at=T0)
    kept = await _case(svc, uid + "o")  # as old, still open: kept
    svc.clock.now = T0
    before = await repo.get(no)

    swept = await retention.sweep(svc.ctx, 900, tmp_path)

    assert swept.erased >= 1 and swept.files >= 1 and not photo.exists()
    case = await repo.get(no)
    assert case.description == ERASED_TEXT and case.address is None and case.photos == []
    assert case.reporter.startswith("anon:") and uid not in case.reporter
    assert before.lat is not None and case.lat == round(before.lat, 3) and case.grid_code == before.grid_code
    assert case.anonymised_at == T0 and case.status == "rejected" and case.category_code == before.category_code
    assert (await repo.events(no))[-1].action == "anonymise"
    assert await _chain_whole(no)  # the step sealed the anonymised report
    inbound = await InboundMessage.get(dedup_key=f"k{uid}")
    assert inbound.content is None and inbound.lat is None
    assert [m.source for m in await Media.filter(case_no=no)] == ["staff"]  # the work's evidence stays
    assert [n for n in svc.sent.for_case(no) if n.kind == "case.anonymise"] == []  # nobody is told
    assert (await repo.get(kept)).description == TEXT


async def test_a_second_sweep_leaves_an_erased_case_alone(svc: Services, uid: str) -> None:
    svc.clock.now = T0 - OLD
    no = await _ended(svc, uid)
    svc.clock.now = T0
    await retention.sweep(svc.ctx, 900, None)
    events = len(await repo.events(no))
    await retention.sweep(svc.ctx, 900, None)
    assert len(await repo.events(no)) == events


async def test_a_recent_ended_case_and_retention_off_keep_everything(svc: Services, uid: str) -> None:
    no = await _ended(svc, uid)
    await retention.sweep(svc.ctx, 900, None)
    svc.clock.now = T0 + OLD * 3
    await retention.sweep(svc.ctx, 0, None)  # 0: keep for ever (only deletion requests are served)
    assert (await repo.get(no)).description == TEXT


async def test_nobody_but_the_system_anonymises(svc: Services, uid: str) -> None:
    no = await _ended(svc, uid)
    admin = Actor("user:admin", "admin", Role.ADMIN)
    with pytest.raises(Forbidden):
        await act(svc.ctx, no, admin, ActionRequest("anonymise"))


async def test_a_resident_exports_then_deletes_their_data(svc: Services, uid: str) -> None:
    await Resident.create(channel="test", external_id=uid, last_lat=22.5, last_lng=114.5, location_allowed=True)
    ended, open_ = await _ended(svc, uid), await _case(svc, uid, leaf=41)

    doc = await resident.export("test", uid)
    assert {c["case_no"] for c in doc["cases"]} == {ended, open_}
    assert all(c["description"] == TEXT for c in doc["cases"]) and doc["resident"]["last_lat"] == 22.5

    erasure = await resident.request_erasure(svc.ctx, "test", uid, None)
    assert (erasure.erased, erasure.pending) == (1, 1)
    assert (await repo.get(ended)).description == ERASED_TEXT
    assert (await repo.get(open_)).description == TEXT  # the worker still needs it
    person = await Resident.get(channel="test", external_id=uid)
    assert person.last_lat is None and not person.location_allowed and person.erase_requested_at == T0

    await act(svc.ctx, open_, DESK, ActionRequest("reject", note="重复"))
    await retention.sweep(svc.ctx, 0, None)  # the request stands: the case goes when it ends
    assert (await repo.get(open_)).description == ERASED_TEXT
    assert (await resident.export("test", uid))["cases"] == []  # nothing is theirs by name any more
    assert not await Case.filter(channel="test", reporter=uid).exists()  # reporters are pseudonyms now


async def test_staff_reads_are_logged_with_who_and_why(svc: Services, uid: str) -> None:
    no = await _case(svc, uid)
    worker = Actor("user:7", "网格员", Role.WORKER, user_id=7)
    await reads.record(worker, no, "worker case page", ["description", "photos"], T0)
    await reads.record(DESK, no, "admin API", ["description", "reporter"], T0 + timedelta(minutes=1))
    rows = await reads.listing(case_no=no)
    assert [(r["actor"], r["purpose"]) for r in rows] == [("user:desk", "admin API"), ("user:7", "worker case page")]
    assert (await reads.listing(user_id=7, case_no=no))[0]["fields"] == ["description", "photos"]
