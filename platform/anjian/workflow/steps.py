"""One line of a record's process story: the history row and, with it, its audit entry; and what
the engine's step listeners are told of a step.

Starting a process, taking a step, amending, urging and moving to a new process version all
write the same pair in the same transaction; this is the one place that writes it.

A step listener (``Workflow.on_step``) is how a higher layer (reports, a plugin through the
runtime's ``anjian_step_taken`` hook) acts on a step atomically with it: it is called inside the
step's transaction, after the instance moved and the step was logged, and an exception rolls the
whole step back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert

from .. import audit
from ..audit import Actor
from ..meta.process_spec import ProcessSpec
from ..meta.spec import EntitySpec
from .tables import history

__all__ = ["MIGRATE", "START", "StepEntry", "StepListener", "StepTaken", "log_step"]

START = "_start"  # the step that puts a new record into its process's start state
MIGRATE = "_migrate"  # the step that moves a record in flight to a new process version


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


@dataclass(frozen=True)
class StepTaken:
    """A step as its listeners see it, inside its transaction (``connection``): who moved which
    record from where to where, and when.

    ``transition`` is the declared step's name, ``_start`` for a new record entering its process
    (``from_state`` None) or ``_migrate`` for a record moved to a new process version; a declared
    step without ``to`` has ``from_state == to_state``. ``record`` is the record after the step,
    its values as the API shows them.
    """

    connection: Connection
    entity: EntitySpec
    record: Mapping[str, Any]
    process: ProcessSpec
    transition: str
    from_state: str | None
    to_state: str
    actor: Actor
    now: dt.datetime

    @property
    def moved(self) -> bool:
        """Whether the step changed the record's state."""
        return self.from_state != self.to_state


StepListener = Callable[[StepTaken], None]
"""Called with every step inside its transaction; raising rolls the step back (``Workflow.on_step``)."""
