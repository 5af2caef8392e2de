"""Request headers' values never reach a log line.

aiohttp logs a request it cannot parse with the parser's exception, whose message quotes the start of the
offending line: an oversized ``Authorization`` header put the first ~100 characters of a bearer token in
the error log. Its access log quotes ``Referer`` and ``User-Agent``. This filter, on aiohttp's own
loggers, keeps the event (who, which error class) and drops the quoted bytes; our request log
(:mod:`bot.middlewares`) already records each request without headers, so access lines are dropped.
"""

from __future__ import annotations

import logging

from aiohttp.http_exceptions import HttpProcessingError

LOGGERS = ("aiohttp.server", "aiohttp.web", "aiohttp.internal", "aiohttp.access", "aiohttp.websocket")


class HeaderValues(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "aiohttp.access":
            return False
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            # The exception's text quotes the request line or header it choked on: keep only its kind.
            record.msg = f"{record.getMessage()}: {type(exc).__name__} (HTTP {exc.code}); request bytes not logged"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


_FILTER = HeaderValues()


def install() -> None:
    """Attach the filter to aiohttp's loggers (idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
