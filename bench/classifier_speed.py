"""Speed of the linear classifier on short messages, on one core.

10,000 synthetic short messages: the shipped seed examples (nlp/data/seed_examples.csv)
with a place in front and a filler behind, so that most are distinct. Figures:

* training on the 10,000 on all the machine's cores (includes the cross-validation that
  calibrates it) — goal < 60 s;
* loading the saved model and warming jieba in a fresh process — goal < 3 s;
* batch throughput (``classify_many``) — goal ≥ 2,000 messages/s;
* one message at a time (``classify``), p50 and p99 — goal p99 < 10 ms.

Classification runs pinned to one CPU with one BLAS thread (set before numpy loads).

Run: ``.venv/bin/python bench/classifier_speed.py [--n 10000]``
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy/scipy load their BLAS
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from nlp.linear import LinearClassifier  # noqa: E402
from nlp.training import read_examples  # noqa: E402

SEED_EXAMPLES = ROOT / "nlp" / "data" / "seed_examples.csv"
PLACES = ("幸福小区", "人民路", "阳光花园", "建设街道", "和平社区", "东风路口", "")
FILLERS = ("", "，好几天了", "，麻烦尽快处理", "，没人管", "！", "，谢谢")
LOAD = """
import sys, time
t0 = time.perf_counter()
from nlp.training import load_model
load_model(sys.argv[1]).classify("楼下路灯不亮了")
print(time.perf_counter() - t0)
"""


def messages(n: int) -> tuple[list[str], list[str]]:
    texts, labels = read_examples(SEED_EXAMPLES)
    rng = random.Random(7)
    picks = [rng.randrange(len(texts)) for _ in range(n)]
    return [rng.choice(PLACES) + texts[i] + rng.choice(FILLERS) for i in picks], [labels[i] for i in picks]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="messages to train on and classify")
    args = parser.parse_args(argv)
    texts, labels = messages(args.n)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{len(texts):,} short messages (median {statistics.median(map(len, texts)):.0f} characters), "
          f"{len(set(labels))} labels")
    started = time.perf_counter()
    model = LinearClassifier().fit(texts, labels)
    trained = time.perf_counter() - started
    print(f"training          {trained:6.1f} s      (goal < 60 s; {cores} cores; includes the calibration folds)")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # classification on one core
    with tempfile.TemporaryDirectory() as tmp:
        model.save(Path(tmp) / "m")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        out = subprocess.run([sys.executable, "-c", LOAD, str(Path(tmp) / "m")], capture_output=True, text=True,
                             env=env, check=True, cwd=ROOT)
        print(f"load + warm-up    {float(out.stdout.strip()):6.2f} s      (goal < 3 s; fresh process, jieba cold)")
    model.classify_many(texts[:200])  # warm caches
    started = time.perf_counter()
    model.classify_many(texts)
    throughput = len(texts) / (time.perf_counter() - started)
    print(f"batch (one core)  {throughput:6,.0f} msg/s  (goal ≥ 2,000)")
    latencies = []
    for text in texts[:5000]:
        t0 = time.perf_counter_ns()
        model.classify(text)
        latencies.append((time.perf_counter_ns() - t0) / 1e6)
    cuts = statistics.quantiles(latencies, n=100)
    print(f"single message    p50 {cuts[49]:.2f} ms  p99 {cuts[98]:.2f} ms  (goal p99 < 10 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
