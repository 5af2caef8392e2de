"""The ``transformer`` backend: fine-tunes a local BERT-family checkpoint (optional extra).

``pip install 'gridline[transformers]'`` brings torch, transformers and tokenizers;
they are imported only when this backend is used. Checkpoints are read from a
local directory (``local_files_only``): the server never downloads models.

CPU-friendly defaults: short sequences (128 tokens, the head of a complaint
carries its point), small batches, a few epochs. When there are enough examples,
15 % are held out to fit the softmax temperature, the metrics and the per-class
thresholds, as the linear backend does with cross-validation (too slow here).

``classify`` leaves ``terms`` empty (explaining costs a forward pass per word);
:meth:`TransformerClassifier.terms` computes them on demand by occlusion.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlp import modeldir
from nlp.calibrated import TOP_K, Calibrated
from nlp.features import TextFeatures
from nlp.linear import Progress
from nlp.prepare import Preparer
from nlp.transformer_loop import holdout, train_loop
from nlp.types import Prediction

MODEL_DIR = "model"
MISSING = "the transformer backend needs the optional extra: pip install 'gridline[transformers]'"


def _libs() -> tuple[Any, Any]:
    """(torch, transformers), imported on first use; by name, so type checking works without them."""
    try:
        torch = importlib.import_module("torch")
        transformers = importlib.import_module("transformers")
    except ImportError as exc:
        raise RuntimeError(f"{MISSING} ({exc})") from exc
    transformers.logging.set_verbosity_error()  # "newly initialized weights" is the point of fine-tuning
    transformers.utils.logging.disable_progress_bar()
    return torch, transformers


class TransformerClassifier(Calibrated):
    """Sequence classification on top of any local BERT-family checkpoint."""

    backend = "transformer"

    def __init__(self, checkpoint: Path, *, epochs: int = 3, batch_size: int = 16, learning_rate: float = 5e-5,
                 max_length: int = 128, max_steps: int | None = None, seed: int = 0, places: Sequence[str] = (),
                 version: str | None = None) -> None:
        self.checkpoint = Path(checkpoint)
        self.options = {"epochs": epochs, "batch_size": batch_size, "learning_rate": learning_rate,
                        "max_length": max_length, "max_steps": max_steps, "seed": seed}
        super().__init__(version)
        self._prepare = Preparer(places)
        self._model: Any = None
        self._tokenizer: Any = None

    def fit(self, texts: Sequence[str], labels: Sequence[str], *, unlabelled: Sequence[str] | None = None,
            seeds: Sequence[tuple[str, str]] = (), progress: Progress | None = None) -> TransformerClassifier:
        """Fine-tune. ``unlabelled`` is accepted for interface parity and ignored; ``seeds`` always train."""
        torch, transformers = _libs()
        raw, labels = list(texts), [str(label) for label in labels]
        texts = [self._prepare(t)[1] for t in raw]
        if len(texts) != len(labels) or len(set(labels) | {str(s) for _, s in seeds}) < 2:
            raise ValueError("need as many labels as texts and at least two distinct labels")
        self._seed(torch)
        self.labels = tuple(sorted(set(labels) | {str(label) for _, label in seeds}))
        train, held = holdout(labels, int(self.options["seed"] or 0))
        self._load(transformers, self.checkpoint, num_labels=len(self.labels))
        index = {label: i for i, label in enumerate(self.labels)}
        pairs = [(texts[i], index[labels[i]]) for i in train]
        pairs += [(self._prepare(t)[1], index[str(label)]) for t, label in seeds]
        train_loop(torch, self._model, self._tokenizer, pairs, self.options, progress)
        if held:
            self._calibrate(self._logits([texts[i] for i in held]), [labels[i] for i in held])
        self.data_sha256 = modeldir.data_hash([*raw, *(t for t, _ in seeds)], [*labels, *(str(s) for _, s in seeds)])
        return self

    def classify_many(self, texts: Sequence[str]) -> list[Prediction]:
        if self._model is None:
            raise RuntimeError("TransformerClassifier is not trained: call fit() or load()")
        prepared = [self._prepare(t) for t in texts]
        return self._predictions(prepared, self._logits([body for _, body, _ in prepared]), None)

    def terms(self, text: str, k: int = TOP_K) -> tuple[str, ...]:
        """Words whose removal lowers the predicted label's score most (occlusion, first 32 words)."""
        body = self._prepare(text)[1]
        words = TextFeatures().words(body)[:32]
        variants = [body] + [body.replace(w, " ", 1) for w in words]
        logits = self._logits(variants)
        best = int(np.argmax(logits[0]))
        drop = logits[0, best] - logits[1:, best]
        ranked = sorted(range(len(words)), key=lambda i: -drop[i])
        return tuple(dict.fromkeys(words[i] for i in ranked if drop[i] > 0))[:k]

    def save(self, directory: Path) -> Path:
        directory = Path(directory)
        (directory / MODEL_DIR).mkdir(parents=True, exist_ok=True)
        self._model.save_pretrained(directory / MODEL_DIR)
        self._tokenizer.save_pretrained(directory / MODEL_DIR)
        files = sorted(str(p.relative_to(directory)) for p in (directory / MODEL_DIR).rglob("*") if p.is_file())
        meta = self._meta({**self.options, "checkpoint": str(self.checkpoint)})
        modeldir.write_meta(directory, "transformer", meta, files)
        return directory

    @classmethod
    def load(cls, directory: Path, *, places: Sequence[str] = ()) -> TransformerClassifier:
        """Load a directory written by :meth:`save` (only models you trained: weights may run code)."""
        _, transformers = _libs()
        meta = modeldir.read_meta(Path(directory), "transformer")
        params = {k: v for k, v in meta.get("params", {}).items() if k != "checkpoint"}
        model = cls(Path(directory) / MODEL_DIR, **params, places=places, version=meta["version"])
        model._load(transformers, Path(directory) / MODEL_DIR, num_labels=len(meta["labels"]))
        model._restore(meta)
        return model

    # -- internals -----------------------------------------------------------

    def _load(self, transformers: Any, path: Path, num_labels: int) -> None:
        if not path.is_dir():
            raise ValueError(f"{path}: not a local checkpoint directory")
        self._tokenizer = transformers.AutoTokenizer.from_pretrained(path, local_files_only=True)
        self._model = transformers.AutoModelForSequenceClassification.from_pretrained(
            path, num_labels=num_labels, local_files_only=True)

    def _seed(self, torch: Any) -> None:
        seed = int(self.options["seed"] or 0)
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)

    def _logits(self, bodies: Sequence[str], batch: int = 64) -> np.ndarray:
        torch, _ = _libs()
        self._model.eval()
        chunks = []
        with torch.inference_mode():
            for start in range(0, len(bodies), batch):
                enc = self._tokenizer(list(bodies[start : start + batch]), padding=True, truncation=True,
                                      max_length=int(self.options["max_length"] or 128), return_tensors="pt")
                enc = {k: v.to(self._model.device) for k, v in enc.items()}
                chunks.append(self._model(**enc).logits.float().cpu().numpy())
        return np.concatenate(chunks) if chunks else np.zeros((0, len(self.labels)))
