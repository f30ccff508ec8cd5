"""Day partitions of the sample table on PostgreSQL (declarative partitioning by range of ``ts``).

On PostgreSQL ``monitoring_sample`` is created ``PARTITION BY RANGE (ts)`` with a DEFAULT
partition, so an insert never fails for want of a partition. The sweep keeps one partition per
UTC day from the start of raw retention to ``AHEAD_DAYS`` ahead (``ensure_partitions``); a day
whose rows already sit in the default partition (written before its partition existed) is
created beside it, filled from it and attached, since PostgreSQL refuses to create a partition
the default one already holds rows of. Retention drops whole days (``drop_partitions``) instead
of deleting rows. On SQLite both are no-ops: the table is one ``WITHOUT ROWID`` B-tree.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Connection

from .tables import SAMPLE_DEFAULT, sample

__all__ = ["AHEAD_DAYS", "DAY", "drop_partitions", "ensure_partitions", "partition_names"]

DAY = 86_400_000
AHEAD_DAYS = 7
PARENT = sample.name
DEFAULT = SAMPLE_DEFAULT
NAME = re.compile(rf"^{PARENT}_p(\d{{8}})$")


def _name(day: int) -> str:
    return f"{PARENT}_p{dt.datetime.fromtimestamp(day / 1000, dt.UTC):%Y%m%d}"


def _partitioned(conn: Connection) -> bool:
    if conn.dialect.name != "postgresql":
        return False
    kind = conn.exec_driver_sql("SELECT relkind FROM pg_class WHERE oid = to_regclass(%(t)s)", {"t": PARENT}).scalar()
    return bool(kind == "p")  # a table created before partitioning stays as it is


def partition_names(conn: Connection) -> list[str]:
    """The day partitions that exist, oldest first (empty on SQLite)."""
    if not _partitioned(conn):
        return []
    rows = conn.exec_driver_sql(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%(t)s)",
        {"t": PARENT},
    ).scalars()
    return sorted(name for name in rows if NAME.match(name))


def ensure_partitions(conn: Connection, now: int, back_days: int, ahead_days: int = AHEAD_DAYS) -> list[str]:
    """Create the missing day partitions from ``back_days`` before ``now`` to ``ahead_days`` after; return them."""
    if not _partitioned(conn):
        return []
    existing = set(partition_names(conn))
    today = now - now % DAY
    created = []
    for n in range(-back_days, ahead_days + 1):
        start = today + n * DAY
        name = _name(start)
        if name in existing:
            continue
        bounds = {"start": start, "end": start + DAY}
        held = conn.exec_driver_sql(f"SELECT 1 FROM {DEFAULT} WHERE ts >= %(start)s AND ts < %(end)s LIMIT 1", bounds).first()
        if held is None:
            conn.exec_driver_sql(f"CREATE TABLE {name} PARTITION OF {PARENT} FOR VALUES FROM ({start}) TO ({start + DAY})")
        else:  # rows of this day arrived before its partition: move them over, then attach
            conn.exec_driver_sql(f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
            conn.exec_driver_sql(
                f"WITH moved AS (DELETE FROM {DEFAULT} WHERE ts >= %(start)s AND ts < %(end)s RETURNING *) "
                f"INSERT INTO {name} SELECT * FROM moved",
                bounds,
            )
            conn.exec_driver_sql(f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES FROM ({start}) TO ({start + DAY})")
        created.append(name)
    return created


def drop_partitions(conn: Connection, before: int) -> list[str]:
    """Drop the day partitions that end at or before ``before`` (ms); return their names."""
    dropped = []
    for name in partition_names(conn):
        match = NAME.match(name)
        assert match is not None
        day = dt.datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=dt.UTC)
        if int(day.timestamp() * 1000) + DAY <= before:
            conn.exec_driver_sql(f"DROP TABLE {name}")
            dropped.append(name)
    return dropped
