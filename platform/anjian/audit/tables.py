"""The audit log's tables, in the engine's own MetaData (``store.db.SYSTEM``)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Integer, String, Table

from ..store.db import SYSTEM

__all__ = ["audit_checkpoint", "audit_log"]

audit_log = Table(
    "anjian_audit_log",
    SYSTEM,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("actor", String(150), nullable=False, index=True),
    Column("address", String(64), nullable=False, default=""),
    Column("action", String(32), nullable=False, index=True),
    Column("entity", String(63), nullable=False, default="", index=True),
    Column("record_id", String(64), nullable=False, default=""),
    Column("region", String(12), nullable=False, default="", index=True),  # the record's region, for scoped reading
    Column("detail", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# Where the chain of a purged audit log now starts: the last purged entry's id and hash.
audit_checkpoint = Table(
    "anjian_audit_checkpoint",
    SYSTEM,
    Column("id", Integer, primary_key=True),
    Column("last_id", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
    Column("purged", Integer, nullable=False),  # entries deleted by this purge
    Column("cutoff", DateTime, nullable=False),  # entries written before this moment were due
    Column("purged_by", String(150), nullable=False),
    Column("purged_at", DateTime, nullable=False),
)
