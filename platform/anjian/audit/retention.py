"""Audit retention (日志留存): delete entries past the retention period, keep the chain verifiable.

等保 asks for at least six months of logs, so the period is never shorter than 180 days
(``ANJIAN_AUDIT_RETENTION_DAYS``). A purge deletes a prefix of the chain (every entry up to the
last one older than the cut-off) and records a checkpoint: the id and hash of the last deleted
entry, who purged and when, in ``anjian_audit_checkpoint`` and as an audit entry. ``verify``
then starts from the checkpoint, so altering or removing a kept entry is still detected. A purge
refuses to run on a broken chain: deleting the evidence of tampering would hide it. The purge
entry is keyed like every entry, so a checkpoint cannot be forged, and the anchor is moved past it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, insert, select

from ..errors import AnjianError
from ..store.clock import utc_now
from ..store.db import write
from .log import PURGE_ACTION, Actor, append
from .tables import audit_checkpoint, audit_log
from .verify import advance_anchor, verify

__all__ = ["MIN_RETENTION_DAYS", "ChainBroken", "PurgeResult", "purge"]

MIN_RETENTION_DAYS = 180


class ChainBroken(AnjianError):
    """The audit chain is broken; nothing is purged so the evidence stays."""

    http_status = 409
    code = "audit.broken"


@dataclass(frozen=True)
class PurgeResult:
    cutoff: dt.datetime
    purged: int  # entries deleted (or that would be, on a dry run)
    last_id: int | None  # the last deleted entry
    checkpoint: int | None  # the checkpoint recorded (None on a dry run or when nothing was due)
    dry_run: bool


def purge(engine: Engine, actor: Actor, retention_days: int, *, dry_run: bool = False) -> PurgeResult:
    """Delete the entries written more than ``retention_days`` ago and record a checkpoint."""
    if retention_days < MIN_RETENTION_DAYS:
        raise ValueError(f"retention must be at least {MIN_RETENTION_DAYS} days")
    cutoff = utc_now() - dt.timedelta(days=retention_days)
    with write(engine) as conn, conn.begin():
        # Only a prefix of the chain may go: stop before the first entry that is still young.
        first_kept = conn.execute(select(func.min(audit_log.c.id)).where(audit_log.c.at >= cutoff)).scalar()
        due = select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
        if first_kept is not None:
            due = due.where(audit_log.c.id < first_kept)
        last = conn.execute(due).first()
        if last is None:
            return PurgeResult(cutoff, 0, None, None, dry_run)
        count = int(conn.execute(select(func.count()).select_from(audit_log).where(audit_log.c.id <= last.id)).scalar_one())
        if dry_run:
            return PurgeResult(cutoff, count, last.id, None, True)
        _, fault = verify(conn, up_to=last.id)
        if fault:
            raise ChainBroken(f"审计日志链已损坏，未清理任何记录（{fault}）；请先调查并运行 anjian audit verify")
        now = utc_now()
        checkpoint = conn.execute(
            insert(audit_checkpoint)
            .values(last_id=last.id, last_hash=last.hash, purged=count, cutoff=cutoff, purged_by=actor.username, purged_at=now)
            .returning(audit_checkpoint.c.id)
        ).scalar_one()
        detail = {
            "last_id": last.id,
            "last_hash": last.hash,
            "purged": count,
            "cutoff": cutoff.isoformat(),
            "retention_days": retention_days,
        }
        # Appended before the delete, so it links to the chain's real end even when all of it is due.
        append(conn, actor, PURGE_ACTION, "_audit", checkpoint, detail)
        conn.execute(delete(audit_log).where(audit_log.c.id <= last.id))
    with engine.connect() as conn:
        advance_anchor(conn)  # the anchor moves past the purge entry, so the purge is anchored too
    return PurgeResult(cutoff, count, int(last.id), int(checkpoint), False)
