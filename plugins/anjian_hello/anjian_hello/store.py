"""The plugin's own table: one row per greeting served (not a metadata entity, so no screens)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, String, Table, func, insert, select

from anjian.store.db import write

__all__ = ["TABLES", "count_visits", "record_visit", "visit"]

METADATA = MetaData()
visit = Table(
    "hello_visit",  # a plugin's tables start with its name
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
TABLES = (METADATA,)


def record_visit(engine: Engine, username: str, at: object) -> int:
    """Store one visit and return how many ``username`` has made."""
    with write(engine) as conn, conn.begin():  # a write transaction (BEGIN IMMEDIATE on SQLite)
        conn.execute(insert(visit).values(username=username, at=at))
        return int(conn.execute(select(func.count()).where(visit.c.username == username)).scalar_one())


def count_visits(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(visit)).scalar_one())
