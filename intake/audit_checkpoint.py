"""Daily audit checkpoints: a hash over every case's chain head, in an append-only, chained table.

A chain that is rewritten and re-hashed from some event onwards (and its case row updated to match)
still verifies on its own; it no longer matches the checkpoints written before the rewrite. A
checkpoint covers the events at or before its ``cutoff`` (a margin before it is written, so a step
still committing is not missed); ``audit verify`` recomputes each checkpoint from the events as they
are now. Copies kept outside the database (the witnesses: an append-only file, a webhook subscriber
following ``checkpoint``; sent through the outbox with the checkpoint) make the table itself hard to
rewrite: ``audit verify --witness FILE`` compares them (``intake.audit_witness``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.functions import Max
from tortoise.transactions import in_transaction

from intake.audit import GENESIS
from intake.sla.calendar import to_shanghai
from intake.store.models import Case, CaseEvent
from intake.store.models_workflow import AuditCheckpoint
from notify.types import Notification, Notifier, Recipient

MARGIN = timedelta(minutes=10)
BATCH = 1000


def checkpoint_hash(prev_hash: str, day: str, cutoff: datetime, cases: int, heads_hash: str) -> str:
    instant = cutoff.astimezone(UTC).isoformat(timespec="microseconds")  # the database's zone must not matter
    line = f"{prev_hash}\n{day}\n{instant}\n{cases}\n{heads_hash}"
    return hashlib.sha256(line.encode()).hexdigest()


@dataclass
class HeadsDigest:
    """Running hash over ``case_no seq hash`` lines (fed in case id order)."""

    cases: int = 0
    sha: Any = field(default_factory=hashlib.sha256)

    def add(self, case_no: str, seq: int, digest: str) -> None:
        self.sha.update(f"{case_no} {seq} {digest}\n".encode())
        self.cases += 1

    def hexdigest(self) -> str:
        return str(self.sha.hexdigest())


async def write_checkpoint(now: datetime, notifier: Notifier | None = None,
                           witnesses: Sequence[tuple[str, str]] = ()) -> AuditCheckpoint | None:
    """Today's checkpoint (Shanghai day), unless it exists; the periodic job calls this hourly. Each witness
    (``OutwardPolicy.witnesses``) gets a copy through the outbox."""
    day = to_shanghai(now).date().isoformat()
    if await AuditCheckpoint.exists(day=day):
        return None
    cutoff, heads, last_id = now - MARGIN, HeadsDigest(), 0
    while True:
        rows = await Case.filter(id__gt=last_id).order_by("id").limit(BATCH).values("id", "case_no")
        if not rows:
            break
        last_id = rows[-1]["id"]
        tops = await CaseEvent.filter(case_no__in=[r["case_no"] for r in rows], at__lte=cutoff) \
            .annotate(top=Max("seq")).group_by("case_no").values("case_no", "top")
        wanted = {str(t["case_no"]): int(t["top"]) for t in tops}
        hashes = {(str(e["case_no"]), int(e["seq"])): str(e["hash"]) for e in await CaseEvent.filter(
            case_no__in=list(wanted), seq__in=sorted(set(wanted.values()))).values("case_no", "seq", "hash")}
        for r in rows:
            seq = wanted.get(r["case_no"])
            if seq is not None:
                heads.add(r["case_no"], seq, hashes[(r["case_no"], seq)])
    async with in_transaction():  # the checkpoint and its witnesses' outbox rows commit together
        last = await AuditCheckpoint.all().order_by("-id").first()
        prev = last.hash if last else GENESIS
        digest = heads.hexdigest()
        point = await AuditCheckpoint.create(day=day, at=now, cutoff=cutoff, cases=heads.cases, heads_hash=digest,
                                             prev_hash=prev,
                                             hash=checkpoint_hash(prev, day, cutoff, heads.cases, digest))
        if notifier is not None and witnesses:
            await notifier.publish(witness_notices(point, witnesses))
    return point


def witness_notices(point: AuditCheckpoint, witnesses: Sequence[tuple[str, str]]) -> list[Notification]:
    """The checkpoint, as each witness outside the database keeps it (``intake.audit_witness`` reads it back)."""
    body = {"event": "audit.checkpoint", "day": point.day, "at": point.at.astimezone(UTC).isoformat(),
            "cutoff": point.cutoff.astimezone(UTC).isoformat(timespec="microseconds"), "cases": point.cases,
            "heads_hash": point.heads_hash, "prev_hash": point.prev_hash, "hash": point.hash}
    return [Notification("audit.checkpoint", Recipient(kind, ref), f"checkpoint:{point.day}:{kind}:{ref}",
                         payload={"id": f"checkpoint:{point.day}", **body}, created_at=point.at)
            for kind, ref in witnesses]


async def checkpoint_job(clock: Callable[[], datetime], notifier: Notifier | None = None,
                         witnesses: Sequence[tuple[str, str]] = ()) -> AuditCheckpoint | None:
    """The periodic job's body: hourly, so a day is covered even when the service restarts."""
    return await write_checkpoint(clock(), notifier, witnesses)


class CheckpointCheck:
    """Recomputes every checkpoint while ``audit verify`` walks the cases (in case id order)."""

    def __init__(self, checkpoints: list[AuditCheckpoint]) -> None:
        self.checkpoints = checkpoints
        self.digests = [HeadsDigest() for _ in checkpoints]

    def feed(self, case_no: str, events: Iterable[Mapping[str, Any]]) -> None:
        ordered = list(events)
        for point, digest in zip(self.checkpoints, self.digests, strict=True):
            head = next((e for e in reversed(ordered) if e["at"] <= point.cutoff), None)
            if head is not None:
                digest.add(case_no, int(head["seq"]), str(head["hash"]))

    def problems(self) -> list[str]:
        out, prev = [], GENESIS
        for point, digest in zip(self.checkpoints, self.digests, strict=True):
            if point.prev_hash != prev or point.hash != checkpoint_hash(point.prev_hash, point.day, point.cutoff,
                                                                        point.cases, point.heads_hash):
                out.append(f"BROKEN checkpoint {point.day}: the checkpoint table itself was altered")
            elif (digest.cases, digest.hexdigest()) != (point.cases, point.heads_hash):
                out.append(f"BROKEN checkpoint {point.day}: the case chains no longer match it ({digest.cases} heads "
                           f"now, {point.cases} then): history before {point.cutoff.isoformat()} was rewritten")
            prev = point.hash
        return out
