"""First load of 我的任务 on a weak connection: the page and every asset it loads, gzip-compressed, ≤ 150 KB."""

from __future__ import annotations

import gzip
import re

from tests.bot.conftest import walk
from tests.bot.worker.conftest import Site
from tests.bot.worker.test_pages import signed_in

BUDGET = 150 * 1024
ASSET = re.compile(r'(?:href|src)="(/worker/static/[^"]+)"')


async def test_my_tasks_and_its_assets_fit_the_budget(site: Site, uid: str) -> None:
    phone, _ = await signed_in(site, "w1", await walk(site.api, "dispatched", f"wf-{uid}"))
    sizes: dict[str, int] = {}
    async with phone:
        async with phone.get("/worker/") as resp:
            page = await resp.read()
        sizes["/worker/"] = len(gzip.compress(page))
        for path in ASSET.findall(page.decode()):
            async with phone.get(path) as resp:
                assert resp.status == 200, path
                sizes[path] = len(gzip.compress(await resp.read()))
        async with phone.get("/worker/sw.js") as resp:  # fetched by the browser after the load, counted anyway
            sizes["/worker/sw.js"] = len(gzip.compress(await resp.read()))
    print("first load (gzip bytes):", sizes, "total", sum(sizes.values()))
    assert any(p.startswith("/worker/static/offline.js") for p in sizes) and sum(sizes.values()) <= BUDGET
