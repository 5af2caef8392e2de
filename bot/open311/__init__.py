"""Open311 GeoReport v2 at ``/open311/v2``, a sub-application so every error, a 404 or 405 of the
router included, answers in the spec's shape and in the format the path asked for."""

from __future__ import annotations

import json
import logging

from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import ValidationError

from bot.middlewares import STATUS
from bot.open311 import filing, views
from bot.open311.config import Open311Config
from bot.open311.render import Open311Error, error
from intake.errors import DomainError

__all__ = ["PREFIX", "Open311Config", "build"]
PREFIX = "/open311/v2"
log = logging.getLogger("gridline.open311")


def build(config: Open311Config) -> web.Application:
    app = web.Application(middlewares=[_errors])
    app[views.CONFIG] = config
    app.add_routes(views.routes)
    app.add_routes(filing.routes)
    return app


def _fmt(request: web.Request) -> str:
    fmt = request.match_info.get("fmt")
    return fmt if fmt in ("json", "xml") else "json" if request.path.endswith(".json") else "xml"


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except Open311Error as exc:
        return error(_fmt(request), exc.status, exc.description)
    except DomainError as exc:
        status = STATUS.get(type(exc), 400)
        return error(_fmt(request), 400 if status == 409 else status, exc.message)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'request'}: {e['msg']}" for e in exc.errors())
        return error(_fmt(request), 400, problems)
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return error(_fmt(request), 400, "the request body could not be read")
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error(_fmt(request), exc.status, exc.reason)
    except Exception:
        log.exception("unhandled error")
        return error(_fmt(request), 500, "internal error")
