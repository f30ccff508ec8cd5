"""The studio's own table: drafts of modules (working copies, never live).

Kept on its own MetaData and created on first use, so the engine's start-up (``anjian.runtime``,
a lower layer) needs to know nothing about the studio.
"""

from __future__ import annotations

import weakref

from sqlalchemy import JSON, Column, DateTime, Engine, Integer, MetaData, String, Table

__all__ = ["STUDIO", "ensure_tables", "studio_draft"]

STUDIO = MetaData()

studio_draft = Table(
    "anjian_studio_draft",
    STUDIO,
    Column("id", Integer, primary_key=True),
    Column("module", String(64), nullable=False, index=True),
    Column("title", String(200), nullable=False, default=""),
    Column("base_version", Integer, nullable=False, default=0),  # the catalog version it started from
    Column("files", JSON, nullable=False),  # {"<file>.json": <document>, ...} relative to metadata/<module>/
    Column("layout", JSON, nullable=False),  # studio-only data: diagram positions, retired fields
    Column("version", Integer, nullable=False, default=1),  # optimistic concurrency: every save bumps it
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(100), nullable=False),
)

_ready: weakref.WeakSet[Engine] = weakref.WeakSet()


def ensure_tables(engine: Engine) -> None:
    """Create the studio's table once per database (idempotent)."""
    if engine in _ready:
        return
    STUDIO.create_all(engine, checkfirst=True)
    _ready.add(engine)
