"""JSON shapes of the classifier admin API."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from bot.views.serialize import category_ref, grid_ref
from intake.cases.context import CaseContext
from intake.i18n import DEFAULT
from intake.store.models import Case
from intake.store.models_nlp import KeywordRule, Label, ModelVersion, TriageItem
from nlp.types import Prediction

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def version(v: ModelVersion, *, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": v.id, "name": v.name, "backend": v.backend, "status": v.status, "taxonomy_version": v.taxonomy_version,
        "data": {"sha256": v.data_sha256, "count": v.data_count, "source": v.data_source},
        "metrics": {k: v.metrics.get(k) for k in ("macro_f1", "accuracy", "accuracy_at_80_coverage",
                                                  "coverage_at_95_precision", "n") if k in v.metrics},
        "thresholds_count": len(v.thresholds), "target_precision": v.target_precision,
        "previous_id": v.previous_id, "note": v.note, "created_by": v.created_by,
        "created_at": v.created_at.isoformat(), "activated_by": v.activated_by,
        "activated_at": v.activated_at.isoformat() if v.activated_at else None}
    if full:
        out.update(metrics=v.metrics, thresholds=v.thresholds, directory=v.directory)
    return out


def rule(r: KeywordRule) -> dict[str, Any]:
    return {"id": r.id, "phrase": r.phrase, "category": r.code, "priority": r.priority,
            "expires_at": r.expires_at.isoformat() if r.expires_at else None, "active": r.active, "note": r.note,
            "created_by": r.created_by, "created_at": r.created_at.isoformat()}


def label(row: Label, ctx: CaseContext, lang: str = DEFAULT) -> dict[str, Any]:
    return {"id": row.id, "text": row.text, "category": row.code,
            "category_ref": category_ref(ctx, row.code, lang), "source": row.source, "case_no": row.case_no,
            "actor": row.actor, "taxonomy_version": row.taxonomy_version, "created_at": row.created_at.isoformat()}


def triage_item(item: TriageItem, case: Case, ctx: CaseContext, lang: str = DEFAULT) -> dict[str, Any]:
    """Codes as before, and beside them ``{code, name}`` (``predicted_category``, ``top_categories``, ``grid_ref``)."""
    return {"case_no": item.case_no, "description": case.description, "grid": case.grid_code,
            "grid_ref": grid_ref(ctx, case.grid_code),
            "predicted": item.predicted, "predicted_category": category_ref(ctx, item.predicted, lang),
            "confidence": item.confidence, "threshold": item.threshold, "model": item.model, "top": item.top,
            "top_categories": named_top(ctx, item.top, lang), "opened_at": case.opened_at.isoformat()}


def named_top(ctx: CaseContext, top: Sequence[Sequence[Any]], lang: str = DEFAULT) -> list[dict[str, Any]]:
    """``[[code, score], …]`` as ``[{code, name, score}, …]``."""
    return [{**(category_ref(ctx, str(pair[0]), lang) or {}), "score": pair[1]} for pair in top if len(pair) == 2]


def prediction(p: Prediction, ctx: CaseContext, lang: str = DEFAULT) -> dict[str, Any]:
    top = [[s.code, round(s.score, 4)] for s in p.top]
    return {"category": p.code, "category_ref": category_ref(ctx, p.code, lang), "confidence": round(p.confidence, 4),
            "top": top, "top_categories": named_top(ctx, top, lang), "terms": list(p.terms),
            "severity_hint": p.severity_hint, "places": list(p.places), "model": p.model}


def labels_csv(batches: Iterable[Sequence[Label]]) -> str:
    """``text,label,source,case_no,created_at``; cells a spreadsheet would run as a formula are quoted with '."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["text", "label", "source", "case_no", "created_at"])
    for batch in batches:
        for row in batch:
            writer.writerow([_safe(row.text), row.code, row.source, row.case_no or "", row.created_at.isoformat()])
    return buffer.getvalue()


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA) else cell
