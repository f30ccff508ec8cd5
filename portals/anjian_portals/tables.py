"""The public face's own tables: counted hits (rate limits) and single-use e-mail tokens.

They live in their own MetaData and are created on first use, so every web process of a
deployment shares them through the database (a limit counted here holds across processes), and
``Platform.init_db`` needs no knowledge of the portal.
"""

from __future__ import annotations

import weakref

from sqlalchemy import Column, DateTime, Engine, Index, Integer, MetaData, String, Table, Text

from anjian.store.db import write

__all__ = ["PORTAL", "ensure_tables", "portal_hit", "portal_outbox", "portal_token"]

PORTAL = MetaData()

# One row per counted request (a tracking-code lookup, a registration, a reset request ...).
portal_hit = Table(
    "anjian_portal_hit",
    PORTAL,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("key", String(200), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False, index=True),
    Index("ix_anjian_portal_hit_kind_key_at", "kind", "key", "at"),
)

# E-mailed tokens (verify an address, reset a password): only a hash is stored; used once.
portal_token = Table(
    "anjian_portal_token",
    PORTAL,
    Column("id", Integer, primary_key=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("purpose", String(32), nullable=False),
    Column("email", String(254), nullable=False),
    Column("payload", Text, nullable=False, default="{}"),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("used_at", DateTime, nullable=True),
)

# Mail owed to a visitor, written in the transaction that owes it (an approval) and sent after commit.
portal_outbox = Table(
    "anjian_portal_outbox",
    PORTAL,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("email", String(254), nullable=False),
    Column("payload", Text, nullable=False, default="{}"),
    Column("created_at", DateTime, nullable=False),
    Column("claimed_at", DateTime, nullable=True),  # a sender took it (taken again after CLAIM_MINUTES)
    Column("sent_at", DateTime, nullable=True, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", String(500), nullable=True),
)

_READY: weakref.WeakSet[Engine] = weakref.WeakSet()


def ensure_tables(engine: Engine) -> None:
    """Create the portal's tables once per engine (idempotent: existing tables are left alone)."""
    if engine not in _READY:
        # In a write transaction: the first requests of a new server arrive together, and on SQLite
        # two plain create_all calls deadlock on the upgrade from reading to writing ("database is locked").
        with write(engine) as conn, conn.begin():
            PORTAL.create_all(conn)
        _READY.add(engine)
