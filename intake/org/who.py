"""A request's user with their grids, in one statement: every authenticated request reads them.

The ORM took two queries (the user, then the grids) and built both anew each time, about a millisecond
of CPU per request; a case's cycle makes a dozen requests. The SQL is written once per column set.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from intake.store import db
from intake.store.models import User, UserGrid

Key = Literal["id", "token_hash"]


@cache
def _sql(key: Key) -> str:
    columns = ", ".join(f'u."{c}"' for c in User._meta.fields_db_projection.values())
    return (f'SELECT {columns}, g."grid_code" AS "grid__code" FROM "{User._meta.db_table}" u '
            f'LEFT JOIN "{UserGrid._meta.db_table}" g ON g."user_id" = u."id" '
            f'WHERE u."{key}" = ? AND u."active" = ? ORDER BY g."id"')


async def active_user(key: Key, value: int | str) -> tuple[User, tuple[str, ...]] | None:
    """The active user whose ``key`` is ``value`` and the grids they answer for; None when there is none."""
    rows = await db.fetch(_sql(key), [value, True])
    if not rows:
        return None
    grids = tuple(str(row["grid__code"]) for row in rows if row["grid__code"] is not None)
    first = rows[0]
    del first["grid__code"]
    return User._init_from_db(**first), grids
