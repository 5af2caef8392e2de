"""/console/setup over HTTP: admins only, CSRF, domain errors in words, and each section's changes stored."""

from __future__ import annotations

import re

import aiohttp

from intake import login_codes
from intake.store.models import Department, Region, User, UserGrid
from intake.store.models_outbox import GridGroup, OutboxMessage
from tests.bot.conftest import Api
from tests.bot.console.conftest import CSRF, browser, sign_in
from tests.intake.grid_files import box, collection, district, feature

PAGES = ("/console/setup/users", "/console/setup/departments", "/console/setup/groups",
         "/console/setup/categories", "/console/setup/grids")


async def token_of(b: aiohttp.ClientSession, path: str = "/console/setup/users") -> str:
    async with b.get(path) as resp:
        found = CSRF.search(await resp.text())
    assert found
    return found.group(1)


async def post(b: aiohttp.ClientSession, path: str, data: dict[str, str]) -> tuple[int, str]:
    """Post a form, follow the redirect, and return the page it lands on."""
    async with b.post(path, data=data) as resp:
        return resp.status, await resp.text()


async def test_only_admins_may_open_or_post(console: Api) -> None:
    for who in ("desk", "street"):
        async with browser(console) as b:
            await sign_in(b, console.staff[who].user_id)
            csrf = await token_of(b, "/console/")
            for path in PAGES:
                async with b.get(path) as resp:
                    assert resp.status == 403 and "管理员" in await resp.text()
            async with b.post("/console/setup/users", data={"csrf": csrf, "name": "越权", "role": "admin"}) as resp:
                assert resp.status == 403
    assert not await User.exists(name="越权")


async def test_missing_csrf_is_refused(console: Api) -> None:
    async with browser(console) as b:
        await sign_in(b, console.staff["admin"].user_id)
        async with b.post("/console/setup/users", data={"name": "无令牌", "role": "worker"}) as resp:
            assert resp.status == 403
        form = aiohttp.FormData()
        form.add_field("file", collection(district("990111")), filename="g.geojson")
        async with b.post("/console/setup/grids", data=form) as resp:
            assert resp.status == 403
        async with b.post("/console/setup/groups/440307011", data={"action": "test", "csrf": "forged"}) as resp:
            assert resp.status == 403
    assert not await User.exists(name="无令牌")
    assert not await Region.exists(code="990111")


async def test_users_create_edit_password_deactivate(console: Api, uid: str) -> None:
    grid = console.leaves[0]
    async with browser(console) as b:
        await sign_in(b, console.staff["admin"].user_id)
        csrf = await token_of(b)
        status, text = await post(b, "/console/setup/users", {"csrf": csrf, "name": f"新网格员{uid}", "role": "worker",
                                                              "grids": grid, "wecom_userid": f"w-{uid}"})
        assert status == 200 and "已创建用户" in text
        user = await User.get(name=f"新网格员{uid}")
        assert user.role == "worker" and user.wecom_userid == f"w-{uid}"
        assert await UserGrid.filter(user_id=user.id).values_list("grid_code", flat=True) == [grid]
        _, text = await post(b, f"/console/setup/users/{user.id}", {"csrf": csrf, "action": "edit", "name": user.name,
                                                                    "role": "worker", "grids": "999999999999"})
        assert "unknown grid codes: 999999999999" in text and "请检查" in text  # the domain's refusal, in words
        async with b.get(f"/console/setup/users?q=w-{uid}") as resp:
            listing = await resp.text()
        assert f"新网格员{uid}" in listing and "API 调度员" not in listing
        _, text = await post(b, f"/console/setup/users/{user.id}", {"csrf": csrf, "action": "password"})
        shown = re.search(r'id="new-password">[^<]*<code>([^<]+)</code>', text)
        assert shown and len(shown.group(1)) >= 16
        _, text = await post(b, f"/console/setup/users/{user.id}", {"csrf": csrf, "action": "login_code"})
        code = re.search(r'id="login-code">[^<]*<code>(\d{8})</code>', text)
        assert code is not None  # a one-time code for the worker pages, shown once
        redeemed = await login_codes.redeem(code.group(1), console.svc.clock())
        assert redeemed is not None and redeemed.id == user.id
        assert await login_codes.redeem(code.group(1), console.svc.clock()) is None  # once
        await post(b, f"/console/setup/users/{user.id}", {"csrf": csrf, "action": "deactivate"})
    assert not (await User.get(id=user.id)).active
    async with browser(console) as b:
        assert (await sign_in(b, user.id, shown.group(1))).status == 401  # a worker, and deactivated


async def test_departments_add_edit_deactivate(console: Api, uid: str) -> None:
    code = f"440307011-gas-{uid}"
    async with browser(console) as b:
        await sign_in(b, console.staff["admin"].user_id)
        csrf = await token_of(b, "/console/setup/departments")
        data = {"csrf": csrf, "code": code, "line": "gas", "name": "南澳燃气所", "region_code": "440307011",
                "email": "gas@example.org", "wecom_group": ""}
        _, text = await post(b, "/console/setup/departments", data)
        assert code in text
        _, text = await post(b, f"/console/setup/departments/{code}", {**data, "email": "not-mail", "action": "edit"})
        assert "email: not a mail address" in text
        await post(b, f"/console/setup/departments/{code}", {**data, "name": "南澳燃气站", "action": "edit"})
        await post(b, f"/console/setup/departments/{code}", {"csrf": csrf, "action": "deactivate"})
    dept = await Department.get(code=code)
    assert (dept.name, dept.email, dept.active) == ("南澳燃气站", "gas@example.org", False)


async def test_grid_groups_masked_and_a_test_message_is_queued(console: Api, uid: str) -> None:
    code, key = "440307011", f"grp-{uid}-key"
    await GridGroup.filter(grid_code=code).delete()
    async with browser(console) as b:
        await sign_in(b, console.staff["admin"].user_id)
        csrf = await token_of(b, "/console/setup/groups")
        _, text = await post(b, "/console/setup/groups", {"csrf": csrf, "grid_code": code, "webhook_key": "short"})
        assert "webhook_key must be the key of a WeCom group robot" in text
        _, text = await post(b, "/console/setup/groups", {"csrf": csrf, "grid_code": code, "webhook_key": key})
        assert key not in text and f"***{key[-4:]}" in text
        _, text = await post(b, f"/console/setup/groups/{code}", {"csrf": csrf, "action": "test"})
        assert "测试消息" in text
        _, text = await post(b, "/console/setup/groups/999999", {"csrf": csrf, "action": "test"})
        assert "no grid 999999" in text
    queued = await OutboxMessage.filter(kind="group.test", recipient_ref=code).order_by("-id").first()
    assert queued is not None and queued.recipient_kind == "grid_group" and queued.urgent
    await GridGroup.filter(grid_code=code).delete()


async def test_categories_add_rename_retire_keep_versions(console: Api, uid: str) -> None:
    app = console.client.app
    assert app is not None
    from bot.keys import CASES
    store = app[CASES].taxonomy
    free = next(f"29{n:03d}" for n in range(500, 900) if store.catalog.find(f"29{n:03d}") is None)
    before = store.version
    fields = {"name_zh": f"本地事项{uid}", "name_en": "Local matter", "handler": "department", "department": "",
              "severity": "yellow", "time_limit_hours": "12"}
    async with browser(console) as b:
        await sign_in(b, console.staff["admin"].user_id)
        csrf = await token_of(b, "/console/setup/categories")
        _, text = await post(b, "/console/setup/categories", {"csrf": csrf, "code": free, "parent": "29", **fields})
        assert "handler is department but no department is set" in text
        line = sorted(store.catalog.departments)[0]
        _, text = await post(b, "/console/setup/categories", {"csrf": csrf, "code": free, "parent": "29",
                                                              **fields, "department": line})
        assert free in text and f"本地事项{uid}" in text
        await post(b, f"/console/setup/categories/{free}", {"csrf": csrf, "action": "edit", **fields,
                                                            "department": line, "name_zh": f"改名事项{uid}"})
        await post(b, f"/console/setup/categories/{free}", {"csrf": csrf, "action": "retire", "successor": "01037"})
    found = store.catalog.get(free)
    assert found.name_zh == f"改名事项{uid}" and found.retired and found.limit_hours == 12
    assert store.catalog.resolve(free).code == "01037" and store.version == before + 3


async def test_grid_import_preview_then_confirm(console: Api) -> None:
    bad = [*district("990121")[:2], feature("990121002", "street", box(113.005, 22.0, 113.02, 22.02))]
    async with browser(console) as b:
        await sign_in(b, console.staff["admin"].user_id)
        csrf = await token_of(b, "/console/setup/grids")
        text = await upload(b, csrf, collection(bad), 422)
        assert 'data-ok="no"' in text and "feature 2 (990121001): overlaps 990121002" in text
        assert not await Region.exists(code="990121")
        text = await upload(b, csrf, collection(district("990121")), 200)
        token = re.search(r'name="token" value="([^"]+)"', text)
        assert token and not await Region.exists(code="990121")  # the preview stores nothing
        _, done = await post(b, "/console/setup/grids/confirm", {"csrf": csrf, "token": token.group(1)})
        assert "新建 3 个" in done
        _, again = await post(b, "/console/setup/grids/confirm", {"csrf": csrf, "token": token.group(1)})
        assert "已过期" in again
    assert await Region.filter(code__startswith="990121").count() == 3
    app = console.client.app
    assert app is not None
    from bot.keys import CASES
    assert "990121001" in app[CASES].grid.index  # this process places cases on the new grid at once
    # The database and the grid index are shared with every later test: take the test district away again.
    await Region.filter(code__startswith="990121").delete()
    await app[CASES].grid.reload()
    assert "990121001" not in app[CASES].grid.index


async def upload(b: aiohttp.ClientSession, csrf: str, raw: bytes, status: int) -> str:
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", raw, filename="grid.geojson", content_type="application/geo+json")
    async with b.post("/console/setup/grids", data=form) as resp:
        text = await resp.text()
        assert resp.status == status, text[:2000]
        return text


async def test_hostile_uploads(console: Api) -> None:
    async with browser(console) as b:
        await sign_in(b, console.staff["admin"].user_id)
        csrf = await token_of(b, "/console/setup/grids")
        async with b.post("/console/setup/grids", data={"csrf": csrf}) as resp:
            assert resp.status == 400  # not multipart
        text = await upload(b, csrf, b"\x00\xff" * 100, 422)
        assert "not UTF-8" in text
        form = aiohttp.FormData()
        form.add_field("csrf", csrf)
        form.add_field("file", b" " * (33 * 1024 * 1024), filename="big.geojson")
        async with b.post("/console/setup/grids", data=form) as resp:
            assert resp.status == 400 and "MB" in await resp.text()
