"""The triage queue, label listing and predictions name the categories and grids they give codes for."""

from __future__ import annotations

from tests.bot.conftest import Api, report

P = "/admin/v1/nlp"


async def test_triage_items_carry_names_beside_codes(api: Api, uid: str) -> None:
    opened = await report(api, uid, "我家楼上有人吵架", category=None)  # the keyword matcher is unsure: held
    assert opened.status == 201 and opened.body["status"] == "reported"
    queue = await api.call("GET", f"{P}/triage", "desk", params={"per_page": "100"})
    item = next(i for i in queue.body["items"] if i["case_no"] == opened.body["case_no"])
    catalog, index = api.svc.ctx.taxonomy.catalog, api.svc.ctx.grid.index
    assert item["grid_ref"] == {"code": item["grid"], "name": index.cell(item["grid"]).name}
    if item["predicted"] is not None:
        assert item["predicted_category"] == {"code": item["predicted"],
                                              "name": catalog.get(item["predicted"]).name("zh_CN")}
    assert [t["code"] for t in item["top_categories"]] == [t[0] for t in item["top"]]
    assert all(t["name"] == catalog.get(t["code"]).name("zh_CN") for t in item["top_categories"])
    decided = await api.call("POST", f"{P}/triage/{opened.body['case_no']}", "desk", json={"category": "20001"})
    assert decided.body["category_ref"] == {"code": "20001", "name": catalog.get("20001").name("zh_CN")}


async def test_predict_names_its_category(api: Api) -> None:
    said = await api.call("POST", f"{P}/predict", json={"text": "路灯不亮了，晚上很黑"})
    assert said.status == 200 and said.body["category"] is not None
    assert said.body["category_ref"]["code"] == said.body["category"]
    assert said.body["category_ref"]["name"] == api.svc.ctx.taxonomy.catalog.get(said.body["category"]).name("zh_CN")
