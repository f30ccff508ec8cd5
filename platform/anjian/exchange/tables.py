"""The exchange's own tables: targets, what was sent and acknowledged, what was received.

They live in their own MetaData and are created on first use (``ensure_tables``), so a
deployment that exchanges nothing carries none of them, and ``Platform.init_db`` needs no
knowledge of this room.
"""

from __future__ import annotations

import weakref

from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, String, Table, Text, UniqueConstraint

__all__ = ["EXCHANGE", "ensure_tables", "exchange_batch", "exchange_received", "exchange_run", "exchange_sent", "exchange_target"]

EXCHANGE = MetaData()

# Where an upward exchange delivers: the upper deployment's API and the key it issued to us.
exchange_target = Table(
    "anjian_exchange_target",
    EXCHANGE,
    Column("name", String(63), primary_key=True),
    Column("url", String(500), nullable=False),
    Column("api_key", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", String(150), nullable=False),
)

# The sender's log: one row per record version and exchange, acknowledged when the receiver said so.
exchange_sent = Table(
    "anjian_exchange_sent",
    EXCHANGE,
    Column("id", Integer, primary_key=True),
    Column("exchange", String(63), nullable=False, index=True),
    Column("exchange_id", String(200), nullable=False, unique=True),
    Column("record_id", Integer, nullable=False),
    Column("row_version", Integer, nullable=False),
    Column("batch_id", String(32), nullable=False),
    Column("sent_at", DateTime, nullable=False),
    Column("acked_at", DateTime, nullable=True, index=True),
    Column("outcome", String(16), nullable=False, default=""),  # accepted | duplicate
)

# When each exchange last ran (its schedule counts from there) and how it ended.
exchange_run = Table(
    "anjian_exchange_run",
    EXCHANGE,
    Column("exchange", String(63), primary_key=True),
    Column("last_run_at", DateTime, nullable=False),
    Column("last_result", Text, nullable=False, default=""),
)

# The receiver's log: every batch taken (a replay is refused) and every record version stored.
exchange_batch = Table(
    "anjian_exchange_batch",
    EXCHANGE,
    Column("batch_id", String(32), primary_key=True),
    Column("exchange", String(63), nullable=False),
    Column("source_region", String(12), nullable=False),
    Column("records", Integer, nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("received_by", String(150), nullable=False),
)

exchange_received = Table(
    "anjian_exchange_received",
    EXCHANGE,
    Column("exchange_id", String(200), primary_key=True),
    Column("batch_id", String(32), nullable=False),
    Column("source_region", String(12), nullable=False),
    Column("entity", String(63), nullable=False),
    Column("source_record_id", Integer, nullable=False),
    Column("row_version", Integer, nullable=False),
    Column("local_record_id", Integer, nullable=False),
    Column("received_at", DateTime, nullable=False),
    UniqueConstraint("source_region", "entity", "source_record_id", "row_version", name="uq_anjian_exchange_received_version"),
)

_READY: weakref.WeakSet[Engine] = weakref.WeakSet()


def ensure_tables(engine: Engine) -> None:
    """Create the exchange tables once per engine (idempotent: existing tables are left alone)."""
    if engine not in _READY:
        EXCHANGE.create_all(engine)
        _READY.add(engine)
