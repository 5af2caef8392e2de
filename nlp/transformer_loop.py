"""The fine-tuning loop of :mod:`nlp.transformer`, kept apart so the classifier module stays readable.

torch arrives as an argument: this module imports nothing optional.
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from nlp.linear import Progress

HOLDOUT = 0.15
MIN_HOLDOUT = 20  # below this many held-out messages a temperature or a threshold means little


def holdout(labels: Sequence[str], seed: int) -> tuple[list[int], list[int]]:
    """(train, held-out) indices, stratified; nothing held out when data is too scarce."""
    everything = list(range(len(labels)))
    counts = {label: labels.count(label) for label in set(labels)}
    if len(labels) * HOLDOUT < MIN_HOLDOUT or min(counts.values()) < 2:
        return everything, []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        train, held = train_test_split(everything, test_size=HOLDOUT, random_state=seed,
                                       stratify=np.asarray(labels, dtype=object))
    return list(train), list(held)


def train_loop(torch: Any, model: Any, tokenizer: Any, pairs: list[tuple[str, int]], options: dict[str, Any],
               progress: Progress | None) -> None:
    """AdamW with linear warm-up and decay over shuffled mini-batches of (text, label index)."""
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model.to(device)
    model.train()
    batch = int(options["batch_size"])
    per_epoch = math.ceil(len(pairs) / batch)
    total = int(options["max_steps"] or per_epoch * int(options["epochs"]))
    optimizer = torch.optim.AdamW(model.parameters(), lr=float(options["learning_rate"]), weight_decay=0.01)
    warmup = max(1, total // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup))))
    rng = random.Random(int(options["seed"] or 0))
    step = 0
    while step < total:
        order = list(range(len(pairs)))
        rng.shuffle(order)
        for start in range(0, len(order), batch):
            chunk = [pairs[i] for i in order[start : start + batch]]
            enc = tokenizer([t for t, _ in chunk], padding=True, truncation=True,
                            max_length=int(options["max_length"]), return_tensors="pt").to(device)
            loss = model(**enc, labels=torch.tensor([y for _, y in chunk], device=device)).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # tiny batches give spiky gradients
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            if progress is not None:
                progress(step, total, f"fine-tuning, loss {float(loss.detach()):.3f}")
            if step >= total:
                break
