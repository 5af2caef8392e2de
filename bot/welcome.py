"""What a first start shows: the "gridline ready" line (where it listens, the pages to open, which
classifier serves) and ``/``: the sandbox in sandbox mode, else a short landing text linking the pages.

A newcomer's first questions after ``gridline serve`` are "where do I look?" and "is the model in
use?"; the log and ``/`` answer both without reading the README.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from aiohttp import web

from bot.keys import CASES, DEFAULT_BUILD, SERVING, SETTINGS
from bot.settings import Mode, Settings
from tuning.serving import ServingClassifier

if TYPE_CHECKING:
    from bot.default_model import DefaultBuild

log = logging.getLogger("gridline.app")
routes = web.RouteTableDef()

SANDBOX = "/sandbox"
# (path, what it is): the pages every mode serves; a feature with a page of its own adds it here.
PAGES = (("/console/", "the command-centre console: dispatchers, supervisors, admins (password sign-in)"),
         ("/worker/", "the grid worker's pages (signed links: gridline worker link)"),
         ("/healthz", "health: database, Redis, the serving classifier"),
         ("/admin/v1/docs", "the staff's admin API (OpenAPI)"),
         ("/mp/v1/docs", "the mini-program API (OpenAPI)"))
_WILDCARDS = {"", "0.0.0.0", "::"}


def base_url(host: str, port: int) -> str:
    """The URL to open for a server bound to ``host``: a wildcard address is reached on loopback."""
    shown = "127.0.0.1" if host in _WILDCARDS else host
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def pages(settings: Settings) -> list[tuple[str, str]]:
    sandbox = [(SANDBOX, "the sandbox: a simulated resident, worker and dispatcher")]
    return [*(sandbox if settings.effective_mode is Mode.SANDBOX else []), *PAGES]


def classifier(serving: ServingClassifier | None, build: DefaultBuild | None = None) -> dict[str, str | int | None]:
    """Which classifier serves: ``keyword`` (the keyword matcher) or a registered model and its version; and
    how this process's background build of the default model goes (``off`` when none was asked for)."""
    state = build.state if build is not None else "off"
    if serving is None or serving.active is None:
        return {"classifier": "keyword", "model_version": None, "default_model": state}
    return {"classifier": serving.name, "model_version": serving.active.version_id, "default_model": state}


def _said(serving: dict[str, str | int | None], loaded: bool) -> str:
    if serving["model_version"] is None:
        # serve loads the registry's models once it listens (tuning.runtime, load_later)
        why = "no model is active" if loaded else "until the registry's models have loaded, in the background"
        if serving["default_model"] in ("building", "elsewhere"):
            why += "; the default model is being built in the background"
        return f"the keyword matcher ({why})"
    return f"model {serving['classifier']} (version {serving['model_version']})"


def announce(app: web.Application, host: str, port: int) -> None:
    """Log "gridline ready" once the site listens: the URL, the pages to open, the serving classifier."""
    url, settings = base_url(host, port), app.get(SETTINGS)
    if settings is None:  # an app not built by create_app (a test, an embedding): only the URL is known
        log.info(f"gridline ready on {url}", extra={"url": url, "pid": os.getpid()})
        return
    serving = classifier(app.get(SERVING), app.get(DEFAULT_BUILD))
    loaded = SERVING not in app or app[SERVING].revision != -1
    links = [url + path for path, _ in pages(settings)]
    log.info(f"gridline ready on {url}: open {links[0]}; classifier: {_said(serving, loaded)}",
             extra={"url": url, "pages": links, **serving, "mode": str(settings.effective_mode),
                    "cells": len(app[CASES].grid.index) if CASES in app else None, "pid": os.getpid()})


@routes.get("/")
async def landing(request: web.Request) -> web.StreamResponse:
    settings = request.app[SETTINGS]
    if settings.effective_mode is Mode.SANDBOX:
        raise web.HTTPFound(SANDBOX)
    lines = ["gridline: grid governance for residents, grid workers and dispatchers.", ""]
    lines += [f"{path}  {what}" for path, what in pages(settings)]
    return web.Response(text="\n".join(lines) + "\n")
