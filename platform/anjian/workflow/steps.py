"""One line of a record's process story: the history row and, with it, its audit entry.

Starting a process, taking a step, amending, urging and moving to a new process version all
write the same pair in the same transaction; this is the one place that writes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert

from .. import audit
from ..audit import Actor
from .tables import history

__all__ = ["StepEntry", "log_step"]


@dataclass(frozen=True)
class StepEntry:
    """What happened to one process instance: ``transition`` is a step name or ``_start``, ``_urge``..."""

    instance_id: int
    entity: str
    record_id: int
    transition: str
    title: str
    from_state: str | None
    to_state: str
    comment: str = ""
    attachments: Sequence[str] = field(default_factory=tuple)


def log_step(
    conn: Connection,
    entry: StepEntry,
    actor: Actor,
    now: dt.datetime,
    audit_action: str | None = None,
    detail: Mapping[str, Any] | None = None,
    region: str = "",
) -> None:
    """Write the history row; with ``audit_action``, its audit entry too (None: the caller's write audited it)."""
    conn.execute(
        insert(history).values(
            instance_id=entry.instance_id,
            entity=entry.entity,
            record_id=entry.record_id,
            transition=entry.transition,
            title=entry.title,
            from_state=entry.from_state,
            to_state=entry.to_state,
            actor=actor.username,
            at=now,
            comment=entry.comment,
            attachments=list(entry.attachments) or None,
        )
    )
    if audit_action is not None:
        audit.append(conn, actor, audit_action, entry.entity, entry.record_id, detail or {}, region=region)
