"""Shadow records and their report: how often the shadow agrees with the active model, and who was right."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from intake.store.models import Case
from intake.store.models_nlp import Label, ModelVersion, ShadowPrediction
from intake.taxonomy.catalog import Catalog
from intake.tuning.labels import live_code

BATCH = 200


async def pending_cases(version: ModelVersion, limit: int = BATCH) -> list[Case]:
    """Cases opened since the version was registered that the shadow has not seen, classified by a model."""
    last = await ShadowPrediction.filter(version_id=version.id).order_by("-case_id").first()
    query = Case.filter(opened_at__gte=version.created_at).exclude(classifier="reporter")
    if last is not None:
        query = query.filter(id__gt=last.case_id)
    return await query.order_by("id").limit(limit)


async def record(version_id: int, cases: list[Case], active_model: str, active: list[tuple[str | None, float]],
                 shadow: list[tuple[str | None, float]], now: datetime) -> int:
    rows = [ShadowPrediction(version_id=version_id, case_id=c.id, case_no=c.case_no, active_model=active_model[:64],
                             active_code=a[0], active_confidence=round(a[1], 4), shadow_code=s[0],
                             shadow_confidence=round(s[1], 4), created_at=now)
            for c, a, s in zip(cases, active, shadow, strict=True)]
    await ShadowPrediction.bulk_create(rows)
    return len(rows)


async def report(version_id: int, catalog: Catalog) -> dict[str, Any]:
    rows = await ShadowPrediction.filter(version_id=version_id).order_by("id").limit(100_000)
    final: dict[str, str] = {}
    for case_no, code in await Label.filter(case_no__in=[r.case_no for r in rows]).order_by("id").values_list(
            "case_no", "code"):
        if (live := live_code(catalog, str(code))) is not None:
            final[str(case_no)] = live  # the latest label of a case is its final word
    labelled = [r for r in rows if r.case_no in final]
    return {
        "version_id": version_id, "n": len(rows),
        "agreement": _share(sum(r.active_code == r.shadow_code for r in rows), len(rows)),
        "labelled": len(labelled),
        "active_accuracy": _share(sum(r.active_code == final[r.case_no] for r in labelled), len(labelled)),
        "shadow_accuracy": _share(sum(r.shadow_code == final[r.case_no] for r in labelled), len(labelled)),
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
