"""The classifier admin API end to end on both databases: import labels, retrain in the background,
compare, activate, shadow, roll back; rules; triage; roles; hostile input."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.keys import TUNING
from intake.store.models_nlp import ModelVersion
from intake.tuning import registry
from tests.bot.conftest import Api, report

P = "/admin/v1/nlp"
CODES = ("01037", "06010", "06029", "01023", "23009")
TRAIN_BODY = {"seed_examples": False, "label_names": False, "note": "test"}


@pytest.fixture
async def clean(api: Api) -> AsyncIterator[Api]:
    """The API server is shared by every test of this backend: leave the keyword matcher serving."""
    yield api
    await ModelVersion.filter(status__in=(registry.ACTIVE, registry.SHADOW)).update(status=registry.RETIRED)
    await registry.bump("test", "cleanup", api.svc.clock())
    await api.client.app[TUNING].refresh()


def labels_csv(api: Api, uid: str, per_code: int = 40) -> bytes:
    catalog = api.svc.ctx.taxonomy.catalog
    lines = ["text,label"]
    for code in CODES:
        name = catalog.get(code).name_zh
        lines += [f"{uid}{i} 这里{name}的问题，{name}很严重 第{i}次反映,{code}" for i in range(per_code)]
    return ("\n".join(lines) + "\n").encode()


async def train(api: Api) -> dict[str, Any]:
    started = await api.call("POST", f"{P}/jobs", json=TRAIN_BODY)
    assert started.status == 202, started.body
    for _ in range(600):
        job = await api.call("GET", f"{P}/jobs/{started.body['id']}")
        if job.body["status"] in ("done", "failed"):
            break
        await asyncio.sleep(0.1)
    assert job.body["status"] == "done", job.body
    assert job.body["progress"] == 1.0 and job.body["version_id"] is not None
    return dict(job.body)


async def test_retrain_compare_activate_shadow_and_roll_back(clean: Api, uid: str) -> None:
    api = clean
    imported = await api.call("POST", f"{P}/labels/import", data=labels_csv(api, uid),
                              headers={"Content-Type": "text/csv"})
    assert imported.status == 201 and imported.body == {"imported": 200}
    first = await train(api)
    model = await api.call("GET", f"{P}/models/{first['version_id']}")
    assert model.status == 200 and model.body["status"] == "candidate"
    assert model.body["data"]["source"]["labels"] >= 100 and model.body["data"]["sha256"]
    assert {"macro_f1", "holdout", "active_on_holdout"} <= set(model.body["metrics"])
    assert model.body["metrics"]["holdout"]["n"] > 0 and model.body["thresholds"]
    assert model.body["metrics"]["active_on_holdout"]["n"] == model.body["metrics"]["holdout"]["n"]

    activated = await api.call("POST", f"{P}/models/{first['version_id']}/activate")
    assert activated.status == 200 and activated.body["status"] == "active"
    status = await api.call("GET", f"{P}/status")
    assert status.body["active"] == first["version_id"] and status.body["serving"].startswith("linear:")
    assert status.body["default_model"] == "off"  # an app in a test builds no default model
    health = (await api.call("GET", "/healthz", None)).body
    assert (health["classifier"], health["model_version"]) == (status.body["serving"], first["version_id"])
    said = await api.call("POST", f"{P}/predict", json={"text": "这里路灯异常的问题，路灯异常很严重"})
    assert said.body["model"] == status.body["serving"] and said.body["category"] == "01037"

    second = await train(api)
    compared = await api.call("POST", f"{P}/compare", json={"a": second["version_id"]})
    assert compared.status == 200, compared.body
    assert compared.body["b"]["id"] == first["version_id"] and 0 <= compared.body["agreement"] <= 1
    assert compared.body["n"] > 0 and "macro_f1" in compared.body["a"]

    shadowed = await api.call("POST", f"{P}/models/{second['version_id']}/shadow")
    assert shadowed.status == 200 and shadowed.body["status"] == "shadow"
    opened = await report(api, uid + "s", "这里暴露垃圾的问题很严重", category=None)
    assert opened.status == 201, opened.body
    ran = await api.call("POST", f"{P}/shadow/run")
    assert ran.status == 200 and ran.body["recorded"] >= 1
    shadow = await api.call("GET", f"{P}/models/{second['version_id']}/shadow-report")
    assert shadow.body["n"] >= 1 and shadow.body["agreement"] is not None
    assert (await api.call("DELETE", f"{P}/shadow")).body == {"cleared": 1}

    await api.call("POST", f"{P}/models/{second['version_id']}/activate")
    back = await api.call("POST", f"{P}/rollback")
    assert back.status == 200 and back.body["active"]["id"] == first["version_id"]
    back = await api.call("POST", f"{P}/rollback")
    assert back.body["active"] is None and back.body["serving"] == "keyword"
    assert (await api.call("POST", f"{P}/rollback")).status == 409
    listed = await api.call("GET", f"{P}/models", params={"status": "retired"})
    assert {first["version_id"], second["version_id"]} <= {v["id"] for v in listed.body["items"]}


async def test_only_one_job_at_a_time(clean: Api) -> None:
    first = await clean.call("POST", f"{P}/jobs", json=TRAIN_BODY)
    again = await clean.call("POST", f"{P}/jobs", json=TRAIN_BODY)
    assert first.status == 202 and again.status == 409, again.body
    for _ in range(600):
        if (await clean.call("GET", f"{P}/jobs/{first.body['id']}")).body["status"] in ("done", "failed"):
            break
        await asyncio.sleep(0.1)


async def test_a_rule_decides_at_once_and_can_be_removed(clean: Api, uid: str) -> None:
    api = clean
    phrase = f"{uid}怪味"
    made = await api.call("POST", f"{P}/rules", json={"phrase": phrase, "category": "06010", "priority": 5})
    assert made.status == 201, made.body
    said = await api.call("POST", f"{P}/predict", json={"text": f"楼下有{phrase}"})
    assert (said.body["category"], said.body["model"], said.body["terms"]) == ("06010", f"rule:{made.body['id']}",
                                                                               [phrase])
    assert said.body["triage_threshold"] is None
    changed = await api.call("PATCH", f"{P}/rules/{made.body['id']}", json={"priority": 9, "note": "更强"})
    assert changed.status == 200 and changed.body["priority"] == 9
    assert (await api.call("DELETE", f"{P}/rules/{made.body['id']}")).status == 200
    said = await api.call("POST", f"{P}/predict", json={"text": f"楼下有{phrase}"})
    assert said.body["model"] == "keyword"
    listed = await api.call("GET", f"{P}/rules", params={"include_inactive": "true"})
    assert any(r["id"] == made.body["id"] and not r["active"] for r in listed.body["items"])


async def test_triage_queue_and_decision_by_a_dispatcher(api: Api, uid: str) -> None:
    opened = await report(api, uid, "我家楼上有人吵架", category=None)  # keyword matcher unsure: held
    assert opened.status == 201 and opened.body["status"] == "reported"
    queue = await api.call("GET", f"{P}/triage", "desk", params={"per_page": "100"})
    assert queue.status == 200
    mine = [i for i in queue.body["items"] if i["case_no"] == opened.body["case_no"]]
    assert mine and mine[0]["threshold"] == 0.8 and mine[0]["description"] == "我家楼上有人吵架"
    decided = await api.call("POST", f"{P}/triage/{opened.body['case_no']}", "desk", json={"category": "20001"})
    assert decided.status == 200 and decided.body["category"] == "20001"
    again = await api.call("POST", f"{P}/triage/{opened.body['case_no']}", "desk", json={"category": "20001"})
    assert again.status == 409
    labels = await api.call("GET", f"{P}/labels", params={"source": "triage", "category": "20001"})
    assert opened.body["case_no"] in {label["case_no"] for label in labels.body["items"]}


async def test_labels_export_defuses_formulas(api: Api, uid: str) -> None:
    body = f"text,label\n=HYPERLINK(\"x\"){uid},01037\n".encode()
    assert (await api.call("POST", f"{P}/labels/import", data=body)).status == 201
    exported = await api.call("GET", f"{P}/labels/export")
    assert exported.status == 200 and exported.headers["Content-Type"].startswith("text/csv")
    assert f"'=HYPERLINK(\"\"x\"\"){uid}" in exported.body and "\n=HYPERLINK" not in exported.body


ADMIN_ONLY = [("GET", f"{P}/status"), ("GET", f"{P}/models"), ("GET", f"{P}/models/1"),
              ("POST", f"{P}/models/1/activate"), ("POST", f"{P}/rollback"), ("POST", f"{P}/models/1/shadow"),
              ("DELETE", f"{P}/shadow"), ("POST", f"{P}/shadow/run"), ("POST", f"{P}/compare"),
              ("POST", f"{P}/predict"), ("POST", f"{P}/jobs"), ("GET", f"{P}/jobs"), ("GET", f"{P}/jobs/1"),
              ("GET", f"{P}/rules"), ("POST", f"{P}/rules"), ("PATCH", f"{P}/rules/1"), ("DELETE", f"{P}/rules/1"),
              ("GET", f"{P}/labels"), ("GET", f"{P}/labels/export"), ("POST", f"{P}/labels/import")]


@pytest.mark.parametrize(("method", "path"), ADMIN_ONLY)
async def test_admin_only_endpoints_refuse_other_roles(api: Api, method: str, path: str) -> None:
    for who in ("desk", "w1"):
        reply = await api.call(method, path, who, json={})
        assert (reply.status, reply.error) == (403, "forbidden"), (who, reply.body)
    assert (await api.call(method, path, None)).status == 401
    assert (await api.call(method, path, "gone")).status == 401


async def test_suggest_labels_and_the_queue_put_what_teaches_most_first(api: Api, uid: str) -> None:
    texts = ("我家楼上有人吵架", "门口有人争吵", "好像有点问题")
    held = [await report(api, uid, text, category=None) for text in texts]
    assert all(h.status == 201 and h.body["status"] == "reported" for h in held)
    mine = {h.body["case_no"] for h in held}
    suggested = await api.call("GET", f"{P}/suggest-labels", "desk", params={"n": "100"})
    assert suggested.status == 200 and suggested.body["total"] >= 3
    items = suggested.body["items"]
    assert mine <= {i["case_no"] for i in items} and all(0.0 <= i["learning_value"] <= 1.0 for i in items)
    queue = await api.call("GET", f"{P}/triage", "desk", params={"per_page": "100"})
    assert [i["case_no"] for i in queue.body["items"]] == [i["case_no"] for i in items]  # the same order
    oldest = await api.call("GET", f"{P}/triage", "desk", params={"per_page": "100", "order": "oldest"})
    assert sorted(i["case_no"] for i in oldest.body["items"]) == sorted(i["case_no"] for i in items)
    one = await api.call("GET", f"{P}/suggest-labels", "desk", params={"n": "1"})
    assert [i["case_no"] for i in one.body["items"]] == [items[0]["case_no"]]
    for bad in ("0", "101", "abc", "-1", "１"):
        reply = await api.call("GET", f"{P}/suggest-labels", "desk", params={"n": bad})
        assert reply.status == 400, bad
    assert (await api.call("GET", f"{P}/triage", "desk", params={"order": "newest"})).status == 400
    assert (await api.call("GET", f"{P}/suggest-labels", "w1")).status == 403


async def test_triage_refuses_workers(api: Api, uid: str) -> None:
    assert (await api.call("GET", f"{P}/triage", "w1")).status == 403
    reply = await api.call("POST", f"{P}/triage/440307-20261118-00001", "w1", json={"category": "01037"})
    assert reply.status == 403


HOSTILE_JSON: list[tuple[str, str, Any]] = [
    ("POST", f"{P}/jobs", {"backend": "svm"}), ("POST", f"{P}/jobs", {"note": "x" * 501}),
    ("POST", f"{P}/jobs", {"extra": 1}), ("POST", f"{P}/jobs", ["linear"]),
    ("POST", f"{P}/jobs", {"backend": "transformer"}), ("POST", f"{P}/jobs", {"seed_examples": "maybe"}),
    ("POST", f"{P}/compare", {"a": 0}), ("POST", f"{P}/compare", {"a": 2**40}), ("POST", f"{P}/compare", {"a": "1"}),
    ("POST", f"{P}/rules", {"phrase": "", "category": "01037"}),
    ("POST", f"{P}/rules", {"phrase": "x" * 51, "category": "01037"}),
    ("POST", f"{P}/rules", {"phrase": "a\x00b", "category": "01037"}),
    ("POST", f"{P}/rules", {"phrase": "路灯", "category": "99999"}),
    ("POST", f"{P}/rules", {"phrase": "路灯", "category": "01037", "priority": 10**9}),
    ("POST", f"{P}/rules", {"phrase": "路灯", "category": "01037", "expires_at": "2000-01-01T00:00:00Z"}),
    ("POST", f"{P}/rules", {"phrase": "路灯", "category": "01037", "expires_at": "2099-01-01T00:00:00"}),
    ("POST", f"{P}/rules", {"phrase": "路灯", "category": "01037", "expires_at": "not a date"}),
    ("POST", f"{P}/predict", {"text": ""}), ("POST", f"{P}/predict", {"text": "长" * 2001}),
    ("POST", f"{P}/predict", {"text": None}),
]


@pytest.mark.parametrize(("method", "path", "body"), HOSTILE_JSON, ids=[f"{m} {p} {i}" for i, (m, p, _) in
                                                                         enumerate(HOSTILE_JSON)])
async def test_hostile_json_is_a_400(api: Api, method: str, path: str, body: Any) -> None:
    reply = await api.call(method, path, json=body)
    assert reply.status == 400, reply.body
    assert reply.error in ("invalid", "invalid_json")


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe", b"[]", b"null", b"\"x\"", b"{\"a\":" * 5000])
async def test_malformed_bodies_are_a_400(api: Api, raw: bytes) -> None:
    for path in (f"{P}/jobs", f"{P}/rules", f"{P}/compare", f"{P}/triage/440307-20261118-00001"):
        reply = await api.call("POST", path, data=raw, headers={"Content-Type": "application/json"})
        assert reply.status in (400, 404), (path, reply.body)


@pytest.mark.parametrize("path", [f"{P}/models/abc", f"{P}/models/-1", f"{P}/models/99999999999999999999",
                                  f"{P}/models/2147483647", f"{P}/jobs/0", f"{P}/jobs/１２"])
async def test_unknown_ids_are_a_404(api: Api, path: str) -> None:
    assert (await api.call("GET", path)).status == 404


async def test_patch_rule_refuses_nulls_and_unknown_fields(api: Api, uid: str) -> None:
    made = await api.call("POST", f"{P}/rules", json={"phrase": f"{uid}x", "category": "01037"})
    rid = made.body["id"]
    for body in ({"priority": None}, {"active": None}, {"category": "01038"}, {}):
        assert (await api.call("PATCH", f"{P}/rules/{rid}", json=body)).status == 400, body
    await api.call("DELETE", f"{P}/rules/{rid}")


@pytest.mark.parametrize(("raw", "status"), [
    ("text,label\n路灯,01037\n".encode("gb18030"), 400), (b"text,label\nx\x00,01037\n", 400),
    (b"\xef\xbb\xbftext,label\n", 400), (b"", 400), ("a,b\n路灯,01037\n".encode(), 400),
    (b"text,label\n\"unterminated,01037\n", 400), ("text,label\n路灯,99999\n".encode(), 400)])
async def test_hostile_csv_imports_are_refused(api: Api, raw: bytes, status: int) -> None:
    reply = await api.call("POST", f"{P}/labels/import", data=raw, headers={"Content-Type": "text/csv"})
    assert reply.status == status, reply.body


async def test_an_oversized_import_is_a_413(api: Api) -> None:
    raw = b"text,label\n" + b"x" * (2 * 1024 * 1024)
    reply = await api.call("POST", f"{P}/labels/import", data=raw, headers={"Content-Type": "text/csv"})
    assert reply.status == 413, reply.body


async def test_bad_query_parameters_are_a_400(api: Api) -> None:
    for path, params in ((f"{P}/labels", {"source": "gossip"}), (f"{P}/labels", {"category": "x" * 17}),
                         (f"{P}/labels", {"page": "0"}), (f"{P}/models", {"status": "zombie"}),
                         (f"{P}/triage", {"per_page": "1000"}), (f"{P}/rules", {"include_inactive": "perhaps"})):
        assert (await api.call("GET", path, params=params)).status == 400, (path, params)
