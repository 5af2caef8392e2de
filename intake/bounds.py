"""Every stored string gets its bound checked before it reaches SQL, from the model's own ``max_length``.

PostgreSQL refuses an over-long value with an error the caller sees as a 500 (a 129-character WeChat
``FromUserName``); SQLite stores it silently. Raw-SQL paths (the one-statement arrival) skip Tortoise's
own validators, so they call :func:`check` with the values they are about to write.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from tortoise.models import Model

from intake.errors import Invalid


@cache
def limits(model: type[Model]) -> dict[str, int]:
    """``{field: max_length}`` of the model's bounded string fields."""
    found = {}
    for name, field in model._meta.fields_map.items():
        bound = getattr(field, "max_length", None)
        if isinstance(bound, int):
            found[name] = bound
    return found


def check(model: type[Model], values: Mapping[str, object]) -> None:
    """:class:`Invalid` naming the first string longer than its field allows (the value is not echoed)."""
    bounds = limits(model)
    for name, value in values.items():
        bound = bounds.get(name)
        if bound is not None and isinstance(value, str) and len(value) > bound:
            raise Invalid(f"{model.__name__}.{name} may have at most {bound} characters", field=name, limit=bound)
