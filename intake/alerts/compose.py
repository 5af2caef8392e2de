"""Turning a parsed CAP message, or an admin's request, into an :class:`AlertDraft`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from intake.alerts.area import Area
from intake.alerts.cap import CapMessage
from intake.alerts.service import AlertDraft
from intake.alerts.signals import COLOUR_ZH, Catalogue, colour_of
from intake.errors import Invalid

# CAP 1.2 severity → colour. Only 橙色 → Severe was seen in a source (cap_profile_cn_notes.md); the rest
# is the obvious order. Unknown counts as blue: the lowest level, so it never overrides quiet hours.
SEVERITY_COLOUR = {"Extreme": "red", "Severe": "orange", "Moderate": "yellow", "Minor": "blue", "Unknown": "blue"}
# China-profile eventType → national signal code. Only 11B06 (大风) is verified in a real message; other
# signals are found by name in the event or headline instead of trusting the unverified 11Bnn hypothesis.
EVENT_TYPES = {"11B06": "05"}


def from_cap(msg: CapMessage, catalogue: Catalogue, source: str = "cap") -> AlertDraft:
    colour = _cap_colour(msg)
    code = EVENT_TYPES.get(msg.event_code or "")
    signal = catalogue.signals[code] if code else catalogue.named_in(f"{msg.event} {msg.headline}")
    event = msg.event or (signal.name_zh if signal else msg.event_code or "")
    headline = msg.headline or event or msg.identifier
    area = msg.area
    return AlertDraft(identifier=msg.identifier, sender=msg.sender, source=source, msg_type=msg.msg_type,
                      signal=signal, colour=colour, event=event, headline=headline,
                      message=msg.description or headline, guidance=msg.instruction, area=area, sent_at=msg.sent,
                      expires_at=msg.expires, references=msg.references, deliver=msg.status == "Actual")


def _cap_colour(msg: CapMessage) -> str:
    if msg.profile == "cn":
        try:
            return colour_of(msg.severity)
        except Invalid:  # "Unknown" in the CN profile: the headline still names the colour
            return next((c for c, zh in COLOUR_ZH.items() if zh in msg.headline), "blue")
    return SEVERITY_COLOUR.get(msg.severity, "blue")


@dataclass(frozen=True, slots=True)
class AdminAlert:
    signal: str
    colour: str
    area: Area
    message: str
    guidance: str | None
    expires_at: datetime | None
    sender: str
    instructions: str | None = None  # the grid workers' part; residents read message and guidance
    test: bool = False  # staff (or the test group) only, never residents


def compose(req: AdminAlert, catalogue: Catalogue, now: datetime) -> AlertDraft:
    """An admin's alert: the signal and colour must be one of the catalogue's combinations."""
    signal = catalogue.find(req.signal)
    colour = colour_of(req.colour)
    catalogue.check(signal, colour)
    if req.area.empty:
        raise Invalid("the area needs a polygon, a circle, division codes or grid codes")
    if req.expires_at is not None and req.expires_at <= now:
        raise Invalid("expires must be in the future")
    return AlertDraft(identifier=f"gridline-{uuid.uuid4().hex}", sender=req.sender, source="admin",
                      msg_type="Alert", signal=signal, colour=colour, event=signal.name_zh,
                      headline=f"{signal.title(colour)}", message=req.message, guidance=req.guidance,
                      area=req.area, sent_at=now, expires_at=req.expires_at, deliver=not req.test,
                      instructions=req.instructions)
