"""The time-series store: one interface over the plugin's tables, the same on SQLite and PostgreSQL.

Writes are ``INSERT .. ON CONFLICT DO NOTHING`` on (point, ts), so a batch sent twice stores each
sample once and the caller learns how many were new. Rollups (1 minute, 1 hour) are rebuilt from
the raw samples of the buckets that received data, before any read that needs them and by the
beat task, so late, out-of-order and repeated data give the same aggregates as data in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from .tables import dirty, latest, outbox, rollup, sample

__all__ = ["HOUR", "MINUTE", "SampleStore", "Series", "now_ms", "select_in"]

MINUTE = 60_000
HOUR = 3_600_000
RAW_SPAN = 6 * HOUR  # up to six hours a trend shows every sample; up to 8 days minutes; beyond, hours
MINUTE_SPAN = 8 * 24 * HOUR
SQLITE_INSERT = "INSERT OR IGNORE INTO monitoring_sample (point_id, ts, value, quality) VALUES (?, ?, ?, ?)"
SQLITE_SERIES = (
    "SELECT bucket, total / n, low, high FROM monitoring_rollup WHERE tier = ? AND point_id = ? AND bucket >= ? AND bucket < ? "
    "ORDER BY bucket"
)
SQLITE_DIRTY = "INSERT OR IGNORE INTO monitoring_dirty (point_id, bucket) VALUES (?, ?)"
SQLITE_LATEST = (
    "INSERT INTO monitoring_latest (point_id, ts, value, quality, received_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (point_id) DO UPDATE SET ts = excluded.ts, value = excluded.value, quality = excluded.quality, "
    "received_at = excluded.received_at WHERE excluded.ts > monitoring_latest.ts"
)


@dataclass(frozen=True)
class Series:
    """A trend: resolution (``raw``, ``1m``, ``1h``) and rows ``(ts, value, low, high)`` in time order."""

    resolution: str
    rows: list[tuple[int, float, float, float]]


def now_ms() -> int:
    """The process clock (``anjian.store.clock``, which tests turn) in UTC milliseconds."""
    import datetime as dt

    from anjian.store.clock import utc_now

    return int(utc_now().replace(tzinfo=dt.UTC).timestamp() * 1000)


def select_in(
    conn: Connection, table: Any, column: Any, values: Iterable[Any], chunk: int = 900, columns: Sequence[Any] | None = None
) -> list[Any]:
    """Rows of ``table`` (or its ``columns``) whose ``column`` is one of ``values``, in chunks (plain
    placeholders on SQLite, where compiling a 500-value expanding IN costs more than the query)."""
    wanted = list(values)
    rows: list[Any] = []
    chosen = list(columns) if columns is not None else list(table.c)
    for start in range(0, len(wanted), chunk):
        part = wanted[start : start + chunk]
        if conn.dialect.name == "sqlite":
            names = ", ".join(c.name for c in chosen)
            marks = ", ".join("?" * len(part))
            rows += conn.exec_driver_sql(f"SELECT {names} FROM {table.name} WHERE {column.name} IN ({marks})", tuple(part)).all()
        else:
            rows += conn.execute(select(*chosen).where(column.in_(part))).all()
    return rows


def _insert(conn: Connection, table: Any) -> Any:
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


class SampleStore:
    """Samples, their rollups and each point's latest value."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ---- writing (inside the caller's write transaction) -------------------------------------

    def insert(self, conn: Connection, rows: Sequence[tuple[int, int, float, int]]) -> int:
        """Store ``(point_id, ts, value, quality)`` rows; return how many were new."""
        if not rows:
            return 0
        buckets = sorted({(p, t - t % MINUTE) for p, t, _v, _q in rows})
        if conn.dialect.name == "sqlite":  # the driver's executemany: a third of the cost of Core's parameter dicts
            inserted = conn.exec_driver_sql(SQLITE_INSERT, list(rows)).rowcount
            conn.exec_driver_sql(SQLITE_DIRTY, buckets)
            return int(inserted)
        statement = _insert(conn, sample).on_conflict_do_nothing(index_elements=["point_id", "ts"])
        # RETURNING counts what was new: psycopg's executemany reports no rowcount (-1)
        result = conn.execute(
            statement.returning(sample.c.ts), [{"point_id": p, "ts": t, "value": v, "quality": q} for p, t, v, q in rows]
        )
        inserted_rows = len(result.all())
        conn.execute(
            _insert(conn, dirty).on_conflict_do_nothing(index_elements=["point_id", "bucket"]),
            [{"point_id": p, "bucket": b} for p, b in buckets],
        )
        return inserted_rows

    def to_outbox(self, conn: Connection, rows: Sequence[tuple[int, int, float, int]]) -> None:
        """Queue samples for the upper deployment (forward.py)."""
        if rows:
            conn.execute(outbox.insert(), [{"point_id": p, "ts": t, "value": v, "quality": q} for p, t, v, q in rows])

    def latest_of(self, conn: Connection, point_ids: Iterable[int]) -> dict[int, Any]:
        return {r.point_id: r for r in select_in(conn, latest, latest.c.point_id, point_ids)}

    def set_latest(self, conn: Connection, values: Sequence[tuple[int, int, float, int]], received_at: int) -> None:
        """Keep each point's newest sample; an older one arriving late leaves it as it is."""
        if not values:
            return
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(SQLITE_LATEST, [(p, t, v, q, received_at) for p, t, v, q in values])
            return
        statement = _insert(conn, latest)
        statement = statement.on_conflict_do_update(
            index_elements=["point_id"],
            set_={
                "ts": statement.excluded.ts,
                "value": statement.excluded.value,
                "quality": statement.excluded.quality,
                "received_at": statement.excluded.received_at,
            },
            where=statement.excluded.ts > latest.c.ts,
        )
        conn.execute(
            statement, [{"point_id": p, "ts": t, "value": v, "quality": q, "received_at": received_at} for p, t, v, q in values]
        )

    # ---- rollups ------------------------------------------------------------------------------

    def roll_up(self, conn: Connection, point_ids: Iterable[int] | None = None) -> int:
        """Rebuild the 1-minute and 1-hour rollups of the buckets that received data; return buckets done."""
        query = select(dirty.c.point_id, func.min(dirty.c.bucket), func.max(dirty.c.bucket), func.count()).group_by(
            dirty.c.point_id
        )
        if point_ids is not None:
            query = query.where(dirty.c.point_id.in_(list(point_ids)))
        done = 0
        for point_id, low, high, count in conn.execute(query).all():
            self._rebuild(conn, point_id, low, high + MINUTE, 1, MINUTE)
            self._rebuild(conn, point_id, low - low % HOUR, high - high % HOUR + HOUR, 60, HOUR)
            conn.execute(delete(dirty).where(dirty.c.point_id == point_id, dirty.c.bucket.between(low, high)))
            done += count
        return done

    def _rebuild(self, conn: Connection, point_id: int, start: int, end: int, tier: int, width: int) -> None:
        conn.execute(
            delete(rollup).where(
                rollup.c.tier == tier, rollup.c.point_id == point_id, rollup.c.bucket >= start, rollup.c.bucket < end
            )
        )
        if tier == 1:
            bucket = (sample.c.ts // width) * width
            source = select(
                literal(tier),
                sample.c.point_id,
                bucket,
                func.min(sample.c.value),
                func.max(sample.c.value),
                func.sum(sample.c.value),
                func.count(),
            ).where(sample.c.point_id == point_id, sample.c.ts >= start, sample.c.ts < end, sample.c.quality == 0)
        else:
            bucket = (rollup.c.bucket // width) * width
            source = select(
                literal(tier),
                rollup.c.point_id,
                bucket,
                func.min(rollup.c.low),
                func.max(rollup.c.high),
                func.sum(rollup.c.total),
                func.sum(rollup.c.n),
            ).where(rollup.c.tier == 1, rollup.c.point_id == point_id, rollup.c.bucket >= start, rollup.c.bucket < end)
        source = source.group_by(sample.c.point_id if tier == 1 else rollup.c.point_id, bucket)
        columns = ["tier", "point_id", "bucket", "low", "high", "total", "n"]
        conn.execute(rollup.insert().from_select(columns, source))

    # ---- reading ------------------------------------------------------------------------------

    def series(self, point_id: int, start: int, end: int) -> Series:
        """The trend of one point between ``start`` and ``end`` (ms) at the resolution the span calls for."""
        span = end - start
        if span <= RAW_SPAN:
            query = (
                select(sample.c.ts, sample.c.value, sample.c.value, sample.c.value)
                .where(sample.c.point_id == point_id, sample.c.ts >= start, sample.c.ts < end)
                .order_by(sample.c.ts)
            )
            with self.engine.connect() as conn:
                return Series("raw", [tuple(r) for r in conn.execute(query)])
        tier = 1 if span <= MINUTE_SPAN else 60
        from anjian.store.db import write

        with self.engine.connect() as conn:
            pending = conn.execute(select(dirty.c.bucket).where(dirty.c.point_id == point_id).limit(1)).first()
        if pending is not None:
            with write(self.engine) as conn, conn.begin():
                self.roll_up(conn, [point_id])  # the buckets not rolled up yet, so the trend is current
        query = (
            select(rollup.c.bucket, rollup.c.total / rollup.c.n, rollup.c.low, rollup.c.high)
            .where(and_(rollup.c.tier == tier, rollup.c.point_id == point_id, rollup.c.bucket >= start, rollup.c.bucket < end))
            .order_by(rollup.c.bucket)
        )
        with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":  # plain tuples straight from the driver's cursor: a week is 10,080 rows
                cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                try:
                    raw = cursor.execute(SQLITE_SERIES, (tier, point_id, start, end)).fetchall()
                finally:
                    cursor.close()
                return Series("1m" if tier == 1 else "1h", raw)
            return Series("1m" if tier == 1 else "1h", [tuple(r) for r in conn.execute(query)])

    def purge(self, conn: Connection, now: int, raw_days: int, minute_days: int, hour_days: int) -> dict[str, int]:
        """Delete what is past each tier's retention; return the rows deleted per tier."""
        from .partitions import drop_partitions

        day = 24 * HOUR
        dropped = drop_partitions(conn, now - raw_days * day)  # PostgreSQL: whole days at once
        removed = {
            "raw_partitions": len(dropped),
            "raw": conn.execute(delete(sample).where(sample.c.ts < now - raw_days * day)).rowcount,
            "1m": conn.execute(delete(rollup).where(rollup.c.tier == 1, rollup.c.bucket < now - minute_days * day)).rowcount,
            "1h": conn.execute(delete(rollup).where(rollup.c.tier == 60, rollup.c.bucket < now - hour_days * day)).rowcount,
        }
        return {k: int(v or 0) for k, v in removed.items()}
