"""Engine creation: one place that knows dialect quirks (SQLite WAL and write locking)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, MetaData, create_engine, event

__all__ = ["SYSTEM", "WAL_SIZE_LIMIT", "WRITE", "inserted_id", "make_engine", "write"]

WRITE = "anjian_write"
WAL_SIZE_LIMIT = 32 * 1024 * 1024
SYSTEM = MetaData()  # the engine's own tables (anjian.data.system, anjian.audit.tables)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; on SQLite: WAL, foreign keys, and BEGIN IMMEDIATE for writes."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **kwargs)
    engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let the "begin" hook emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # A checkpointed log is cut back to this size when it restarts, not kept at its largest.
        cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: indexes of 100k-row tables stay in memory
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A write transaction takes the lock up front, so read-then-write never deadlocks.
        immediate = connection.get_execution_options().get(WRITE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def write(engine: Engine) -> Connection:
    """A connection whose transactions are write transactions (use with ``.begin()``)."""
    return engine.connect().execution_options(**{WRITE: True})


def inserted_id(result: CursorResult[Any]) -> int:
    """The primary key an ``INSERT`` of one row produced (every anjian table has an integer ``id``)."""
    key = result.inserted_primary_key
    if key is None or key[0] is None:
        raise RuntimeError("the insert produced no primary key")
    return int(key[0])
