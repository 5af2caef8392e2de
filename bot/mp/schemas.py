"""Request bodies of the mini-program API: validated with pydantic, and the source of its OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from bot.schemas import Strict

CODE = r"^[A-Za-z0-9_-]{1,128}$"
MEDIA_ID = r"^m[0-9a-f]{32}$"
MediaId = Annotated[str, StringConstraints(pattern=MEDIA_ID)]
TemplateId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class LoginBody(Strict):
    """``code`` from ``wx.login()``."""

    code: str = Field(pattern=CODE)


class PhoneBody(Strict):
    """``code`` from a ``getPhoneNumber`` button's event."""

    code: str = Field(pattern=CODE)


class Location(Strict):
    """A point as the phone gives it: ``wx.getLocation`` answers GCJ-02 unless asked for WGS-84."""

    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    datum: Literal["gcj02", "wgs84"] = "gcj02"


class SupplementBody(Strict):
    """补充: text, a location or both, added to an open report of yours."""

    text: str | None = Field(default=None, min_length=1, max_length=500)
    location: Location | None = None

    @model_validator(mode="after")
    def _something(self) -> SupplementBody:
        if self.text is None and self.location is None:
            raise ValueError("give text, a location or both")
        return self


class ReportBody(Strict):
    description: str = Field(min_length=1, max_length=2000)
    location: Location | None = None
    address: str | None = Field(default=None, min_length=1, max_length=300)
    media: list[MediaId] = Field(default_factory=list, max_length=9, description="media ids from POST /media")
    category: str | None = Field(default=None, pattern=r"^\d{5}$", description="a category code, when chosen")
    anonymous: bool = Field(default=False, description="hide the reporter from staff views, send no survey")

    @model_validator(mode="after")
    def _somewhere(self) -> ReportBody:
        if self.location is None and self.address is None:
            raise ValueError("give a location, an address or both")
        if len(set(self.media)) != len(self.media):
            raise ValueError("media ids must not repeat")
        return self


class WithdrawBody(Strict):
    note: str | None = Field(default=None, max_length=500)


class RatingBody(Strict):
    """1 满意 (satisfied), 2 基本满意 (fairly satisfied), 3 不满意 (not satisfied)."""

    score: Literal[1, 2, 3]
    comment: str | None = Field(default=None, max_length=500)


Answer = Literal["accept", "reject", "ban", "filter"]


class SubscriptionBody(Strict):
    """The ``success`` result of ``wx.requestSubscribeMessage``: template id → the resident's answer."""

    results: dict[TemplateId, Answer] = Field(min_length=1, max_length=20)


class AlertPlaceBody(Strict):
    kind: Literal["home", "work"]
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    datum: Literal["gcj02", "wgs84"] = "gcj02"
    label: str | None = Field(default=None, min_length=1, max_length=50)


class AlertPlacesBody(Strict):
    """The full set of places: what is not listed is removed."""

    places: list[AlertPlaceBody] = Field(max_length=2)

    @model_validator(mode="after")
    def _one_each(self) -> AlertPlacesBody:
        if len({p.kind for p in self.places}) != len(self.places):
            raise ValueError("at most one home and one work place")
        return self



class ErasureBody(Strict):
    """Deleting is not undone: the call must say so."""

    confirm: Literal[True]
