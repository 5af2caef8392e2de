"""Keep the garbage collector's full pass away from the callbacks.

At start-up gridline loads objects that live as long as the process: jieba's dictionary, the
grid index, the taxonomy, the serving model, the ORM's metadata — about 170,000 tracked
objects in the demo city. CPython's full collection walks all of them; measured at about
90 ms, it landed in the middle of whichever callbacks were running and set the p99 at
200 requests/s. ``gc.freeze`` moves what exists once start-up is done out of the
collector's view (CPython's documented idiom for long-lived servers); what requests
allocate afterwards is collected as before.
"""

from __future__ import annotations

import gc

from aiohttp import web


async def settle(app: web.Application) -> None:
    """``on_startup`` hook, last: collect start-up's garbage, then freeze what survived."""
    gc.collect()
    gc.freeze()


def serving(app: web.Application) -> web.Application:
    """The app as ``gridline serve`` runs it: tests build apps without this (a test process holds many)."""
    app.on_startup.append(settle)
    return app
