"""Training data from CSV files or uploaded CSV bodies, checked before anything is trained.

CSV input is UTF-8 (a BOM is fine) with a header holding at least ``text`` and
``label``; other columns are ignored. Every problem is a :class:`ValueError` that
says what to fix: too big, not UTF-8 (GBK exports are common), NUL bytes (an Excel
or UTF-16 file), missing columns, empty cells, absurdly long cells, no rows.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

MAX_BYTES = 64 * 1024 * 1024  # a spreadsheet export, not a data dump
MAX_TEXT_CHARS = 20_000  # longer than any message; a longer cell is a broken file
MAX_LABEL_CHARS = 64  # a category code, not a sentence
# A cell over the csv module's own limit (128 Ki characters) is reported as malformed CSV.
# The examples the shipped default model is trained from (`gridline nlp build-default`, a retrain's seeds).
SEED_EXAMPLES = Path(__file__).resolve().parent / "data" / "seed_examples.csv"
# Everyday complaints written apart from the seed examples and never trained on: the default model's
# temperature and auto-dispatch thresholds are fitted on them (held out), not on what it memorised.
CALIBRATION_EXAMPLES = SEED_EXAMPLES.with_name("calibration_examples.csv")


def read_examples(path: Path, *, max_bytes: int = MAX_BYTES) -> tuple[list[str], list[str]]:
    """(texts, labels) from a ``text,label`` CSV file."""
    return parse_examples(_read(Path(path), max_bytes), str(path))


def read_texts(path: Path, *, max_bytes: int = MAX_BYTES) -> list[str]:
    """The ``text`` column of a CSV file (unlabelled messages; a ``label`` column, if any, is ignored)."""
    return [text for text, _ in _parse(str(path), _read(Path(path), max_bytes), ("text",))]


def read_unlabelled(path: Path, *, max_bytes: int = MAX_BYTES) -> tuple[list[str], list[str]]:
    """(texts, replies) of unlabelled messages: the optional ``reply`` column holds the answer the government
    gave ("" where none), which names the department that handled the matter: a weak label."""
    rows = _parse(str(path), _read(Path(path), max_bytes), ("text",), second="reply")
    return [text for text, _ in rows], [reply for _, reply in rows]


def parse_examples(content: str | bytes, source: str = "upload") -> tuple[list[str], list[str]]:
    """(texts, labels) from a CSV body already in memory (an upload); ``source`` names it in errors."""
    if isinstance(content, bytes):
        content = _decode(content, source, MAX_BYTES)
    elif len(content) > MAX_BYTES:
        raise ValueError(f"{source}: over the {MAX_BYTES:,}-byte limit for training data")
    rows = _parse(source, content, ("text", "label"))
    return [text for text, _ in rows], [label for _, label in rows]


def _read(path: Path, max_bytes: int) -> str:
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    size = path.stat().st_size
    if size > max_bytes:
        raise ValueError(f"{path}: {size:,} bytes is over the {max_bytes:,}-byte limit for training data")
    return _decode(path.read_bytes(), str(path), max_bytes)


def _decode(raw: bytes, source: str, max_bytes: int) -> str:
    if len(raw) > max_bytes:
        raise ValueError(f"{source}: {len(raw):,} bytes is over the {max_bytes:,}-byte limit for training data")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{source}: not UTF-8 (byte {exc.start}); save it as UTF-8 CSV, not GBK/GB18030") from exc


def _parse(source: str, content: str, needed: tuple[str, ...], second: str = "label") -> list[tuple[str, str]]:
    """(text, the ``second`` column) per row; ``second`` may be blank unless it is ``needed``."""
    if "\x00" in content:
        raise ValueError(f"{source}: contains NUL bytes; not a text CSV (an Excel or UTF-16 file?)")
    reader = csv.DictReader(io.StringIO(content, newline=""))
    try:
        header = {(name or "").strip().lower() for name in reader.fieldnames or ()}
    except csv.Error as exc:
        raise ValueError(f"{source}: malformed CSV header ({exc})") from exc
    missing = set(needed) - header
    if missing:
        raise ValueError(f"{source}: missing column(s) {', '.join(sorted(missing))}; the header needs "
                         f"{','.join(needed)}")
    rows = []
    try:
        for row in reader:
            cells = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
            text, label = cells.get("text", ""), cells.get(second, "")
            if not any(cells.values()):
                continue  # blank line
            for name in needed:
                if not cells.get(name):
                    raise ValueError(f"{source}: line {reader.line_num}: empty {name}")
            if len(text) > MAX_TEXT_CHARS:
                raise ValueError(f"{source}: line {reader.line_num}: text over {MAX_TEXT_CHARS:,} characters")
            if len(label) > (MAX_LABEL_CHARS if second == "label" else MAX_TEXT_CHARS):
                raise ValueError(f"{source}: line {reader.line_num}: {second} over "
                                 f"{MAX_LABEL_CHARS if second == 'label' else MAX_TEXT_CHARS:,} characters")
            rows.append((text, label))
    except csv.Error as exc:
        raise ValueError(f"{source}: line {reader.line_num}: malformed CSV ({exc})") from exc
    if not rows:
        raise ValueError(f"{source}: no examples")
    return rows
