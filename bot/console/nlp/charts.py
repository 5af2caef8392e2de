"""The models page's pictures as plain SVG geometry (no script, no inline style: the page's CSP allows neither).

A template draws what these return; colours are fill-opacity on one hue, so the matrix reads in
grey-scale print too.
"""

from __future__ import annotations

from typing import Any

CELL, MARGIN = 14, 60  # px of one confusion cell; room for the codes on the axes
SIDE, PAD = 260, 36  # px of the reliability plot and its axes


def confusion(pairs: Any, limit: int = 40) -> dict[str, Any] | None:
    """Cells of a row-normalised confusion matrix (true down, predicted across) from the registry's non-zero
    ``[true, predicted, n]`` cells: the ``limit`` categories with most examples, so the picture stays legible."""
    if not isinstance(pairs, list) or not pairs:
        return None
    weight: dict[str, int] = {}
    rows: dict[str, int] = {}
    for truth, predicted, n in pairs:
        weight[truth] = weight.get(truth, 0) + int(n)
        weight[predicted] = weight.get(predicted, 0) + int(n)
        rows[truth] = rows.get(truth, 0) + int(n)
    labels = sorted(sorted(weight, key=lambda c: -weight[c])[:limit])
    at = {code: k for k, code in enumerate(labels)}
    cells = [{"x": MARGIN + at[p] * CELL, "y": MARGIN + at[t] * CELL, "n": int(n),
              "opacity": round(0.15 + 0.85 * int(n) / (rows[t] or 1), 3), "diagonal": t == p,
              "truth": t, "predicted": p} for t, p, n in pairs if t in at and p in at]
    size = MARGIN + len(labels) * CELL
    ticks = [{"code": code, "at": MARGIN + k * CELL + CELL // 2} for k, code in enumerate(labels)]
    return {"cells": cells, "size": size, "cell": CELL, "margin": MARGIN, "ticks": ticks, "n": len(labels)}


def reliability(bins: Any) -> dict[str, Any] | None:
    """Points (mean confidence, accuracy) per confidence bin, sized by count, against the diagonal."""
    if not isinstance(bins, list) or not bins:
        return None
    most = max(int(b.get("n", 0)) for b in bins) or 1
    points = [{"x": round(PAD + float(b["confidence"]) * SIDE, 1),
               "y": round(PAD + (1 - float(b["accuracy"])) * SIDE, 1),
               "r": round(3 + 7 * int(b["n"]) / most, 1), "n": int(b["n"]),
               "confidence": float(b["confidence"]), "accuracy": float(b["accuracy"])}
              for b in bins if int(b.get("n", 0))]
    grid = [{"at": PAD + k * SIDE / 5, "x": f"{k / 5:.1f}", "y": f"{1 - k / 5:.1f}"} for k in range(6)]
    return {"points": points, "side": SIDE, "pad": PAD, "size": SIDE + 2 * PAD, "grid": grid,
            "path": " ".join(f"{'M' if k == 0 else 'L'}{p['x']},{p['y']}" for k, p in enumerate(points))}
