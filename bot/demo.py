"""Loading the demo city (Shenzhen 大鹏新区) with its departments and named demo staff."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tortoise.transactions import in_transaction

from bot.auth import hash_token, new_token
from intake.grid.demo import build_demo_city, demo_groups, find_geo_dir
from intake.grid.model import Cell
from intake.grid.store import store_city
from intake.store import db
from intake.store.models import Region, User
from intake.store.models_outbox import GridGroup

log = logging.getLogger("gridline.demo")
DEMO_BY = "demo"  # ``updated_by`` of the demo's own group rows


@dataclass(frozen=True, slots=True)
class DemoLoad:
    cells: int
    people: int
    boundary_source: str
    tokens_file: Path
    groups: int = 0


async def is_empty() -> bool:
    return not await Region.exists()


async def load_demo(geo_dir: Path | None, tokens_file: Path, *, replace: bool, groups: bool = False) -> DemoLoad:
    """Write the demo city; demo staff get fresh tokens, written to ``tokens_file`` (mode 0600).

    ``groups``: also give streets and communities fake WeCom group robots — only in sandbox mode,
    where the outbound channel records instead of sending."""
    city = build_demo_city(find_geo_dir(geo_dir))
    tokens: list[dict[str, object]] = []
    links: list[list[object]] = []
    async with in_transaction():
        await store_city(city, replace=replace)
        await User.filter(origin="demo").delete()
        for person in city.people:
            token = new_token()
            user = await User.create(name=person.name, role=person.role, token_hash=hash_token(token),
                                     phone=person.phone, origin="demo")
            links += [[user.id, g] for g in person.grids]
            tokens.append({"user_id": user.id, "name": person.name, "role": person.role,
                           "grids": list(person.grids[:3]) + (["…"] if len(person.grids) > 3 else []),
                           "token": token})
        # The ~7,800 links in one statement, not a model instance each: a newcomer's first start writes them.
        await db.execute_many("INSERT INTO user_grids (user_id, grid_code) VALUES (?, ?)", links)
        made = await store_demo_groups(city.cells) if groups else 0
    _write_private(tokens_file, json.dumps(tokens, ensure_ascii=False, indent=1))
    log.info("demo city loaded", extra={"cells": len(city.cells), "people": len(city.people),
                                        "boundary": city.boundary_source, "tokens_file": str(tokens_file)})
    return DemoLoad(len(city.cells), len(city.people), city.boundary_source, tokens_file, made)


async def store_demo_groups(cells: tuple[Cell, ...]) -> int:
    """Replace the demo's own groups; a group someone configured for a cell is kept, never overwritten."""
    await GridGroup.filter(updated_by=DEMO_BY).delete()
    taken = {str(code) for code in await GridGroup.all().values_list("grid_code", flat=True)}
    now = datetime.now(UTC)
    rows = [GridGroup(grid_code=code, webhook_key=key, updated_at=now, updated_by=DEMO_BY)
            for code, key in demo_groups(cells) if code not in taken]
    await GridGroup.bulk_create(rows)
    return len(rows)


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
