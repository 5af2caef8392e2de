"""HTTP errors of the mini-program API with their own codes (401, 413, 415, 429, 502, 503 …).

They are raised as ``web.HTTPException`` with the same JSON body as the domain
errors, which the ``errors`` middleware passes through untouched.
"""

from __future__ import annotations

from aiohttp import web

from bot.jsonout import dumps

_CLASSES: dict[int, type[web.HTTPException]] = {
    400: web.HTTPBadRequest, 401: web.HTTPUnauthorized, 409: web.HTTPConflict, 415: web.HTTPUnsupportedMediaType,
    429: web.HTTPTooManyRequests, 502: web.HTTPBadGateway, 503: web.HTTPServiceUnavailable,
}


def http_error(status: int, code: str, message: str, details: object = None,
               retry_after: int | None = None) -> web.HTTPException:
    body: dict[str, object] = {"error": code, "message": message}
    if details:
        body["details"] = details
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": 'Bearer realm="gridline"'}
    return _CLASSES[status](text=dumps(body), content_type="application/json", headers=headers)


def too_large(limit: int, size: int) -> web.HTTPException:
    """413; the ``errors`` middleware answers it with its own ``too_large`` body."""
    return web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=size)
