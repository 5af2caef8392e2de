"""How ``gridline serve`` (and each ``--workers`` child) runs the app: until SIGTERM or SIGINT,
always cleaning up what start-up opened, with the start-up heap frozen.

``web.run_app`` starts the app outside its ``try``: a SIGTERM that lands during start-up
(a supervisor stopping a worker that is still loading the grid) cancelled the start-up and
skipped every ``cleanup_ctx`` exit, so the open SQLite connection's worker thread kept the
process alive until it was killed. Here a signal only sets an event: start-up completes, then
everything it opened is closed in order, and the process exits 0.

The heap: start-up loads objects that live as long as the process — jieba's dictionary, the
grid index, the taxonomy, the serving model, the ORM's metadata, about 170,000 tracked objects
in the demo city. CPython's full collection walks all of them; measured at about 90 ms, it
landed in the middle of whichever callbacks were running and set the p99 at 200 requests/s.
``gc.freeze`` moves what exists once start-up is done out of the collector's view (CPython's
documented idiom for long-lived servers); what requests allocate afterwards is collected as before.
"""

from __future__ import annotations

import asyncio
import gc
import signal

from aiohttp import web

from bot import welcome
from bot.keys import LISTENING


async def settle(app: web.Application) -> None:
    """``on_startup`` hook, last: collect start-up's garbage, then freeze what survived."""
    gc.collect()
    gc.freeze()


async def serve(app: web.Application, host: str, port: int, *, reuse_port: bool = False) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    app.on_startup.append(settle)  # tests build apps without it: a test process holds many
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    try:
        await runner.setup()  # the app's start-up; a signal meanwhile is acted on once it is done
        if not stop.is_set():
            await web.TCPSite(runner, host, port, reuse_port=reuse_port).start()
            welcome.announce(app, host, port)
            if LISTENING in app:  # the model load and the default model's build wait for this
                app[LISTENING].set()
            await stop.wait()
    finally:
        await runner.cleanup()  # also after a failed start-up: the contexts it entered are exited


def run(app: web.Application, host: str, port: int, *, reuse_port: bool = False) -> None:
    asyncio.run(serve(app, host, port, reuse_port=reuse_port))
