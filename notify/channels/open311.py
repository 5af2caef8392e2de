"""The upstream Open311 channel: an outbox row becomes a GeoReport v2 ``POST requests.json``.

The envelope's body is the request's fields (``service_code``, ``lat``, ``long``, ``description`` …).
What the platform answers (its ``service_request_id`` or ``token``) is handed to ``on_created`` (the
outbox records it beside the case) and written in the attempt's detail too, so it is on record even
if recording fails. Transient failures (network, 5xx, 429) retry with the outbox's backoff; a refusal
(400 bad field or service code, 401/403 bad key, 404) is a dead letter with the platform's code.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from notify.channels.base import bad_body
from notify.http import TransportError
from notify.open311 import Created, Open311Client, Open311Error
from notify.types import Attempt, ChannelName, Envelope, Outcome

log = logging.getLogger(__name__)
REQUIRED = ("service_code", "description")
FIELDS = ("service_code", "lat", "long", "address_string", "description", "email", "first_name", "last_name",
          "phone", "device_id", "account_id", "media_url", "address_id")
MAX_FIELD = 4000
OnCreated = Callable[[Envelope, Created], Awaitable[None]]


def form_of(body: dict[str, object]) -> dict[str, str] | str:
    """The form to post, or why the body cannot be sent (GeoReport wants lat+long or an address)."""
    missing = [name for name in REQUIRED if not body.get(name)]
    if missing:
        return f"missing {', '.join(missing)}"
    form = {k: str(body[k])[:MAX_FIELD] for k in FIELDS if body.get(k) not in (None, "")}
    if not ({"lat", "long"} <= form.keys() or "address_string" in form or "address_id" in form):
        return "no location (lat and long, or address_string)"
    return form


class Open311Channel:
    def __init__(self, client: Open311Client, on_created: OnCreated, name: str = ChannelName.UPSTREAM_OPEN311) -> None:
        self._client, self._on_created, self._name = client, on_created, name

    @property
    def name(self) -> str:
        return self._name

    async def send(self, envelope: Envelope) -> Attempt:
        form = form_of(dict(envelope.body))
        if isinstance(form, str):
            return bad_body(form)
        try:
            created = await self._client.create(form)
        except TransportError as exc:
            return Attempt(Outcome.RETRY, code=exc.status, detail=str(exc)[:500])
        except Open311Error as exc:
            transient = exc.status == 429
            return Attempt(Outcome.RETRY if transient else Outcome.DEAD, code=exc.code or exc.status,
                           detail=str(exc)[:500])
        detail = f"service_request_id={created.service_request_id or ''} token={created.token or ''}"
        try:
            await self._on_created(envelope, created)
        except Exception:  # the request exists upstream: never post it twice; the id is in the detail
            log.exception("recording upstream request %s failed", detail)
        return Attempt(Outcome.DELIVERED, detail=detail)
