"""Who is at a page (worker or console): the session cookie, the user read afresh, and the CSRF check.

Every request reads the user afresh, so a deactivated user (or, where ``roles`` is given, one whose role
changed) is out at the next request. Every POST carries the session's CSRF token in the form.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from yarl import URL

from bot.web import uploads
from bot.web.render import error_page, see_other, translate
from bot.web.session import Session, Sessions, csrf_ok
from intake.cases.model import Actor
from intake.cases.states import Role
from intake.org import who
from intake.store.models import User, UserGrid

WORKER_HOME = "/worker/"  # where a user whose role has no business on a page is sent


@dataclass(frozen=True, slots=True)
class Me:
    actor: Actor
    session: Session


# Who this request is signed in as, for shared code that must say who did something (the PIPL read log).
SIGNED_IN = web.RequestKey("signed_in", Me)


async def signed_in(request: web.Request, store: Sessions, cookie: str, login: str,
                    roles: frozenset[str] | None = None, *, form_csrf: bool = True) -> Me | web.Response:
    """The signed-in user of this request, or the answer for a request without one: the sign-in page
    (``login``) for a GET, 401 for a POST, 403 for a POST without the session's CSRF token.
    ``form_csrf=False``: a streamed upload, bigger than a form may be; its handler checks the token."""
    session = await store.load(request.cookies.get(cookie, ""))
    found = await who.active_user("id", session.user_id) if session else None
    if session is None or found is None:
        if session is not None:
            await store.end(session.sid)  # deactivated meanwhile: this session is over
        if request.method == "GET":
            return see_other(URL(login).with_query(next=request.path_qs))
        return error_page(request, 401, translate(request, "Your session has ended. Please sign in again."))
    user, grids = found
    if roles is not None and user.role not in roles:
        await store.end(session.sid)  # the role changed since sign-in
        return see_other(WORKER_HOME)
    if request.method == "POST" and form_csrf and not csrf_ok(session, await _csrf_of(request)):
        return error_page(request, 403, translate(request, "This form has expired. Please reload the page."))
    me = Me(_actor(user, grids), session)
    request[SIGNED_IN] = me
    return me


async def _csrf_of(request: web.Request) -> object:
    """The form's token: from a plain form, or the first field of a multipart one (photos follow it)."""
    if uploads.is_multipart(request):
        return await uploads.open_form(request)
    return (await request.post()).get("csrf")


async def staff_actor(user: User) -> Actor:
    grids = await UserGrid.filter(user_id=user.id).values_list("grid_code", flat=True)
    return _actor(user, tuple(str(g) for g in grids))


def _actor(user: User, grids: tuple[str, ...]) -> Actor:
    return Actor(ref=f"user:{user.id}", name=user.name, role=Role(user.role), grids=grids,
                 user_id=user.id, department=user.department_code)  # a department user's scope is its department
