"""What the hash chain commits to about the report itself: reporter, description, location, photos.

The opening event carries ``data["report"]``, a SHA-256 over these fields as the case row holds them;
any later change to them must append an event carrying the new digest (:func:`seal`). ``audit verify``
recomputes the digest from the case row and compares it with the last one the chain committed to, so
editing the row behind the application's back is reported.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from intake.store.models import Case

REPORT_FIELDS = ("channel", "reporter", "description", "address", "lat", "lng", "grid_code", "photos")


def report_digest(case: Case) -> str:
    body = {name: getattr(case, name) for name in REPORT_FIELDS}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                          .encode()).hexdigest()


def seal(case: Case) -> dict[str, Any]:
    """The event data that commits the chain to the report as it stands now."""
    return {"report": report_digest(case)}


def sealed_digest(events: list[dict[str, Any]]) -> str | None:
    """The last report digest the chain committed to (None: a case opened before reports were sealed)."""
    for event in reversed(events):
        data = event.get("data") or {}
        if isinstance(data, dict) and "report" in data:
            return str(data["report"])
    return None


def short(digest: str) -> str:
    """The form a resident's receipt shows: enough to match against the chain, short enough to copy."""
    return digest[:12]
