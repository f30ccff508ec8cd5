"""Alarm records forwarded upward (逐级转发) and held apart by the upper deployment.

Sender: every alarm on a point marked 上报上级 is sent, through the same ingest API and key as the
values (``{"points": [], "alarms": [...]}``), whenever its version moved past the one the upper
deployment acknowledged (``monitoring_alarm_sent``): when it is raised, and after each step of its
handling (确认, 处置, 闭环). The version is the record's ``row_version`` plus its process instance's,
both of which only grow. The acknowledged version is written only after the answer, so an outage
delays alarms and loses none, and an alarm delivered by a sender that died before recording it is
sent again and stored once.

Receiver: each alarm is kept in ``monitoring_received_alarm``, one row per sending deployment and
alarm id, marked with the sender (the key's user and key id) and never mixed with the deployment's
own alarms. A version older than the stored one (a re-send, a batch overtaken) changes nothing. The
point is resolved by code within what the key may report for, like the values, and reads are
scoped by that point's region (``GET /api/v1/monitoring/alarms?forwarded=1``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update

from anjian.audit import Actor
from anjian.errors import FieldError, RecordValidationError
from anjian.store.db import write

from .storage import now_ms
from .tables import alarm_sent, received_alarm

__all__ = ["AlarmReceipt", "changed_alarms", "mark_sent", "receive_alarms", "received_alarm_list"]

MAX_ALARMS = 1000  # per request


def _ms(moment: Any) -> int | None:
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


def _iso(ms: int | None) -> str | None:
    return None if ms is None else dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat(timespec="seconds")


# ---- the sender -----------------------------------------------------------------------------------


def changed_alarms(platform: Any, limit: int) -> list[tuple[int, int, dict[str, Any]]]:
    """``(alarm id, version, entry)`` of forwarded points' alarms not yet acknowledged at this version."""
    from anjian.workflow.tables import instance

    alarms = platform.registry.table("monitoring_alarm")
    points = platform.registry.table("monitoring_point")
    version = (alarms.c.row_version + func.coalesce(instance.c.row_version, 0)).label("version")
    process = platform.workflow.process_for("monitoring_alarm")
    titles = {s.name: s.title for s in process.states} if process else {}
    query = (
        select(alarms, points.c.code.label("point_code"), instance.c.state, version)
        .select_from(
            alarms.join(points, points.c.id == alarms.c.point_id)
            .outerjoin(instance, and_(instance.c.entity == "monitoring_alarm", instance.c.record_id == alarms.c.id))
            .outerjoin(alarm_sent, alarm_sent.c.alarm_id == alarms.c.id)
        )
        .where(points.c.forward.is_(True), or_(alarm_sent.c.version.is_(None), alarm_sent.c.version < version))
        .order_by(alarms.c.id)
        .limit(limit)
    )
    with platform.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        (
            int(r["id"]),
            int(r["version"]),
            {
                "alarm": int(r["id"]),
                "version": int(r["version"]),
                "point": r["point_code"],
                "kind": r["kind"],
                "value": r["value"],
                "threshold": r["threshold"],
                "summary": r["summary"],
                "state": r["state"],
                "state_title": titles.get(r["state"], r["state"]),
                "raised_at": _iso(_ms(r["raised_at"])),
                "closed_at": _iso(_ms(r["closed_at"])),
            },
        )
        for r in rows
    ]


def mark_sent(platform: Any, sent: list[tuple[int, int]]) -> None:
    """Record the versions the upper deployment acknowledged (after its answer)."""
    now = now_ms()
    with write(platform.engine) as conn, conn.begin():
        known = {
            r.alarm_id for r in conn.execute(select(alarm_sent.c.alarm_id).where(alarm_sent.c.alarm_id.in_([a for a, _ in sent])))
        }
        for alarm_id, version in sent:
            if alarm_id in known:
                conn.execute(update(alarm_sent).where(alarm_sent.c.alarm_id == alarm_id).values(version=version, sent_at=now))
            else:
                conn.execute(insert(alarm_sent).values(alarm_id=alarm_id, version=version, sent_at=now))


# ---- the receiver ---------------------------------------------------------------------------------


@dataclass
class AlarmReceipt:
    stored: int = 0
    unchanged: int = 0
    refused: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if type(value) not in (int, float) or not math.isfinite(value):
        raise ValueError("not a finite number")
    return float(value)


def _checked(index: int, item: Any) -> dict[str, Any]:
    """The row of one forwarded alarm, or a field-level 422 naming its JSON pointer."""
    where = f"/alarms/{index}"
    if type(item) is not dict:
        raise RecordValidationError("monitoring_ingest", [FieldError(where, "报警应为对象", "type")])
    try:
        alarm_id, version = item["alarm"], item["version"]
        if type(alarm_id) is not int or type(version) is not int or type(item["point"]) is not str:
            raise ValueError("alarm, version and point")
        raised_at = _ms(item["raised_at"])
        if raised_at is None:
            raise ValueError("raised_at")
        row = {
            "alarm_id": alarm_id,
            "version": version,
            "point": item["point"],
            "kind": str(item["kind"])[:31],
            "value": _number(item.get("value")),
            "threshold": _number(item.get("threshold")),
            "summary": str(item.get("summary") or "")[:500],
            "state": str(item.get("state") or "")[:63] or None,
            "state_title": str(item.get("state_title") or "")[:63] or None,
            "raised_at": raised_at,
            "closed_at": _ms(item.get("closed_at")),
        }
    except (KeyError, TypeError, ValueError, AttributeError):
        message = "报警应含 alarm、version（整数）、point、kind、raised_at（RFC 3339），数值须为有限数"
        raise RecordValidationError("monitoring_ingest", [FieldError(where, message, "type")]) from None
    return row


def receive_alarms(platform: Any, actor: Actor, items: Any) -> AlarmReceipt:
    """Store the alarms a lower deployment forwarded, newest version of each kept once."""
    from .ingest import points_by_code

    if type(items) is not list or len(items) > MAX_ALARMS:
        raise RecordValidationError(
            "monitoring_ingest", [FieldError("/alarms", f"alarms 应为数组，一次最多 {MAX_ALARMS} 条", "type")]
        )
    rows = [_checked(i, item) for i, item in enumerate(items)]
    receipt = AlarmReceipt()
    points, _others = points_by_code(platform, actor, {r["point"] for r in rows})
    source = f"{actor.username}/{actor.key_id}" if actor.key_id else actor.username
    now = now_ms()
    with write(platform.engine) as conn, conn.begin():
        for row in rows:
            point = points.get(row.pop("point"))
            if point is None:  # unknown here, or not the key's to report
                receipt.refused += 1
                continue
            key = and_(received_alarm.c.source == source, received_alarm.c.alarm_id == row["alarm_id"])
            stored = conn.execute(select(received_alarm.c.version).where(key)).scalar()
            values = {**row, "point_id": point.id, "received_at": now}
            if stored is None:
                conn.execute(insert(received_alarm).values(source=source, **values))
            elif stored < row["version"]:
                conn.execute(update(received_alarm).where(key).values(**values))
            else:
                receipt.unchanged += 1
                continue
            receipt.stored += 1
    return receipt


def received_alarm_list(platform: Any, actor: Actor, *, open_only: bool, limit: int, offset: int) -> dict[str, Any]:
    """Forwarded alarms on points the actor may read, newest first, each marked with its sender."""
    spec = platform.registry.entity("monitoring_point")
    points = platform.registry.table("monitoring_point")
    platform.access.check(actor, spec, "read")
    scope = platform.access.scope(actor, spec, points, "read")
    query = (
        select(received_alarm, points.c.code, points.c.enterprise_id, points.c.region_code)
        .select_from(received_alarm.join(points, points.c.id == received_alarm.c.point_id))
        .order_by(received_alarm.c.raised_at.desc(), received_alarm.c.source, received_alarm.c.alarm_id.desc())
    )
    if scope is not None:
        query = query.where(scope)
    if open_only:
        query = query.where(received_alarm.c.closed_at.is_(None))
    with platform.engine.connect() as conn:
        rows = conn.execute(query.limit(limit).offset(offset)).mappings().all()
    items = [
        {
            "source": r["source"],
            "alarm": r["alarm_id"],
            "version": r["version"],
            "point": r["code"],
            "point_id": r["point_id"],
            "enterprise_id": r["enterprise_id"],
            "region_code": r["region_code"],
            "kind": r["kind"],
            "value": r["value"],
            "threshold": r["threshold"],
            "summary": r["summary"],
            "state": r["state"],
            "state_title": r["state_title"],
            "raised_at": _iso(r["raised_at"]),
            "closed_at": _iso(r["closed_at"]),
        }
        for r in rows
    ]
    return {"items": items, "forwarded": True, "limit": limit, "offset": offset}
