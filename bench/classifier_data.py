"""Loading ``../shared/data/teddy2020c`` for ``bench/classifier.py`` (read in place, never copied)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared/data/teddy2020c"

# Distant supervision: the department a government reply names → the label line it belongs to.
# Written from the label tree's level-2/3 names (which bureau handles 社会保险, 环境污染 …).
DEPARTMENTS = {
    "教育文体": r"教育局|教育厅|教体局|教育体育局|文体局|文化局|体育局|文旅局|文广|文物局|教委",
    "劳动和社会保障": r"人社局|人力资源和社会保障|人力资源社会保障|社保局|社保中心|劳动监察|劳动保障|"
                      r"医保局|医疗保障局|医保中心|仲裁院",
    "卫生计生": r"卫健委|卫生健康|卫计委|卫计局|卫生局|卫生和计划生育|疾控中心|疾病预防|计生|食药监|食品药品监督",
    "交通运输": r"交通运输局|交通局|交通运输厅|运管|道路运输|公路局|公路管理|客运|邮政管理",
    "环境保护": r"环保局|环境保护局|生态环境局|环境保护厅|生态环境厅|环境监察|环境监测|环保分局",
    "商贸旅游": r"商务局|工商局|工商分局|市场监督管理局|市场监管局|质监局|质量技术监督|旅游局|物价局|商务厅",
    "城乡建设": r"住建局|住建委|住房和城乡建设|城乡建设局|建设局|城管局|城市管理|规划局|房产局|住房保障|房屋征收|"
                r"不动产|自来水公司|供电公司|燃气公司|市政|园林|住房公积金",
}
_PATTERNS = {label: re.compile(pattern) for label, pattern in DEPARTMENTS.items()}


@dataclass(frozen=True)
class Teddy:
    texts: list[str]  # the competition's official sample (446): NOT distributed like real traffic
    labels: list[str]
    dev_texts: list[str]  # 400 representative messages: where ideas are judged
    dev_labels: list[str]
    unlabelled: list[str]  # every unlabelled message, with or without a reply
    replies: list[tuple[str, str]]  # (message, government reply)
    seeds: list[tuple[str, str]]  # (level-1/2/3 name, level-1 label) for the labels in use


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_teddy() -> Teddy:
    labelled, dev = _rows("train_labeled.csv"), _rows("dev_labeled.csv")
    labels = [r["label"] for r in labelled]
    replied = _rows("unlabeled_messages_with_replies.csv")
    plain = _rows("unlabeled_messages.csv")
    seeds: dict[tuple[str, str], None] = {}
    for row in _rows("label_taxonomy.csv"):
        if row["level1"] in labels:
            for name in (row["level1"], row["level2"], row["level3"]):
                if name != "其他":  # "other" describes nothing
                    seeds[(name, row["level1"])] = None
    return Teddy([r["text"] for r in labelled], labels, [r["text"] for r in dev], [r["label"] for r in dev],
                 [r["text"] for r in plain + replied],
                 [(r["text"], r["reply"]) for r in replied], list(seeds))


def department_labels(replies: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(message, label) where the reply names one label's departments at least twice as often as any other's."""
    found = []
    for text, reply in replies:
        hits = sorted(((len(p.findall(reply)), label) for label, p in _PATTERNS.items()), reverse=True)
        if hits[0][0] and hits[0][0] >= 2 * hits[1][0]:
            found.append((text, hits[0][1]))
    return found
