"""``POST /sms/uplink/{provider}/{key}``: replies to the 回访 SMS, pushed by the provider (上行短信).

Tencent Cloud SMS posts each reply as one JSON object (``mobile``, ``nationcode``, ``text``, ``sign``,
``time``, ``extend``) and wants ``{"result": 0, "errmsg": "OK"}``; Aliyun's HTTP push (SmsUp) posts a JSON
list of ``{"phone_number", "content", "send_time", "sign_name", "dest_code", "sequence_id"}`` and wants
``{"code": 0, "msg": "成功"}``. Neither signs its push, so the URL carries a secret (``GRIDLINE_SMS_UPLINK_SECRET``)
compared in constant time: a wrong key is 403 before the body is read. Each reply is matched to the
sender's open survey (intake.surveys.by_sms); one that is not an answer is acknowledged and dropped, so
the provider does not retry it forever.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from aiohttp import web

from bot.jsonout import json_response
from bot.keys import CASES, SETTINGS
from intake.errors import Forbidden, Invalid
from intake.surveys.by_sms import answer_text
from outbox.phones import PHONE_CHANNELS, e164

routes = web.RouteTableDef()
log = logging.getLogger("gridline.sms")
MAX_BODY = 64 * 1024
MAX_REPLIES = 100  # one push; Aliyun batches at most a few dozen
FIELDS = {"tencent": ("mobile", "text"), "aliyun": ("phone_number", "content")}
ACK = {"tencent": {"result": 0, "errmsg": "OK"}, "aliyun": {"code": 0, "msg": "成功"}}


@routes.post("/sms/uplink/{provider}/{key}")
async def uplink(request: web.Request) -> web.Response:
    settings = request.config_dict[SETTINGS]
    secret = settings.sms_uplink_secret
    given = request.match_info["key"].encode()
    if secret is None or not settings.sms_surveys or not hmac.compare_digest(given,
                                                                             secret.get_secret_value().encode()):
        raise Forbidden("unknown uplink key")
    provider = request.match_info["provider"]
    if provider not in FIELDS or provider != settings.sms_provider:
        raise Invalid(f"this server takes uplink messages from {settings.sms_provider!r} only")
    pushed = replies(await _body(request), provider)
    ctx, answered = request.config_dict[CASES], 0
    for mobile, text in pushed:
        answered += await answer_text(ctx, mobile, text, PHONE_CHANNELS) is not None
    log.info("sms uplink", extra={"provider": provider, "replies": len(pushed), "answered": answered})
    return json_response(ACK[provider])


async def _body(request: web.Request) -> Any:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise Invalid(f"the body is over {MAX_BODY} bytes")
    raw = await request.content.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise Invalid(f"the body is over {MAX_BODY} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Invalid("the body is not JSON in UTF-8") from None


def replies(body: Any, provider: str) -> list[tuple[str, str]]:
    """(E.164 number, text) of each reply from a mainland mobile; anything else in a well-formed push is skipped."""
    items = body if isinstance(body, list) else [body]
    if not items or len(items) > MAX_REPLIES or not all(isinstance(i, dict) for i in items):
        raise Invalid(f"expected a reply object or a list of 1–{MAX_REPLIES}")
    number_field, text_field = FIELDS[provider]
    out = []
    for item in items:
        if str(item.get("nationcode", "86")) != "86":
            continue  # only mainland numbers are texted (outbox.phones)
        mobile, text = e164(item.get(number_field)), item.get(text_field)
        if mobile is not None and isinstance(text, str):
            out.append((mobile, text))
    return out
