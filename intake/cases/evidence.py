"""Proof that someone was there: the actor's position and photo refs on 核实, 处置, 核查 and 协办 answers.

Photos are refs (``mp:…``, ``wechat-media:…``, ``staff:…``: what the upload routes store and
:mod:`intake.cases.media` records); this module never reads a file. The position is the device's, or, when
the device gave none, the photo's GPS read by the upload before EXIF is stripped (``position_source``
``photo_exif``, recorded as the position's ``source`` and on its flag), WGS-84. A position farther from the
case point than the policy's tolerance is accepted and flagged on the case (``position_flags``) and in the event, so the
dispatcher sees it: a weak GPS fix must not block work, but a desk-side "on-site" check must show.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from intake.errors import Invalid
from intake.grid.geodesy import haversine_m

if TYPE_CHECKING:
    from intake.cases.workflow import Step

PHOTO_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:_\-./]{0,199}$")
MAX_PHOTOS = 9


def photos(step: Step) -> list[str]:
    refs = list(step.request.attachments)
    if len(refs) > MAX_PHOTOS:
        raise Invalid(f"at most {MAX_PHOTOS} photos")
    bad = [r for r in refs if not isinstance(r, str) or not PHOTO_REF.match(r) or ".." in r]
    if bad:
        raise Invalid("photo refs must be media refs (letters, digits and : _ - . /, at most 200)")
    return refs


def position(step: Step) -> tuple[float, float] | None:
    """``(lat, lng)`` from the request, or None when it gave none."""
    lat, lng = step.request.params.get("lat"), step.request.params.get("lng")
    if lat is None and lng is None:
        return None
    try:
        flat, flng = float(lat), float(lng)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Invalid("lat and lng must both be numbers") from None
    if not (math.isfinite(flat) and math.isfinite(flng) and -90 <= flat <= 90 and -180 <= flng <= 180):
        raise Invalid("lat must be in [-90, 90] and lng in [-180, 180]")
    return flat, flng


def record(step: Step, *, required: bool) -> None:
    """Validate and keep the step's position and photos; flag a position far from the case point."""
    refs, where = photos(step), position(step)
    if required and (where is None or not refs):
        raise Invalid(f"{step.request.action} needs the position (lat, lng) and at least one photo",
                      action=step.request.action)
    if refs:
        step.data["photos"] = refs
    if where is not None:
        step.data["position"] = _checked(step, *where)


def _source(step: Step) -> str:
    """Where the position came from: the device, or a photo's own GPS (``photo_exif``) when the device gave none."""
    return "photo_exif" if step.request.params.get("position_source") == "photo_exif" else "device"


def _checked(step: Step, lat: float, lng: float) -> dict[str, Any]:
    case = step.case
    out: dict[str, Any] = {"lat": lat, "lng": lng, "distance_m": None, "flagged": False, "source": _source(step)}
    if case.lat is None or case.lng is None:
        return out  # nothing to compare with: an unplaced report
    distance = round(haversine_m(lng, lat, case.lng, case.lat))
    out["distance_m"] = distance
    if distance > step.ctx.tasks.tolerance_m:
        out["flagged"] = True
        flag = {"action": step.request.action, "seq": case.last_seq + 1, "distance_m": distance,
                "tolerance_m": step.ctx.tasks.tolerance_m, "by": step.actor.ref, "at": step.now.isoformat(),
                "source": out["source"]}
        case.position_flags = [*(case.position_flags or []), flag]
    return out
