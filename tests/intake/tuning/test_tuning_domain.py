"""The tuning loop's domain on both databases: registry, labels from the work, CSV import, rules, triage."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from intake.cases import repo
from intake.cases.context import CaseContext
from intake.cases.intake import open_case
from intake.cases.model import ActionRequest, Actor, NewReport
from intake.cases.states import Role, Status
from intake.cases.workflow import act
from intake.errors import IllegalTransition, Invalid, NotFound
from intake.store.models import CaseEvent
from intake.store.models_nlp import Label, ModelVersion, TriageItem
from intake.taxonomy.catalog import Catalog
from intake.tuning import labels, registry, rules, triage
from intake.tuning.registry import NewVersion
from tests.conftest import Services

DESK = Actor("user:tuning-desk", "desk", Role.DISPATCHER)
SELF_HANDLE = "06010"  # 暴露垃圾: on the self-handle list
OTHER = "01037"  # 路灯异常


def new_version(name: str) -> NewVersion:
    return NewVersion("linear", name, f"/nonexistent/{name}", "0" * 64, 10, {"from": "test"}, 1,
                      {"macro_f1": 0.5}, {SELF_HANDLE: 0.7}, 0.95)


async def retire_all() -> None:
    await ModelVersion.filter(status__in=(registry.ACTIVE, registry.SHADOW)).update(status=registry.RETIRED)


@pytest.fixture
async def clean_registry() -> AsyncIterator[None]:
    """Tests share the database: leave no model active or in shadow behind."""
    await retire_all()
    yield
    await retire_all()


async def test_activate_retires_the_previous_and_roll_back_restores_it(svc: Services, clean_registry: None) -> None:
    now = svc.clock()
    first = await registry.register(new_version("linear:a"), "admin", now)
    second = await registry.register(new_version("linear:b"), "admin", now)
    assert first.status == second.status == registry.CANDIDATE
    before = await registry.revision()
    await registry.activate(first.id, "admin", now)
    await registry.activate(second.id, "admin", now)
    assert await registry.revision() == before + 2  # every process will reload
    active, _ = await registry.serving()
    assert active is not None and active.id == second.id and active.previous_id == first.id
    assert (await registry.get(first.id)).status == registry.RETIRED
    with pytest.raises(IllegalTransition):
        await registry.activate(second.id, "admin", now)
    restored = await registry.roll_back("admin", now)
    assert restored is not None and restored.id == first.id
    assert (await registry.get(second.id)).status == registry.RETIRED
    assert await registry.roll_back("admin", now) is None  # nothing before: the keyword matcher serves
    assert (await registry.serving())[0] is None
    with pytest.raises(IllegalTransition):
        await registry.roll_back("admin", now)


async def test_one_shadow_at_a_time_and_never_the_active_one(svc: Services, clean_registry: None) -> None:
    now = svc.clock()
    a, b, c = [await registry.register(new_version(f"linear:s{i}"), "admin", now) for i in range(3)]
    await registry.activate(a.id, "admin", now)
    with pytest.raises(IllegalTransition):
        await registry.set_shadow(a.id, "admin", now)
    await registry.set_shadow(b.id, "admin", now)
    await registry.set_shadow(c.id, "admin", now)
    assert [v.id for v in await registry.listing(registry.SHADOW)] == [c.id]
    assert (await registry.get(b.id)).status == registry.CANDIDATE
    assert await registry.clear_shadow("admin", now) == 1
    assert (await registry.serving())[1] is None
    with pytest.raises(NotFound):
        await registry.get(2**31 - 1)


# -- labels ------------------------------------------------------------------------------------------

def leaf_point(svc: Services, n: int = 0) -> tuple[float, float]:
    lng, lat = svc.ctx.grid.index.centroid(svc.ctx.grid.index.leaves[n].code)
    return lng, lat


async def test_a_correction_and_a_close_become_labels(svc: Services, uid: str) -> None:
    lng, lat = leaf_point(svc, 7)
    opened = await open_case(svc.ctx, NewReport("test", uid, f"{uid} 路灯坏了晚上很黑", lng, lat, category=OTHER))
    await act(svc.ctx, opened.case.case_no, DESK, ActionRequest("reclassify", params={"category": "01038"}))
    rows = await Label.filter(case_no=opened.case.case_no)
    assert [(r.code, r.source, r.actor) for r in rows] == [("01038", labels.CORRECTION, DESK.ref)]
    case = await repo.get(opened.case.case_no)
    await labels.after_step(case, "close", DESK.ref, svc.clock())
    await labels.after_step(case, "comment", DESK.ref, svc.clock())  # other steps say nothing about the category
    rows = await Label.filter(case_no=case.case_no).order_by("id")
    assert [r.source for r in rows] == [labels.CORRECTION, labels.CLOSED]
    assert rows[-1].text == case.description


def retired(catalog: Catalog, code: str, successor: str | None) -> Catalog:
    changed = [dataclasses.replace(c, retired=True, successor=successor) if c.code == code else c for c in catalog]
    return Catalog(changed, catalog.departments.values())


async def test_training_set_maps_retired_codes_and_keeps_the_latest_label_per_case(svc: Services, uid: str) -> None:
    now = svc.clock()
    case_no = f"T{uid}"[:32]
    for code in ("01037", "01038"):  # a correction after the first label: the latest wins
        await Label.create(text=f"{uid} 井盖", code=code, source="correction", case_no=case_no, actor="t",
                           taxonomy_version=1, created_at=now)
    await Label.create(text=f"{uid} 被退役", code="01023", source="import", case_no=None, actor="t",
                       taxonomy_version=1, created_at=now)
    catalog = retired(svc.ctx.taxonomy.catalog, "01023", "01024")
    data = await labels.training_set(catalog, 0)
    pairs = set(zip(data.texts, data.labels, strict=True))
    assert (f"{uid} 井盖", "01038") in pairs and (f"{uid} 井盖", "01037") not in pairs
    assert (f"{uid} 被退役", "01024") in pairs  # the retired code means its successor now
    gone = await labels.training_set(retired(svc.ctx.taxonomy.catalog, "01023", None), 0)
    assert f"{uid} 被退役" not in gone.texts and gone.skipped >= 1  # retired without successor: unusable
    held = await labels.training_set(catalog, 50)
    assert set(held.holdout_texts).isdisjoint(held.texts)
    assert all(labels.in_holdout(t, 50) for t in held.holdout_texts)


def test_csv_import_validates_every_row(svc: Services) -> None:
    catalog = retired(svc.ctx.taxonomy.catalog, "01023", "01024")
    rows = labels.parse_csv("\ufefftext,label,extra\n路灯不亮,01037,x\n\n井盖丢了,01023,\n".encode(), catalog)
    assert rows == [("路灯不亮", "01037"), ("井盖丢了", "01024")]
    bad = {
        "not utf-8": "text,label\n路灯,01037\n".encode("gb18030"),
        "NUL": b"text,label\nx\x00,01037\n",
        "header": "words,code\n路灯,01037\n".encode(),
        "empty": b"text,label\n",
        "too big": b"text,label\n" + b"a,01037\n" * (labels.MAX_IMPORT_BYTES // 8 + 1),
        "unknown code": "text,label\n路灯,99999\n".encode(),
        "major code": "text,label\n路灯,01\n".encode(),
        "long text": f"text,label\n{'长' * 2001},01037\n".encode(),
        "empty text": b"text,label\n,01037\n",
    }
    for what, content in bad.items():
        with pytest.raises(Invalid):
            labels.parse_csv(content, catalog)
        assert what
    with pytest.raises(Invalid) as caught:
        labels.parse_csv("text,label\n路灯,01037\n坏,nope\n".encode(), catalog)
    assert caught.value.details["errors"] == ["line 3: 'nope' is not a live category code"]


async def test_import_is_all_or_nothing(svc: Services, uid: str) -> None:
    catalog = svc.ctx.taxonomy.catalog
    count = await labels.import_csv(f"text,label\n{uid}甲,01037\n{uid}乙,01038\n".encode(), catalog, "admin",
                                    svc.clock(), 1)
    assert count == 2 and await Label.filter(text__startswith=uid, source="import").count() == 2
    with pytest.raises(Invalid):
        await labels.import_csv(f"text,label\n{uid}丙,01037\n{uid}丁,bad\n".encode(), catalog, "admin",
                                svc.clock(), 1)
    assert not await Label.filter(text=f"{uid}丙").exists()


# -- rules -------------------------------------------------------------------------------------------

async def test_rules_are_validated_and_expire(svc: Services, uid: str) -> None:
    now, catalog = svc.clock(), svc.ctx.taxonomy.catalog
    rule = await rules.add(catalog, "admin", now, f"  {uid}味道  ", SELF_HANDLE, 5, now + timedelta(hours=1))
    assert rule.phrase == f"{uid}味道"
    assert any(r.id == rule.id for r in await rules.live(now))
    assert not any(r.id == rule.id for r in await rules.live(now + timedelta(hours=2)))
    for phrase, code, expires in (("  ", SELF_HANDLE, None), ("x", "99999", None), ("x", "06", None),
                                  ("x", SELF_HANDLE, now - timedelta(seconds=1))):
        with pytest.raises(Invalid):
            await rules.add(catalog, "admin", now, phrase, code, 1, expires)
    with pytest.raises(Invalid):
        await rules.update(rule.id, {"code": OTHER}, "admin", now)
    await rules.remove(rule.id, "admin", now)
    assert not any(r.id == rule.id for r in await rules.live(now))
    with pytest.raises(NotFound):
        await rules.remove(2**31 - 1, "admin", now)


# -- triage ------------------------------------------------------------------------------------------

@pytest.fixture
def unsure(svc: Services) -> CaseContext:
    """The session's context with a triage check that every prediction fails (the context is frozen)."""
    return dataclasses.replace(svc.ctx, triage=lambda prediction: 0.99)


async def test_an_unsure_self_handle_case_waits_for_triage_then_is_routed(svc: Services, uid: str,
                                                                          unsure: CaseContext) -> None:
    lng, lat = leaf_point(svc)
    opened = await open_case(unsure, NewReport("test", uid, f"{uid} 路边有人乱扔垃圾，暴露垃圾没人管", lng, lat))
    case = opened.case
    assert case.category_code == SELF_HANDLE and case.status == Status.REPORTED and opened.assignee is None
    item = await TriageItem.get(case_no=case.case_no)
    assert (item.status, item.predicted, item.threshold) == (triage.PENDING, SELF_HANDLE, 0.99)
    first = await CaseEvent.get(case_no=case.case_no, seq=1)
    assert first.data["triage"] == 0.99
    total, queued = await triage.queue(DESK, 0, 5000)
    assert case.case_no in {c.case_no for _, c in queued} and total >= 1
    decided = await triage.decide(unsure, case.case_no, SELF_HANDLE, DESK)  # confirmed as predicted
    assert decided.status == Status.DISPATCHED and decided.assignee_user_id is not None
    assert [e.action for e in await repo.events(case.case_no)] == ["open", "register", "dispatch"]
    label = await Label.get(case_no=case.case_no)
    assert (label.code, label.source) == (SELF_HANDLE, labels.TRIAGE)
    with pytest.raises(IllegalTransition):
        await triage.decide(unsure, case.case_no, SELF_HANDLE, DESK)


async def test_a_triage_correction_reclassifies_through_the_workflow(svc: Services, uid: str,
                                                                     unsure: CaseContext) -> None:
    lng, lat = leaf_point(svc, 3)
    opened = await open_case(unsure, NewReport("test", uid, f"{uid} 路边有人乱扔垃圾，暴露垃圾没人管", lng, lat))
    case_no = opened.case.case_no
    with pytest.raises(Invalid):
        await triage.decide(unsure, case_no, "99999", DESK)
    decided = await triage.decide(unsure, case_no, OTHER, DESK)  # not self-handle: waits for the dispatcher
    assert decided.status == Status.REPORTED and decided.category_code == OTHER
    assert [e.action for e in await repo.events(case_no)] == ["open", "reclassify"]
    assert [(r.code, r.source) for r in await Label.filter(case_no=case_no)] == [(OTHER, labels.TRIAGE)]
    assert (await TriageItem.get(case_no=case_no)).status == triage.DECIDED


async def test_a_chosen_category_or_a_sure_prediction_is_not_held(svc: Services, uid: str) -> None:
    lng, lat = leaf_point(svc)
    chosen = await open_case(svc.ctx, NewReport("test", uid, "随便说说", lng, lat, category=SELF_HANDLE))
    assert chosen.case.status == Status.DISPATCHED
    sure = await open_case(svc.ctx, NewReport("test", uid + "b", "路边有人乱扔垃圾，暴露垃圾没人管", lng, lat))
    assert sure.case.status == Status.DISPATCHED  # keyword matcher, confidence over the bar
    assert not await TriageItem.filter(case_no__in=[chosen.case.case_no, sure.case.case_no]).exists()
    vague = await open_case(svc.ctx, NewReport("test", uid + "c", "我家楼上有人吵架", lng, lat))
    assert vague.case.status == Status.REPORTED
    item = await TriageItem.get(case_no=vague.case.case_no)
    assert item.threshold == svc.serving.keyword_bar
