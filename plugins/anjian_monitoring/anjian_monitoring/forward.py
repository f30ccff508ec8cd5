"""Forwarding upward (分级接入，逐级转发): the samples of chosen points go to the upper deployment's ingest.

A point marked 上报上级 (``forward``) has each valid sample copied into ``monitoring_outbox`` in the
same transaction that stores it, so nothing acknowledged to the gateway can miss the outbox. The
forwarder (beat task ``monitoring.forward``, or ``anjian monitoring forward``) sends the outbox in
sequence order through the upper deployment's ``POST /api/v1/monitoring/ingest`` with the key
that deployment issued, and advances its cursor (deleting what was acknowledged) only after the
answer. While the upper deployment is down nothing moves; afterwards the backlog goes out batch by
batch. A batch delivered but not yet recorded (a crash in between) is sent again and stored once
upstairs, since ingest is idempotent on point and time.

The target is the data exchange's (``anjian exchange target monitoring --url https://city.example/api/v1``),
as is the HTTP transport.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from anjian.exchange import DeliveryFailed, Transport, http_transport
from anjian.exchange.tables import ensure_tables, exchange_target
from anjian.store.db import write

from .alarm_forward import changed_alarms, mark_sent
from .storage import now_ms
from .tables import QUALITY_CODES, forward_state, outbox

__all__ = ["INGEST_PATH", "TARGET", "ForwardReport", "forward"]

TARGET = "monitoring"
INGEST_PATH = "/monitoring/ingest"
ALARM_BATCH = 500


@dataclass
class ForwardReport:
    configured: bool = True
    batches: int = 0
    sent: int = 0
    accepted: int = 0
    duplicates: int = 0
    refused: int = 0
    pending: int = 0
    failed: str = ""
    alarms_sent: int = 0  # alarm records (alarm_forward.py), sent after the values they refer to
    alarms_stored: int = 0
    alarms_pending: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat(timespec="milliseconds")


def _batch(platform: Any, after: int, size: int) -> tuple[int, list[dict[str, Any]]]:
    points = platform.registry.table("monitoring_point")
    query = (
        select(outbox.c.seq, points.c.code, outbox.c.ts, outbox.c.value, outbox.c.quality)
        .select_from(outbox.join(points, points.c.id == outbox.c.point_id))
        .where(outbox.c.seq > after)
        .order_by(outbox.c.seq)
        .limit(size)
    )
    with platform.engine.connect() as conn:
        rows = conn.execute(query).all()
    if not rows:
        return after, []
    entries = [
        {"point": r.code, "ts": _iso(r.ts), "value": r.value, "quality": QUALITY_CODES.get(r.quality, "good")} for r in rows
    ]
    return int(rows[-1].seq), entries


def _cursor(platform: Any) -> int:
    with platform.engine.connect() as conn:
        found = conn.execute(select(forward_state.c.cursor).where(forward_state.c.name == TARGET)).scalar()
    return int(found or 0)


def _record(platform: Any, cursor: int, sent: int, refused: int, error: str) -> None:
    with write(platform.engine) as conn, conn.begin():
        now = now_ms()
        if conn.execute(select(forward_state.c.name).where(forward_state.c.name == TARGET)).first() is None:
            conn.execute(insert(forward_state).values(name=TARGET, cursor=0, sent=0, refused=0))
        values: dict[str, Any] = {"last_error": error[:2000] or None}
        if not error:
            values.update(cursor=cursor, sent=forward_state.c.sent + sent, refused=forward_state.c.refused + refused, last_ok=now)
            conn.execute(delete(outbox).where(outbox.c.seq <= cursor))
        conn.execute(update(forward_state).where(forward_state.c.name == TARGET).values(**values))


def forward(platform: Any, transport: Transport = http_transport, batch_size: int = 5000) -> ForwardReport:
    """Send the outbox to the upper deployment until it is empty or delivery fails."""
    ensure_tables(platform.engine)
    with platform.engine.connect() as conn:
        target = conn.execute(select(exchange_target).where(exchange_target.c.name == TARGET)).first()
    report = ForwardReport(configured=target is not None)
    if target is None:
        return report
    cursor = _cursor(platform)
    while True:
        last, entries = _batch(platform, cursor, batch_size)
        if not entries:
            break
        report.batches += 1
        report.sent += len(entries)
        try:
            answer = transport(target.url + INGEST_PATH, {"points": entries}, target.api_key)
        except DeliveryFailed as error:
            report.failed = str(error)
            _record(platform, cursor, 0, 0, report.failed)
            break
        refused = int(answer.get("refused_total", 0))
        report.accepted += int(answer.get("accepted", 0))
        report.duplicates += int(answer.get("duplicates", 0))
        report.refused += refused
        _record(platform, last, len(entries), refused, "")
        cursor = last
    if not report.failed:
        _forward_alarms(platform, target, transport, report)
    with platform.engine.connect() as conn:
        report.pending = int(conn.execute(select(func.count()).select_from(outbox)).scalar_one())
    report.alarms_pending = len(changed_alarms(platform, ALARM_BATCH))
    return report


def _forward_alarms(platform: Any, target: Any, transport: Transport, report: ForwardReport) -> None:
    """Send the alarms whose version moved past the acknowledged one; record each only after the answer."""
    while True:
        changed = changed_alarms(platform, ALARM_BATCH)
        if not changed:
            return
        try:
            answer = transport(target.url + INGEST_PATH, {"points": [], "alarms": [e for _, _, e in changed]}, target.api_key)
        except DeliveryFailed as error:
            report.failed = str(error)
            _record(platform, _cursor(platform), 0, 0, report.failed)
            return
        receipt = answer.get("alarms_forwarded") or {}
        report.alarms_sent += len(changed)
        report.alarms_stored += int(receipt.get("stored", 0))
        mark_sent(platform, [(alarm_id, version) for alarm_id, version, _ in changed])
