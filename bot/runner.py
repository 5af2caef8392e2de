"""Run the app until SIGTERM or SIGINT, and always clean up what start-up opened.

``web.run_app`` starts the app outside its ``try``: a SIGTERM that lands during start-up
(a supervisor stopping a worker that is still loading the grid) cancelled the start-up and
skipped every ``cleanup_ctx`` exit, so the open SQLite connection's worker thread kept the
process alive until it was killed. Here a signal only sets an event: start-up completes, then
everything it opened is closed in order, and the process exits 0.
"""

from __future__ import annotations

import asyncio
import signal

from aiohttp import web


async def serve(app: web.Application, host: str, port: int, *, reuse_port: bool = False) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    try:
        await runner.setup()  # the app's start-up; a signal meanwhile is acted on once it is done
        if not stop.is_set():
            await web.TCPSite(runner, host, port, reuse_port=reuse_port).start()
            await stop.wait()
    finally:
        await runner.cleanup()  # also after a failed start-up: the contexts it entered are exited


def run(app: web.Application, host: str, port: int, *, reuse_port: bool = False) -> None:
    asyncio.run(serve(app, host, port, reuse_port=reuse_port))
