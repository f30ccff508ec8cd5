"""Tables of the workflow engine (in the engine's SYSTEM metadata, created by init_db)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, Integer, String, Table, Text, UniqueConstraint

from ..data.system import SYSTEM

__all__ = ["deadline", "extension", "history", "instance", "notice", "process_version"]

# Each distinct definition of a process that records have run on; records keep the version they started on.
process_version = Table(
    "anjian_process_version",
    SYSTEM,
    Column("id", Integer, primary_key=True),
    Column("process", String(63), nullable=False),
    Column("version", Integer, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("definition", JSON, nullable=False),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("process", "version", name="uq_anjian_process_version"),
    UniqueConstraint("process", "digest", name="uq_anjian_process_digest"),
)

# Where one record stands in its process.
instance = Table(
    "anjian_wf_instance",
    SYSTEM,
    Column("id", Integer, primary_key=True),
    Column("entity", String(63), nullable=False),
    Column("record_id", Integer, nullable=False),
    Column("process", String(63), nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", String(63), nullable=False),
    Column("state_since", DateTime, nullable=False),
    Column("started_by", String(150), nullable=False, index=True),
    Column("started_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("row_version", Integer, nullable=False, default=1),
    UniqueConstraint("entity", "record_id", name="uq_anjian_wf_instance_record"),
    Index("ix_anjian_wf_instance_state", "entity", "state"),
)

# Every step a record took: who, when, from, to, comment, attachments.
history = Table(
    "anjian_wf_history",
    SYSTEM,
    Column("id", Integer, primary_key=True),
    Column("instance_id", Integer, nullable=False, index=True),
    Column("entity", String(63), nullable=False),
    Column("record_id", Integer, nullable=False),
    Column("transition", String(63), nullable=False),
    Column("title", String(200), nullable=False, default=""),
    Column("from_state", String(63)),
    Column("to_state", String(63), nullable=False),
    Column("actor", String(150), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("attachments", JSON),
    Index("ix_anjian_wf_history_actor", "actor", "entity"),
)

# A legal clock running on a record; ``next_fire_at`` is when the scanner must look at it next.
deadline = Table(
    "anjian_deadline",
    SYSTEM,
    Column("id", Integer, primary_key=True),
    Column("instance_id", Integer, nullable=False, index=True),
    Column("entity", String(63), nullable=False),
    Column("record_id", Integer, nullable=False),
    Column("rule", String(63), nullable=False),
    Column("title", String(200), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("due_at", DateTime, nullable=False),
    Column("status", String(16), nullable=False),  # open | paused | met | cancelled
    Column("paused_at", DateTime),
    Column("ended_at", DateTime),
    Column("stage", Integer, nullable=False, default=0),  # index of the next stage to fire
    Column("stage_kind", String(16), nullable=False, default=""),  # the last stage fired
    Column("next_fire_at", DateTime),
    Index("ix_anjian_deadline_fire", "next_fire_at"),
    Index("ix_anjian_deadline_record", "entity", "record_id"),
)

# Requests to extend a deadline, with their reason and the approver's decision.
extension = Table(
    "anjian_deadline_extension",
    SYSTEM,
    Column("id", Integer, primary_key=True),
    Column("deadline_id", Integer, nullable=False, index=True),
    Column("amount", Integer, nullable=False),
    Column("unit", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("requested_by", String(150), nullable=False),
    Column("requested_at", DateTime, nullable=False),
    Column("decision", String(16), nullable=False, default="pending"),  # pending | approved | rejected
    Column("decided_by", String(150)),
    Column("decided_at", DateTime),
    Column("note", Text, nullable=False, default=""),
)

# The in-app message centre; e-mail delivery is recorded on the same row.
notice = Table(
    "anjian_notice",
    SYSTEM,
    Column("id", Integer, primary_key=True),
    Column("username", String(150), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("title", String(300), nullable=False),
    Column("body", Text, nullable=False, default=""),
    Column("entity", String(63), nullable=False, default=""),
    Column("record_id", Integer),
    Column("created_at", DateTime, nullable=False),
    Column("read_at", DateTime),
    Column("mailed", Boolean, nullable=False, default=False),
    Column("mail_error", Text),
    Index("ix_anjian_notice_user", "username", "read_at"),
)
