"""Request bodies of the classifier admin API (``/admin/v1/nlp``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from bot.schemas import Strict

MAX_ID = 2**31 - 1


class JobBody(Strict):
    backend: Literal["linear", "transformer"] = "linear"
    seed_examples: bool = True
    label_names: bool = True
    note: str = Field(default="", max_length=500)


class CompareBody(Strict):
    a: int = Field(ge=1, le=MAX_ID)
    b: int | None = Field(default=None, ge=1, le=MAX_ID)  # None: the active version


class RuleBody(Strict):
    phrase: str = Field(min_length=1, max_length=50)
    category: str = Field(min_length=1, max_length=16)
    priority: int = Field(default=1, ge=-100, le=100)
    expires_at: datetime | None = None
    note: str = Field(default="", max_length=200)


class RulePatch(Strict):
    priority: int | None = Field(default=None, ge=-100, le=100)
    expires_at: datetime | None = None
    active: bool | None = None
    note: str | None = Field(default=None, max_length=200)

    @field_validator("priority", "active", "note", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep its value")
        return value


class DecisionBody(Strict):
    category: str = Field(min_length=1, max_length=16)


class PredictBody(Strict):
    text: str = Field(min_length=1, max_length=2000)
