"""The console's Jinja environment and page helpers; language, gettext and redirects are the worker pages'."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.worker.render import SECURITY_HEADERS, gettext, language, see_other, translate

__all__ = ["error_page", "page", "see_other", "setup", "translate"]
HERE = Path(__file__).resolve().parent
TEMPLATES, STATIC = HERE / "templates", HERE / "static"
VERSION = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(STATIC.iterdir()))).hexdigest()[:10]


def setup(app: web.Application) -> None:
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                         undefined=jinja2.StrictUndefined)
    app.router.add_static("/static", STATIC, name="static")


def page(name: str, request: web.Request, context: dict[str, Any], status: int = 200) -> web.Response:
    common = {"_": gettext(request), "lang": language(request).replace("_", "-"), "v": VERSION}
    response = aiohttp_jinja2.render_template(name, request, {**common, **context}, status=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(SECURITY_HEADERS)
    return response


def error_page(request: web.Request, status: int, message: str) -> web.Response:
    return page("error.html", request, {"message": message, "status": status}, status=status)
