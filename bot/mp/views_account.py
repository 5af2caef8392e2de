"""Login, phone binding, subscription credits and alert places."""

from __future__ import annotations

from aiohttp import web
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from bot.jsonout import json_response
from bot.mp.errors import http_error
from bot.mp.present import ref
from bot.mp.ratelimit import HOUR
from bot.mp.replies import AlertPlaceReply, AlertPlaces, Credit, Credits, LoginReply, PhoneReply
from bot.mp.schemas import AlertPlacesBody, LoginBody, PhoneBody, SubscriptionBody
from bot.mp.services import caller, cases, client_ip, mp, now
from bot.mp.session import CHANNEL
from bot.schemas import json_object
from bot.views.serialize import grid_ref
from intake import residents
from intake.errors import Invalid
from intake.grid.geodesy import to_wgs84
from intake.grid.model import Datum
from intake.store.models import AlertPlace, MpAccount, SubscriptionCredit
from notify.wechat import ApiError

routes = web.RouteTableDef()
BAD_CODE = frozenset({40029, 40163, 40226})  # invalid code, code already used, user blocked as high risk


def _wechat_failed(exc: ApiError, bad_code_status: int) -> web.HTTPException:
    details = {"errcode": exc.errcode}
    if exc.errcode in BAD_CODE:
        return http_error(bad_code_status, "invalid_code", "WeChat refused the code; call wx.login() again", details)
    if exc.errcode == 45011:
        return http_error(429, "wechat_rate_limited", "WeChat's frequency limit; retry in a minute", details, 60)
    if exc.errcode == -1:
        return http_error(503, "wechat_unavailable", "WeChat could not be reached; retry", details, 5)
    return http_error(502, "wechat_error", "WeChat answered with an error", details)


@routes.post("/login")
async def login(request: web.Request) -> web.Response:
    body = LoginBody.model_validate(await json_object(request))
    services, moment = mp(request), now(request)
    if not services.config.configured:
        raise http_error(503, "not_configured", "the mini-program is not configured on this server")
    await services.limiter.hit("login", {"ip": (client_ip(request), services.config.limits.logins_per_hour_ip)},
                               HOUR, moment)
    try:
        found = await services.wechat.code_to_session(body.code)
    except ApiError as exc:
        raise _wechat_failed(exc, 401) from None
    token, expires = await services.sessions.start(found, moment)
    await residents.get(CHANNEL, found.openid, moment)
    account = await MpAccount.get(openid=found.openid)
    reply = LoginReply(token=token, expires_at=expires.isoformat(), phone=account.phone_masked)
    return json_response(reply.model_dump(mode="json"))


def mask_phone(number: str) -> str:
    """``13812341234`` → ``138****1234``: enough for the resident to recognise it, useless to anyone else."""
    digits = number.strip()
    return digits[:3] + "*" * max(0, len(digits) - 7) + digits[-4:] if len(digits) >= 7 else "*" * len(digits)


@routes.post("/phone")
async def bind_phone(request: web.Request) -> web.Response:
    who = await caller(request)
    body = PhoneBody.model_validate(await json_object(request))
    try:
        number = await mp(request).wechat.phone_number(body.code)
    except ApiError as exc:
        raise _wechat_failed(exc, 400) from None
    masked = mask_phone(number)  # the full number is never stored
    await MpAccount.filter(openid=who.openid).update(phone_masked=masked)
    return json_response(PhoneReply(phone=masked).model_dump(mode="json"))


@routes.post("/subscriptions")
async def subscribe(request: web.Request) -> web.Response:
    who = await caller(request)
    body = SubscriptionBody.model_validate(await json_object(request))
    known = mp(request).config.templates
    unknown = sorted(t for t in body.results if known and t not in known)
    if unknown:
        raise Invalid("unknown subscription template ids", templates=unknown)
    moment = now(request)
    for template, answer in body.results.items():
        row, _ = await SubscriptionCredit.get_or_create(
            openid=who.openid, template_id=template, defaults={"last_answer": answer, "updated_at": moment})
        # accept: one more message may be sent. ban: the resident switched the template off in WeChat.
        credits = F("credits") + 1 if answer == "accept" else 0 if answer == "ban" else F("credits")
        await SubscriptionCredit.filter(id=row.id).update(credits=credits, last_answer=answer, updated_at=moment)
    return await _credits(who.openid)


@routes.get("/subscriptions")
async def credits_held(request: web.Request) -> web.Response:
    return await _credits((await caller(request)).openid)


async def _credits(openid: str) -> web.Response:
    rows = await SubscriptionCredit.filter(openid=openid).order_by("template_id")
    items = [Credit(template_id=r.template_id, credits=r.credits, last_answer=r.last_answer) for r in rows]
    return json_response(Credits(items=items).model_dump(mode="json"))


@routes.put("/alert-places")
async def put_places(request: web.Request) -> web.Response:
    who = await caller(request)
    body = AlertPlacesBody.model_validate(await json_object(request))
    ctx, moment = cases(request), now(request)
    placed = []
    for place in body.places:
        hit = ctx.grid.locate(place.lng, place.lat, Datum(place.datum))
        if hit is None:
            raise Invalid("the place is outside the area this service covers", kind=place.kind)
        lng, lat = to_wgs84(place.lng, place.lat, Datum(place.datum))
        placed.append(AlertPlace(openid=who.openid, kind=place.kind, label=place.label, lat=lat, lng=lng,
                                 grid_code=hit.code, updated_at=moment))
    async with in_transaction():  # a replacement: two PUTs at once must not interleave
        await AlertPlace.filter(openid=who.openid).delete()
        await AlertPlace.bulk_create(placed)
    home = next((p.grid_code for p in placed if p.kind == "home"), None)
    await residents.bind_home(await residents.get(CHANNEL, who.openid, moment), home)
    return await _places(request, who.openid)


@routes.get("/alert-places")
async def get_places(request: web.Request) -> web.Response:
    return await _places(request, (await caller(request)).openid)


async def _places(request: web.Request, openid: str) -> web.Response:
    ctx = cases(request)
    rows = await AlertPlace.filter(openid=openid).order_by("kind")
    places = [AlertPlaceReply(kind=r.kind, label=r.label, lat=r.lat, lng=r.lng, grid=ref(grid_ref(ctx, r.grid_code)))
              for r in rows]
    return json_response(AlertPlaces(places=places).model_dump(mode="json"))
