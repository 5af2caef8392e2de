"""The on-disk layout shared by trained backends: a directory with ``meta.json`` beside the weights.

``meta.json`` records what a model is (backend, version, labels), what it was
trained on (a hash of the examples, never the examples) and how good it was
(cross-validated metrics, per-class thresholds). It also records the SHA-256 of
every weight file, checked on load, so a half-copied or swapped file fails loudly
instead of classifying garbage.

Nothing here is unpickled: the linear backend stores numpy arrays loaded with
``allow_pickle=False`` and JSON; the transformer backend stores safetensors and
JSON/tokenizer files through ``save_pretrained``. Loading a model directory is still
an admin action (a model decides who gets a complaint): load only directories the
server or ``gridline nlp train`` wrote. The hashes catch accidents, not attackers,
since whoever can swap a weight file can rewrite ``meta.json`` too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FORMAT = 1
META = "meta.json"


def data_hash(texts: Sequence[str], labels: Sequence[str]) -> str:
    """SHA-256 over the (text, label) pairs in order: the identity of a training set."""
    digest = hashlib.sha256()
    for text, label in zip(texts, labels, strict=True):
        digest.update(json.dumps([text, label], ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_meta(directory: Path, backend: str, meta: dict[str, Any], files: Sequence[str]) -> None:
    """Write ``meta.json`` last, so a directory without it is an unfinished one."""
    record = {"format": FORMAT, "backend": backend, "created": datetime.now(UTC).isoformat(timespec="seconds"),
              **meta, "files": {name: file_hash(directory / name) for name in files}}
    (directory / META).write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")


def read_meta(directory: Path, backend: str) -> dict[str, Any]:
    """Read and check ``meta.json``: right backend and format, weight files intact."""
    path = Path(directory) / META
    if not path.is_file():
        raise ValueError(f"{directory}: not a model directory (no {META})")
    meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if meta.get("backend") != backend or meta.get("format") != FORMAT:
        raise ValueError(f"{directory}: a {meta.get('backend')!r} model of format {meta.get('format')!r}, "
                         f"expected {backend!r} format {FORMAT}")
    for name, expected in (meta.get("files") or {}).items():
        if not (Path(directory) / name).exists() or file_hash(Path(directory) / name) != expected:
            raise ValueError(f"{directory}: {name} is missing or does not match meta.json")
    return meta


def backend_of(directory: Path) -> str:
    """Which backend wrote ``directory`` (without checking anything else)."""
    path = Path(directory) / META
    if not path.is_file():
        raise ValueError(f"{directory}: not a model directory (no {META})")
    return str(json.loads(path.read_text(encoding="utf-8")).get("backend"))
