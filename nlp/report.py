"""Human-readable evaluation report: a confusion-matrix picture and the misclassified messages.

The pictures are drawn with Pillow (already a dependency for media): a heat map is
rectangles and numbers, not worth matplotlib's 40 MB and second-long import. Stock
fonts have no CJK glyphs, so the axes show label indices and the HTML page's legend
maps indices to labels: boxes of tofu help nobody.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MAX_ROWS = 500  # misclassified examples listed; the rest are only counted


def write_report(directory: Path, metrics: dict[str, Any], rows: list[tuple[str, str | None, float]], *,
                 texts: Sequence[str], terms: Sequence[Sequence[str]], names: dict[str, str]) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"metrics": directory / "metrics.json", "confusion": directory / "confusion.png",
             "reliability": directory / "reliability.png", "misclassified": directory / "misclassified.html"}
    paths["metrics"].write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    labels = metrics["confusion_matrix"]["labels"]
    _plot(paths["confusion"], labels, metrics["confusion_matrix"]["matrix"])
    _reliability(paths["reliability"], metrics.get("reliability", []), metrics.get("ece", 0.0))
    paths["misclassified"].write_text(_page(metrics, rows, texts, terms, names), encoding="utf-8")
    return paths


def _plot(path: Path, labels: list[str], matrix: list[list[int]]) -> None:
    """A heat map: row = true label, column = predicted; darker = more messages, counts in the cells."""
    from PIL import Image, ImageDraw, ImageFont

    n = len(labels)
    cell = 28 if n <= 30 else max(6, 840 // max(n, 1))  # a 300-label matrix still fits on a screen
    margin = 40
    size = margin + cell * n + 8
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    peak = max((max(row) for row in matrix if row), default=0) or 1
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            shade = int(255 - 200 * count / peak)  # white → dark blue, as a "Blues" colour map
            x, y = margin + j * cell, margin + i * cell
            draw.rectangle((x, y, x + cell - 1, y + cell - 1), fill=(shade, shade, 255),
                           outline=(220, 220, 220))
            if count and cell >= 20:
                draw.text((x + cell / 2, y + cell / 2), str(count), anchor="mm", font=font,
                          fill="white" if shade < 140 else "black")
    if cell >= 14:  # indices, explained by the legend in the HTML page
        for k in range(n):
            draw.text((margin + k * cell + cell / 2, margin - 4), str(k), anchor="mb", font=font, fill="black")
            draw.text((margin - 4, margin + k * cell + cell / 2), str(k), anchor="rm", font=font, fill="black")
    draw.text((margin, 4), "predicted ->", font=font, fill="black")
    draw.text((2, margin - 16), "true", font=font, fill="black")
    image.save(path, format="PNG")


def _reliability(path: Path, bins: list[dict[str, float]], ece: float) -> None:
    """Reliability diagram: per confidence bin, a bar as high as the accuracy there; the diagonal is perfect
    calibration, a bar below it is over-confidence. The bar's shade says how many messages the bin holds."""
    from PIL import Image, ImageDraw, ImageFont

    side, margin = 300, 40
    image = Image.new("RGB", (side + 2 * margin, side + 2 * margin), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    x0, y0 = margin, margin + side  # origin: confidence 0, accuracy 0
    peak = max((b["n"] for b in bins), default=0) or 1
    for b in bins:
        if not b["n"]:
            continue
        left, right = x0 + b["low"] * side, x0 + b["high"] * side - 2
        shade = int(200 - 150 * b["n"] / peak)
        draw.rectangle((left, y0 - b["accuracy"] * side, right, y0), fill=(shade, shade, 255), outline=(80, 80, 160))
        gap_top = y0 - max(b["accuracy"], b["confidence"]) * side
        gap_bottom = y0 - min(b["accuracy"], b["confidence"]) * side
        draw.rectangle((left, gap_top, right, gap_bottom), outline=(200, 40, 40))  # the gap ECE weighs
    draw.line((x0, y0, x0 + side, y0 - side), fill=(120, 120, 120), width=1)
    draw.rectangle((x0, y0 - side, x0 + side, y0), outline="black")
    for k in range(0, 11, 2):
        draw.text((x0 + k * side / 10, y0 + 4), f"{k / 10:.1f}", anchor="mt", font=font, fill="black")
        draw.text((x0 - 4, y0 - k * side / 10), f"{k / 10:.1f}", anchor="rm", font=font, fill="black")
    draw.text((x0, 8), f"reliability: accuracy per confidence bin, ECE {ece:.3f}", font=font, fill="black")
    draw.text((x0 + side / 2, y0 + 20), "confidence", anchor="mt", font=font, fill="black")
    image.save(path, format="PNG")


def _page(metrics: dict[str, Any], rows: list[tuple[str, str | None, float]], texts: Sequence[str],
          terms: Sequence[Sequence[str]], names: dict[str, str]) -> str:
    def label(code: str | None) -> str:
        return html.escape("—" if code is None else f"{code} {names.get(code, '')}".strip())

    wrong = sorted((i for i, (t, p, _) in enumerate(rows) if t != p), key=lambda i: -rows[i][2])
    body = []
    for i in wrong[:MAX_ROWS]:
        truth, pred, conf = rows[i]
        text = html.escape(texts[i]) if i < len(texts) else ""
        why = html.escape("、".join(terms[i])) if i < len(terms) else ""
        body.append(f"<tr><td>{label(truth)}</td><td>{label(pred)}</td><td>{conf:.2f}</td>"
                    f"<td>{why}</td><td>{text}</td></tr>")
    legend = "".join(f"<li>{i}: {label(code)}</li>" for i, code in enumerate(metrics["confusion_matrix"]["labels"]))
    shown = ("macro_f1", "accuracy", "accuracy_at_80_coverage", "coverage_at_95_precision", "ece", "top3_accuracy")
    summary = ", ".join(f"{k} {metrics[k]:.3f}" for k in shown if k in metrics)
    return f"""<!doctype html><html lang="zh"><meta charset="utf-8"><title>Misclassified messages</title>
<style>body{{font-family:sans-serif}}td{{border-top:1px solid #ccc;padding:4px;vertical-align:top}}</style>
<h1>Misclassified: {len(wrong)} of {len(rows)}</h1><p>{html.escape(summary)}</p>
<p><img src="confusion.png" alt="confusion matrix"> <img src="reliability.png" alt="reliability diagram"></p>
<details><summary>Label indices</summary><ul>
{legend}</ul></details>
<table><tr><th>true</th><th>predicted</th><th>confidence</th><th>top terms</th><th>text</th></tr>
{"".join(body)}</table>{'<p>… more not shown</p>' if len(wrong) > MAX_ROWS else ''}</html>
"""
