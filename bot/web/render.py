"""Page rendering shared by the worker's pages and the console: language, gettext, pages, redirects.

Every page gets ``_`` (gettext in the request's language) with its context, so one Jinja environment
serves every language at once (a context processor would run after the sub-app's authentication
middleware, whose error pages need it too). Each sub-app calls :func:`setup` with its own folder; the
environment it gets is its own, so ``page`` renders from the sub-app that handles the request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from yarl import URL

from intake.i18n import gettext_for, pick

SHARED = Path(__file__).resolve().parent / "templates"  # base.html and error.html, searched after the sub-app's
LANG = web.RequestKey("page_lang", str)


@dataclass(frozen=True, slots=True)
class Site:
    """What the shared base and error pages say of a sub-app: its path, stylesheet and (msgids) names."""

    root: str  # "/worker"
    css: str  # a file in the sub-app's static folder
    home: str  # the home link's words, and the default title
    back: str  # the error page's link home
    script: str = ""  # a script (in the static folder) every page of the sub-app loads, if any


VERSION = web.AppKey("static_version", str)
SITE = web.AppKey("site", Site)
# Only our own scripts and styles run, in no one else's frame; forms post only to us.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
}


def language(request: web.Request) -> str:
    if LANG not in request:
        request[LANG] = pick(request.query.get("lang") or request.headers.get("Accept-Language"))
    return request[LANG]


def gettext(request: web.Request) -> Callable[[str], str]:
    return gettext_for(language(request)).gettext


def translate(request: web.Request, msgid: str) -> str:
    return gettext(request)(msgid)


def version(static: Path) -> str:
    """A digest of the static files: their URLs change when they do, so phones may cache them for long."""
    files = sorted(p for p in static.rglob("*") if p.is_file())  # vendored libraries sit in sub-folders
    return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()[:10]


def setup(app: web.Application, here: Path, site: Site) -> None:
    """The sub-app's templates (``here/templates``, then the shared ones) and static files (``here/static``)."""
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader([here / "templates", SHARED]), autoescape=True,
                         undefined=jinja2.StrictUndefined)
    app[SITE] = site
    app[VERSION] = version(here / "static")
    app.router.add_static("/static", here / "static", name="static")


def page(name: str, request: web.Request, context: dict[str, Any], status: int = 200) -> web.Response:
    common = {"_": gettext(request), "lang": language(request).replace("_", "-"),
              "v": request.config_dict[VERSION], "site": request.config_dict[SITE]}
    response = aiohttp_jinja2.render_template(name, request, {**common, **context}, status=status)
    response.headers["Cache-Control"] = "no-store"  # pages show one user's cases
    response.headers.update(SECURITY_HEADERS)
    return response


def error_page(request: web.Request, status: int, message: str) -> web.Response:
    return page("error.html", request, {"message": message, "status": status}, status=status)


def see_other(location: URL | str) -> web.Response:
    return web.Response(status=303, headers={"Location": str(location), **SECURITY_HEADERS})
