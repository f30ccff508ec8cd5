"""Reads for the API and the screens: alarms, live values and trends, always within the user's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from anjian.audit import Actor
from anjian.errors import NotFound

from .alarms import KIND_TITLES
from .storage import HOUR, SampleStore, now_ms
from .tables import QUALITY_CODES, latest, point_state

__all__ = ["alarm_list", "live_points", "point_for", "point_state_of", "trend"]

THRESHOLDS = ("low_low", "low", "high", "high_high")
STATE_TITLES = {
    "normal": "正常",
    "high_high": "高高报",
    "high": "高报",
    "low": "低报",
    "low_low": "低低报",
    "offline": "离线",
    "no_data": "无数据",
    "maintenance": "检修",
    "shutdown": "关闭",
    "power_off": "断电",
    "fault": "故障",
}


def _local(platform: Any, ms: int | None) -> str | None:
    """A sample time in the platform's time zone (ANJIAN_TIMEZONE), ISO 8601 with its offset."""
    if ms is None:
        return None
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).astimezone(platform.codec.zone).isoformat(timespec="seconds")


def _scope(platform: Any, actor: Actor, entity: str) -> tuple[Any, Any]:
    spec = platform.registry.entity(entity)
    table = platform.registry.table(entity)
    platform.access.check(actor, spec, "read")
    return table, platform.access.scope(actor, spec, table, "read")


def alarm_list(platform: Any, actor: Actor, *, open_only: bool = False, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    """Alarms the actor may read, newest first, with their handling state (流程状态)."""
    from anjian.workflow.tables import instance

    alarms, scope = _scope(platform, actor, "monitoring_alarm")
    points = platform.registry.table("monitoring_point")
    query = (
        select(alarms, points.c.code.label("point_code"), instance.c.state)
        .select_from(
            alarms.outerjoin(points, points.c.id == alarms.c.point_id).outerjoin(
                instance, (instance.c.entity == "monitoring_alarm") & (instance.c.record_id == alarms.c.id)
            )
        )
        .order_by(alarms.c.raised_at.desc(), alarms.c.id.desc())
    )
    if scope is not None:
        query = query.where(scope)
    if open_only:
        query = query.where(alarms.c.closed_at.is_(None))
    process = platform.workflow.process_for("monitoring_alarm")
    titles = {s.name: s.title for s in process.states} if process else {}
    with platform.engine.connect() as conn:
        rows = conn.execute(query.limit(limit).offset(offset)).mappings().all()
    items = []
    for row in rows:
        state = row["state"]
        items.append(
            {
                "id": row["id"],
                "point": row["point_code"],
                "point_id": row["point_id"],
                "enterprise_id": row["enterprise_id"],
                "region_code": row["region_code"],
                "kind": row["kind"],
                "kind_title": KIND_TITLES.get(row["kind"], row["kind"]),
                "value": row["value"],
                "threshold": row["threshold"],
                "summary": row["summary"],
                "raised_at": platform.codec.moment(row["raised_at"]) if row["raised_at"] else None,
                "closed_at": platform.codec.moment(row["closed_at"]) if row["closed_at"] else None,
                "state": state,
                "state_title": titles.get(state),
            }
        )
    return {"items": items, "limit": limit, "offset": offset}


def point_for(platform: Any, actor: Actor, point_id: int) -> Any:
    points, scope = _scope(platform, actor, "monitoring_point")
    query = select(points).where(points.c.id == point_id)
    if scope is not None:
        query = query.where(scope)
    with platform.engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"监测点位 {point_id} 不存在或不在您的权限范围内")
    return row


def point_state_of(point: Any, last: Any, offline: bool) -> str:
    """The state a live panel shows: gateway state first, then 离线, then the worst threshold crossed."""
    if last is None:
        return "offline" if offline else "no_data"
    if last["quality"]:
        return QUALITY_CODES.get(last["quality"], "fault")
    if offline:
        return "offline"
    value = last["value"]
    for kind in ("high_high", "low_low", "high", "low"):
        threshold = point[kind]
        if threshold is not None and (value >= threshold if kind.startswith("high") else value <= threshold):
            return kind
    return "normal"


def live_points(platform: Any, actor: Actor, enterprise_id: int | None = None) -> list[dict[str, Any]]:
    """Every point the actor may read with its latest value and state, by enterprise and code."""
    points, scope = _scope(platform, actor, "monitoring_point")
    query = (
        select(points, latest.c.ts, latest.c.value.label("latest_value"), latest.c.quality, point_state.c.active.label("offline"))
        .select_from(
            points.outerjoin(latest, latest.c.point_id == points.c.id).outerjoin(
                point_state, (point_state.c.point_id == points.c.id) & (point_state.c.kind == "offline")
            )
        )
        .order_by(points.c.enterprise_id, points.c.code)
    )
    if scope is not None:
        query = query.where(scope)
    if enterprise_id is not None:
        query = query.where(points.c.enterprise_id == enterprise_id)
    with platform.engine.connect() as conn:
        rows = conn.execute(query.limit(2000)).mappings().all()
    result = []
    for row in rows:
        last = None if row["ts"] is None else {"value": row["latest_value"], "quality": row["quality"]}
        state = point_state_of(row, last, bool(row["offline"]))
        result.append(
            {
                "id": row["id"],
                "code": row["code"],
                "name": row["name"],
                "enterprise_id": row["enterprise_id"],
                "unit": row["unit"],
                "value": row["latest_value"],
                "ts": _local(platform, row["ts"]),
                "state": state,
                "state_title": STATE_TITLES[state],
                **{k: row[k] for k in THRESHOLDS},
            }
        )
    return result


def trend(platform: Any, actor: Actor, point_id: int, hours: float) -> dict[str, Any]:
    """A point's trend over the last ``hours`` with its thresholds (for plotly)."""
    point = point_for(platform, actor, point_id)
    end = now_ms() + 1
    series = SampleStore(platform.engine).series(point_id, end - int(hours * HOUR), end)
    ts, value, low, high = (list(c) for c in zip(*series.rows, strict=True)) if series.rows else ([], [], [], [])
    return {
        "point": {"id": point["id"], "code": point["code"], "name": point["name"], "unit": point["unit"]},
        "resolution": series.resolution,
        "ts": ts,  # UTC milliseconds: plotly draws them as dates, JSON stays small
        "utc_offset_ms": int((platform.codec.zone.utcoffset(dt.datetime.now()) or dt.timedelta()).total_seconds() * 1000),
        "value": value,
        "low": low,
        "high": high,
        "thresholds": {k: point[k] for k in THRESHOLDS if point[k] is not None},
    }
