"""``gridline sender``: a relay + sender process of its own, until SIGTERM or SIGINT.

Run as many as the rate limits deserve: with Redis they share one consumer group
and one token bucket per channel; a killed one's messages are reclaimed by the
others (``XAUTOCLAIM``) or re-queued by a relay once their lease ends.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.settings import Settings
from intake.store import db
from intake.taxonomy.catalog import Catalog
from intake.taxonomy.store import TaxonomyStore
from outbox import runner

log = logging.getLogger("gridline.outbound")


async def run(settings: Settings, consumer: str | None = None, lease_s: float | None = None) -> int:
    await db.migrate(settings.database_url)
    await db.open_db(settings.database_url)
    try:
        taxonomy = TaxonomyStore(Catalog.load())
        await taxonomy.refresh()

        def name(code: str) -> str | None:
            found = taxonomy.catalog.find(code)
            return found.name("zh_CN") if found is not None else None

        built = runner.build(settings.outbox, consumer=consumer, category_name=name, lease_s=lease_s)
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        built.start()
        log.info("sender started", extra={"consumer": built.sender.config.consumer,
                                           "queue": "redis" if settings.redis_url else "memory"})
        await stopping.wait()
        await built.close()
        log.info("sender stopped", extra={"counts": dict(built.sender.counts)})
    finally:
        await db.close_db()
    return 0
