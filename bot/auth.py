"""API tokens: random, shown once, stored as SHA-256; a request's token becomes an ``Actor``.

Tokens carry 256 bits of randomness, so a fast hash is enough (no password
stretching needed) and lets us look a token up by its hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from aiohttp import web

from bot.keys import SETTINGS
from intake.cases.model import Actor
from intake.cases.states import Role
from intake.errors import Forbidden
from intake.org import who

TOKEN_PREFIX = "glt_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


ACTOR = web.RequestKey("actor", Actor)


class Unauthorized(Exception):
    """No valid credentials (HTTP 401)."""


async def authenticate(request: web.Request) -> Actor:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing bearer token")
    token = token.strip()
    try:
        token.encode()
    except UnicodeEncodeError:  # undecodable header bytes arrive as surrogates, which cannot be hashed
        raise Unauthorized("malformed bearer token") from None
    bootstrap = request.config_dict[SETTINGS].admin_token
    if bootstrap is not None and hmac.compare_digest(token.encode(), bootstrap.get_secret_value().encode()):
        return Actor(ref="admin:bootstrap", name="bootstrap admin", role=Role.ADMIN)
    found = await who.active_user("token_hash", hash_token(token))
    if found is None:
        raise Unauthorized("invalid or revoked token")
    user, grids = found
    return Actor(ref=f"user:{user.id}", name=user.name, role=Role(user.role),
                 grids=grids, user_id=user.id, department=user.department_code)


def actor(request: web.Request, *roles: Role) -> Actor:
    """The authenticated actor, refused with 403 unless it has one of ``roles``."""
    who = request[ACTOR]
    if roles and who.role not in roles:
        raise Forbidden(f"this needs the role {' or '.join(str(r) for r in roles)}")
    return who
