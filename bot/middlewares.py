"""Cross-cutting concerns: request ids and logging, metrics, authentication, error translation.

Views stay thin: they raise domain errors and this module turns them into
HTTP answers with a JSON body ``{"error": code, "message": ..., "details": ...}``.
"""

from __future__ import annotations

import json
import logging
import time
import uuid

from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import ValidationError

from bot import logs, queries, roles
from bot.auth import ACTOR, Unauthorized, authenticate
from bot.jsonout import json_response
from bot.keys import METRICS
from intake.errors import Busy, Conflict, DomainError, Forbidden, IllegalTransition, Invalid, NotFound, TooSoon

log = logging.getLogger("gridline.http")
STATUS = {NotFound: 404, Invalid: 400, Forbidden: 403, IllegalTransition: 409, Conflict: 409, Busy: 503,
          TooSoon: 429}


def error_body(status: int, code: str, message: str, details: object = None) -> web.Response:
    body = {"error": code, "message": message}
    if details:
        body["details"] = details  # type: ignore[assignment]
    return json_response(body, status=status)


# Routes whose URL itself is a secret (the SMS provider's uplink key): the request log shows the pattern.
SECRET_ROUTES = frozenset({"/sms/uplink/{provider}/{key}"})


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    rid = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
    token = logs.request_id.set(rid)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        response.headers["X-Request-Id"] = rid
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        elapsed = time.perf_counter() - started
        route = request.match_info.route.resource.canonical if request.match_info.route.resource else "unmatched"
        metrics = request.app[METRICS]
        metrics.requests.labels(request.method, route, str(status)).inc()
        metrics.latency.labels(route).observe(elapsed)
        path = route if route in SECRET_ROUTES else request.path  # the secret in such a URL is never logged
        log.info("request", extra={"method": request.method, "path": path, "status": status,
                                   "ms": round(elapsed * 1000, 2)})
        logs.request_id.reset(token)


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except DomainError as exc:
        return error_body(STATUS.get(type(exc), 400), exc.code, exc.message, exc.details)
    except ValidationError as exc:
        problems = [{"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()]
        return error_body(400, "invalid", "the request body is not valid", problems)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return error_body(400, "invalid_json", "the request body is not valid UTF-8 JSON")
    except Unauthorized as exc:
        response = error_body(401, "unauthorized", str(exc))
        response.headers["WWW-Authenticate"] = 'Bearer realm="gridline"'
        return response
    except web.HTTPRequestEntityTooLarge:
        return error_body(413, "too_large", "the request body is too large")
    except web.HTTPException as exc:
        if exc.status >= 400 and exc.content_type != "application/json":
            return error_body(exc.status, exc.reason.lower().replace(" ", "_"), exc.reason)
        raise
    except Exception:
        log.exception("unhandled error")
        return error_body(500, "internal", "internal error; quote the X-Request-Id when reporting it")


@web.middleware
async def admin_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    """On the admin sub-app (``bot.admin``): every request there names its caller, or answers 401 —
    except the API's own description (``roles.OPEN``), which anyone may read."""
    if roles.is_open(request):
        queries.check(request)
        return await handler(request)
    request[ACTOR] = who = await authenticate(request)
    roles.enforce(request, who)  # the role matrix (bot/roles.py)
    queries.check(request)  # a filter the endpoint does not read is an error, not silently ignored
    return await handler(request)
