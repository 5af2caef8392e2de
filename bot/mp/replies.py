"""Response bodies of the mini-program API. Views build these, so the OpenAPI document describes
exactly what is sent. Nothing here names a worker or shows a staff-only note."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Ref(BaseModel):
    code: str
    name: str


class ErrorReply(BaseModel):
    error: str = Field(description="a stable machine-readable code")
    message: str = Field(description="English, for developers: the mini-program shows its own text")
    details: object | None = None


class LoginReply(BaseModel):
    token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_at: str
    phone: str | None = Field(description="the bound phone number, masked (138****1234)")


class PhoneReply(BaseModel):
    phone: str


class MediaReply(BaseModel):
    media_id: str
    mime: str
    width: int
    height: int
    size: int


class Duplicate(BaseModel):
    """A similar open case nearby: the resident may second it instead (its text is not shown)."""

    case_no: str
    status: str
    category: Ref | None
    distance_m: float | None
    similarity: float


class ReportReply(BaseModel):
    case_no: str
    status: str
    category: Ref | None
    grid: Ref | None
    deadline: str
    anonymous: bool
    duplicates: list[Duplicate]
    evidence: str  # 存证码: the short opening hash, which the audit chain commits the report to


By = Literal["you", "staff", "system", "resident"]


class Step(BaseModel):
    action: str
    status: str
    at: str
    by: By
    note: str | None = Field(default=None, description="only notes meant for the resident")


class ReportView(BaseModel):
    """``relation`` own: the full view. seconded: the public view (no text, address or photos)."""

    case_no: str
    relation: Literal["own", "seconded"]
    status: str
    category: Ref | None
    grid: Ref | None
    opened_at: str
    deadline: str
    closed_at: str | None
    description: str | None = None
    address: str | None = None
    location: dict[str, float] | None = Field(default=None, description="WGS-84 lat/lng")
    media: list[str] = Field(default_factory=list)
    anonymous: bool | None = None
    can_withdraw: bool = False
    can_rate: bool = False
    rating: int | None = None
    timeline: list[Step] = Field(default_factory=list)


class ReportPage(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[ReportView]


class RatingReply(BaseModel):
    case_no: str
    score: int
    round: int
    effects: Literal["none", "reopened", "escalated"] = Field(
        default="none", description="what the answer did: 不满意 reopens the case once, a second one escalates it")


class Credit(BaseModel):
    template_id: str
    credits: int
    last_answer: str


class Credits(BaseModel):
    items: list[Credit]


class AlertPlaceReply(BaseModel):
    kind: str
    label: str | None
    lat: float
    lng: float
    grid: Ref | None


class AlertPlaces(BaseModel):
    places: list[AlertPlaceReply]


class MyData(BaseModel):
    """Everything gridline holds about the caller (PIPL): settings, reports, seconded cases, ratings, messages."""

    resident: dict[str, object] | None
    cases: list[dict[str, object]]
    seconded: list[str]
    ratings: list[dict[str, object]]
    messages: list[dict[str, object]] = Field(description="the newest 1,000 messages sent")


class ErasureReply(BaseModel):
    erased: int = Field(description="ended reports whose personal data is gone now")
    pending: int = Field(description="open reports, erased when they end (their handlers still need them)")


class WorkerCard(BaseModel):
    """我的网格员: the grid worker of your latest report's cell; masked, with one way to reach them."""

    name: str = Field(description="masked: the family name and one mark per further character")
    wecom: str | None = Field(description="the worker's WeCom id, when they have one")
    mobile: str | None = Field(description="masked mobile (138****1234), when there is no WeCom id")
    office_hours: str
    grid: str
    case_no: str = Field(description="the report whose cell this is")
