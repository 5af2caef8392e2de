"""The one-shot CLI commands (everything but ``serve``)."""

from __future__ import annotations

import time
from pathlib import Path

from bot.auth import hash_token, new_token
from bot.demo import load_demo
from bot.settings import Settings
from intake.audit import Break
from intake.cases.context import utc_now
from intake.cases.verify import verify_all
from intake.grid.model import CODE_LENGTHS
from intake.store import db
from intake.store.models import Region, User, UserGrid


async def migrate(settings: Settings) -> int:
    await db.migrate(settings.database_url)
    print(f"migrations applied to {settings.database_masked}")
    return 0


async def demo(settings: Settings, history: int = 0) -> int:
    """Load the demo city; ``history``: also write that many cases over the past year (seed 16)."""
    if not 0 <= history <= 100_000:
        print("gridline: --history must be between 0 and 100000")
        return 2
    await db.migrate(settings.database_url)
    await db.open_db(settings.database_url)
    try:
        # Fake group robots only where the outbound channel records instead of sending.
        result = await load_demo(settings.geo_dir, Path("var/demo-tokens.json"), replace=True,
                                 groups=settings.outbox.kind == "sandbox")
        print(f"demo city loaded: {result.cells} cells ({result.boundary_source}), {result.people} staff, "
              f"{result.groups} sandbox WeCom groups; "
              f"their API tokens are in {result.tokens_file} (readable by you only)")
        if history:
            await _history(settings, history)
    finally:
        await db.close_db()
    return 0


async def _history(settings: Settings, count: int) -> None:
    from bot.composition import build_context
    from intake.cases.demo_history import Silent, write_history

    started = time.monotonic()
    domain = await build_context(Silent(), keyword_bar=settings.nlp.keyword_bar)
    written = await write_history(domain.ctx, count, utc_now())
    states = ", ".join(f"{k} {v}" for k, v in sorted(written.statuses.items()))
    print(f"demo history: {written.cases} cases over the past year ({states}); {written.supervised} overdue "
          f"cases supervised; {time.monotonic() - started:.0f} s")


async def user_add(settings: Settings, role: str, name: str, grids: list[str]) -> int:
    bad = [g for g in grids if not g.isdigit() or len(g) not in CODE_LENGTHS.values()]
    if bad:
        print(f"gridline: not grid codes: {', '.join(bad)}")
        return 2
    await db.migrate(settings.database_url)
    await db.open_db(settings.database_url)
    try:
        unknown = [g for g in grids if not await Region.exists(code=g)]
        if unknown:
            print(f"gridline: unknown grid codes (load the city first?): {', '.join(unknown)}")
            return 2
        token = new_token()
        user = await User.create(name=name, role=role, token_hash=hash_token(token))
        await UserGrid.bulk_create([UserGrid(user=user, grid_code=g) for g in grids])
    finally:
        await db.close_db()
    print(f"user {user.id} ({role}) {name} created. API token — shown once, store it now:\n{token}")
    return 0


async def wechat_menu(settings: Settings) -> int:
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    from bot.wechat.menu import ApiError, create_menu, menu_json
    from notify.tokens import RedisTokenStore

    print(menu_json())
    wechat = settings.wechat
    if wechat.appid is None or (secret := wechat.api_secret) is None:
        print("(not created: set GRIDLINE_WECHAT_APPID and GRIDLINE_WECHAT_SECRET to create it)")
        return 0
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    try:
        await create_menu(wechat.api_base, wechat.appid, secret, RedisTokenStore(redis) if redis is not None else None)
    except (ApiError, RedisError, OSError) as exc:
        print(f"gridline: menu not created: {exc}")
        return 1
    finally:
        if redis is not None:
            await redis.aclose()
    print("menu created")
    return 0


async def audit_verify(settings: Settings, witness: Path | None = None) -> int:
    await db.open_db(settings.database_url)
    broken = 0
    try:
        async for item in verify_all(witness=witness or settings.audit_witness_file):
            if isinstance(item, Break):
                broken += 1
                print(f"BROKEN case {item.case_no} at event {item.seq}: {item.reason}")
            else:
                broken += item.startswith("BROKEN")  # a checkpoint the chains no longer match
                print(item)
    finally:
        await db.close_db()
    return 1 if broken else 0
