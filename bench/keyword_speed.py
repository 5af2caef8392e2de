"""Throughput and latency of :class:`nlp.keyword.KeywordClassifier`.

Builds ~350 synthetic labels (object × problem, 6 synonyms each), classifies
20,000 short resident-style messages on one core and prints messages/s and
p50/p99 latency. Goal: ≥ 5,000 messages/s and p99 < 2 ms.

Run: ``.venv/bin/python bench/keyword_speed.py [n_messages]``
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.keyword import KeywordClassifier
from nlp.types import LabelTerms

# fmt: off
OBJECTS = (
    "井盖", "路灯", "垃圾桶", "电梯", "下水道", "绿化带", "围墙", "楼道", "停车位", "广告牌",
    "充电桩", "化粪池", "水管", "电线", "消防通道", "健身器材", "公厕", "窨井", "路面", "人行道",
    "护栏", "树木", "排水沟", "外墙", "屋顶", "门禁", "监控", "信号灯", "公交站", "自行车棚",
)
# fmt: on
PROBLEMS = {
    "破损": ("坏了", "破了", "裂了", "烂了", "破损严重", "损坏"),
    "缺失": ("丢了", "没了", "被偷", "不见了", "丢失", "缺了"),
    "堵塞": ("堵了", "不通", "堵住", "堵死", "排不出", "反水"),
    "占用": ("被占", "被堵", "乱停", "堆杂物", "被霸占", "占着"),
    "故障": ("不亮", "不动", "失灵", "停了", "出故障", "罢工"),
    "松动": ("晃动", "松了", "摇晃", "要掉", "不稳", "歪了"),
    "脏乱": ("很脏", "太脏", "脏乱差", "没人扫", "乱七八糟", "有垃圾"),
    "漏水": ("渗水", "滴水", "冒水", "积水", "漏了", "流水"),
    "异味": ("很臭", "发臭", "有臭味", "熏人", "臭气", "味道大"),
    "噪音": ("很吵", "太响", "噪声", "吵人", "轰鸣", "嗡嗡响"),
    "倾斜": ("歪斜", "倒了", "要倒", "倾倒", "斜了", "塌了"),
    "私改": ("乱改", "私拆", "被拆", "乱接", "改装", "私接"),
}
PLACE_STEMS = ("幸福", "阳光", "和平", "东风", "建设", "人民", "光明", "新华", "友谊", "胜利")
PLACES = [stem + kind for stem in PLACE_STEMS for kind in ("小区", "路", "街道", "社区")]
FILLERS = ("好几天了", "没人管", "请尽快处理", "太危险了", "谢谢", "", "麻烦看一下", "晚上特别明显")


def build_labels() -> list[LabelTerms]:
    labels = []
    for i, obj in enumerate(OBJECTS):
        for j, (problem, synonyms) in enumerate(PROBLEMS.items()):
            labels.append(LabelTerms(f"L{i:02d}{j:02d}", (obj + problem,), tuple(obj + s for s in synonyms)))
    return labels


def build_messages(n: int, rng: random.Random) -> list[str]:
    messages = []
    for _ in range(n):
        obj, (_, synonyms) = rng.choice(OBJECTS), rng.choice(list(PROBLEMS.items()))
        middle = rng.choice([obj + rng.choice(synonyms), obj + "有问题", "今天天气不错"])
        where = rng.choice(PLACES) + rng.choice(("门口", "附近", ""))
        messages.append(f"{where}{middle},{rng.choice(FILLERS)}")
    return messages


def main(n: int = 20_000) -> None:
    labels = build_labels()
    started = time.perf_counter()
    classifier = KeywordClassifier(labels, places=PLACES)
    build_s = time.perf_counter() - started
    messages = build_messages(n, random.Random(7))
    classifier.classify_many(messages[:200])  # warm caches

    started = time.perf_counter()
    classifier.classify_many(messages)
    throughput = n / (time.perf_counter() - started)

    latencies = []
    for message in messages:
        t0 = time.perf_counter_ns()
        classifier.classify(message)
        latencies.append((time.perf_counter_ns() - t0) / 1e6)
    cuts = statistics.quantiles(latencies, n=100)
    print(f"labels={len(labels)} phrases={7 * len(labels)} messages={n} build={build_s:.2f}s")
    print(f"throughput={throughput:,.0f} msg/s  p50={cuts[49]:.3f} ms  p99={cuts[98]:.3f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
