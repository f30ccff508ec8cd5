"""The plugin's own tables: samples, rollups, the latest value and the alarm state of each point.

Samples are keyed by (point, time in ms) so a re-sent sample is stored once (idempotent ingest)
and a point's range read is one index range. Rollups are rebuilt from the samples of the buckets
an ingest touched (``monitoring_dirty``), so duplicates and late data never skew them.
"""

from __future__ import annotations

from sqlalchemy import DDL, BigInteger, Column, Float, Integer, MetaData, PrimaryKeyConstraint, SmallInteger, String, Table, event

__all__ = [
    "METADATA",
    "QUALITY",
    "QUALITY_CODES",
    "SAMPLE_DEFAULT",
    "alarm_sent",
    "dirty",
    "enterprise_state",
    "forward_state",
    "latest",
    "outbox",
    "point_state",
    "received_alarm",
    "rollup",
    "sample",
]

METADATA = MetaData()

# Sample quality: what the gateway says about the measurement (断电, 关闭 and 故障 are its own states).
QUALITY = {"good": 0, "maintenance": 1, "shutdown": 2, "power_off": 3, "fault": 4}
QUALITY_CODES = {code: name for name, code in QUALITY.items()}

sample = Table(
    "monitoring_sample",
    METADATA,
    Column("point_id", Integer, nullable=False),
    Column("ts", BigInteger, nullable=False),  # UTC, milliseconds since the epoch
    Column("value", Float, nullable=False),
    Column("quality", SmallInteger, nullable=False, default=0),
    PrimaryKeyConstraint("point_id", "ts", name="pk_monitoring_sample"),
    sqlite_with_rowid=False,
    postgresql_partition_by="RANGE (ts)",  # one partition per day (partitions.py), retention drops days
)
SAMPLE_DEFAULT = "monitoring_sample_default"
event.listen(  # so an insert never fails for want of a day partition (partitions.py moves its rows out)
    sample,
    "after_create",
    DDL(f"CREATE TABLE IF NOT EXISTS {SAMPLE_DEFAULT} PARTITION OF monitoring_sample DEFAULT").execute_if(  # type: ignore[no-untyped-call]
        dialect="postgresql"
    ),
)

rollup = Table(
    "monitoring_rollup",
    METADATA,
    Column("tier", SmallInteger, nullable=False),  # bucket length in minutes: 1 or 60
    Column("point_id", Integer, nullable=False),
    Column("bucket", BigInteger, nullable=False),  # bucket start, ms
    Column("low", Float, nullable=False),
    Column("high", Float, nullable=False),
    Column("total", Float, nullable=False),
    Column("n", Integer, nullable=False),
    PrimaryKeyConstraint("tier", "point_id", "bucket", name="pk_monitoring_rollup"),
    sqlite_with_rowid=False,
)

dirty = Table(
    "monitoring_dirty",
    METADATA,
    Column("point_id", Integer, nullable=False),
    Column("bucket", BigInteger, nullable=False),  # minute bucket start, ms
    PrimaryKeyConstraint("point_id", "bucket", name="pk_monitoring_dirty"),
)

latest = Table(
    "monitoring_latest",
    METADATA,
    Column("point_id", Integer, primary_key=True, autoincrement=False),
    Column("ts", BigInteger, nullable=False),
    Column("value", Float, nullable=False),
    Column("quality", SmallInteger, nullable=False),
    Column("received_at", BigInteger, nullable=False),
)

point_state = Table(
    "monitoring_point_state",
    METADATA,
    Column("point_id", Integer, nullable=False),
    Column("kind", String(20), nullable=False),  # an alarm kind: high_high, high, low, low_low, rate, offline, ...
    Column("since", BigInteger),  # first sample beyond the threshold (min duration), ms
    Column("active", SmallInteger, nullable=False, default=0),  # beyond the threshold now (1) or back inside (0)
    Column("ref", Float),  # rate of change: the value at ``since`` the next rate is measured from
    PrimaryKeyConstraint("point_id", "kind", name="pk_monitoring_point_state"),
)

enterprise_state = Table(
    "monitoring_enterprise_state",
    METADATA,
    Column("enterprise_id", Integer, primary_key=True, autoincrement=False),
    Column("since", BigInteger),  # the enterprise's last sample when it went silent, ms
    Column("active", SmallInteger, nullable=False, default=0),  # 企业离线 now (1) or reporting again (0)
)

# Upward forwarding (forward.py): samples of the points marked 上报上级, written in the ingest's
# transaction, sent in sequence order and deleted once the upper deployment acknowledged them.
outbox = Table(
    "monitoring_outbox",
    METADATA,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("point_id", Integer, nullable=False),
    Column("ts", BigInteger, nullable=False),
    Column("value", Float, nullable=False),
    Column("quality", SmallInteger, nullable=False),
    sqlite_autoincrement=True,  # a seq is never reused once acknowledged rows are deleted (the cursor relies on it)
)

forward_state = Table(
    "monitoring_forward_state",
    METADATA,
    Column("name", String(63), primary_key=True),
    Column("cursor", BigInteger, nullable=False, default=0),  # the last outbox seq the upper deployment acknowledged
    Column("sent", BigInteger, nullable=False, default=0),
    Column("refused", BigInteger, nullable=False, default=0),  # refused upstairs (an unknown point, ...): not sent again
    Column("last_ok", BigInteger),
    Column("last_error", String(2000)),
)

# Alarm records forwarded upward (alarm_forward.py). The sender keeps, per alarm, the version the upper
# deployment acknowledged; an alarm whose version moved on (raised, 确认, 处置, 闭环) is sent again.
alarm_sent = Table(
    "monitoring_alarm_sent",
    METADATA,
    Column("alarm_id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),  # record row_version + process instance row_version
    Column("sent_at", BigInteger, nullable=False),
)

# The upper deployment's copy of the alarms lower deployments forwarded, one row per sender and alarm
# (kept apart from its own alarms, which it raises from the forwarded values).
received_alarm = Table(
    "monitoring_received_alarm",
    METADATA,
    Column("source", String(150), nullable=False),  # the sending deployment: its key's user (and key id)
    Column("alarm_id", Integer, nullable=False),  # the alarm's id at the sender
    Column("version", Integer, nullable=False),
    Column("point_id", Integer, nullable=False, index=True),  # this deployment's point (its region scopes reads)
    Column("kind", String(31), nullable=False),
    Column("value", Float),
    Column("threshold", Float),
    Column("summary", String(500)),
    Column("state", String(63)),
    Column("state_title", String(63)),
    Column("raised_at", BigInteger, nullable=False),
    Column("closed_at", BigInteger),
    Column("received_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("source", "alarm_id"),
)
