"""The checkpoints' witness read back: does the database still hold what was witnessed outside it?

Someone with database access can rewrite a case's history, re-hash it and rebuild the checkpoint table
to match: every check inside the database then passes. The witness file (``notify.channels.witness``)
holds the checkpoints as they were sent, outside their reach; a checkpoint that is gone or differs from
its witnessed copy is reported, as is a witness file that cannot be read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from intake.store.models_workflow import AuditCheckpoint

MAX_BYTES = 64 << 20  # ~200,000 years of daily lines; a bigger file is not ours


def read(path: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The witnessed checkpoints by day, and what could not be read (a missing file, a bad line)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return {}, [f"BROKEN witness {path}: larger than {MAX_BYTES} bytes"]
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [f"BROKEN witness {path}: cannot be read ({type(exc).__name__})"]
    found: dict[str, dict[str, Any]] = {}
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        try:
            item = json.loads(line)
            day, digest = str(item["day"]), str(item["hash"])
        except (ValueError, KeyError, TypeError):
            problems.append(f"BROKEN witness {path}: line {number} is not a checkpoint")
            continue
        if day in found and found[day]["hash"] != digest:
            problems.append(f"BROKEN witness {path}: two different checkpoints witnessed for {day}")
        found.setdefault(day, item)
    return found, problems


def compare(points: Iterable[AuditCheckpoint], witnessed: dict[str, dict[str, Any]]) -> list[str]:
    """Each witnessed checkpoint against the table: gone, or not the same hash."""
    held = {p.day: p for p in points}
    out = []
    for day, copy in sorted(witnessed.items()):
        point = held.get(day)
        if point is None:
            out.append(f"BROKEN witness {day}: the checkpoint witnessed outside is gone from the database")
        elif (point.hash, point.heads_hash, point.cases) != (copy.get("hash"), copy.get("heads_hash"),
                                                            copy.get("cases")):
            out.append(f"BROKEN witness {day}: the database's checkpoint is not the one witnessed "
                       f"({point.hash[:12]}… here, {str(copy.get('hash'))[:12]}… witnessed): the table was rebuilt")
    return out


async def check(path: Path) -> tuple[int, list[str]]:
    """How many witnessed checkpoints, and every problem found."""
    witnessed, problems = read(path)
    return len(witnessed), problems + compare(await AuditCheckpoint.all(), witnessed)
