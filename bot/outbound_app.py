"""The app's outbound resources (``cleanup_ctx``): the relay and sender in-process, built from settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from aiohttp import web
from pydantic import SecretStr

from bot.keys import CASES, OUTBOUND, SETTINGS
from bot.settings import Mode, Settings
from intake.cases.context import CaseContext, Clock, utc_now
from outbox import runner
from outbox.config import Account, Kind, OutboxConfig


def outbox_config(settings: Settings) -> OutboxConfig:
    """The outbox's part of the settings; ``auto`` means sandbox in sandbox mode, else live."""
    return OutboxConfig(
        kind=outbound_kind(settings), public_url=settings.public_url,
        subscribe_template_id=settings.subscribe_template_id, redis_url=settings.redis_url,
        stream=settings.outbox_stream, rates=dict(settings.outbound_rates),
        concurrency=settings.sender_concurrency, max_attempts=settings.sender_max_attempts,
        wecom_api_base=settings.wecom_api_base,
        wechat=_account(settings.wechat_api_base, settings.wechat_appid, settings.wechat_secret),
        mp=_account(settings.mp_api_base or settings.wechat_api_base, settings.mp_appid, settings.mp_secret),
        wecom=_account(settings.wecom_api_base, settings.wecom_corp_id, settings.wecom_corp_secret),
        wecom_agent_id=settings.wecom_agent_id, smtp_url=settings.smtp_url)


def outbound_kind(settings: Settings) -> Kind:
    if settings.outbound != "auto":
        return settings.outbound
    return "sandbox" if settings.effective_mode is Mode.SANDBOX else "live"


def _account(api_base: str, appid: str | None, secret: SecretStr | None) -> Account | None:
    return Account(api_base, appid, secret) if appid and secret else None


def category_namer(ctx: CaseContext) -> Callable[[str], str | None]:
    def name(code: str) -> str | None:
        found = ctx.taxonomy.catalog.find(code)
        return found.name("zh_CN") if found is not None else None

    return name


def outbound(clock: Clock | None, run_sender: bool) -> Callable[[web.Application], AsyncIterator[None]]:
    """Build the relay + sender; run them unless another process does (``gridline sender``)."""
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        built = runner.build(outbox_config(app[SETTINGS]), clock or utc_now, category_name=category_namer(app[CASES]))
        app[OUTBOUND] = built
        if run_sender:
            built.start()
        yield
        await built.close()

    return ctx
