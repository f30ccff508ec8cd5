"""Alarms: thresholds with deadband and minimum duration, rate of change, gateway states, offline.

An alarm is a ``monitoring_alarm`` record created through the record service, so the declared
process (确认 → 处置 → 闭环) with its deadlines and notices takes it from there. At most one alarm
per point and kind is open (not 闭环) at a time: a value flapping around a threshold, or a point
that stays beyond it, raises one alarm, not a storm. A threshold alarm needs the value beyond the
threshold for ``min_duration`` seconds, and the point counts as back to normal only once the
value is inside the threshold by more than ``deadband``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, select, update

from anjian.audit import Actor

from .storage import _insert, select_in
from .tables import QUALITY, enterprise_state, latest, point_state

__all__ = ["KIND_TITLES", "SYSTEM", "Evaluator", "sweep_enterprises", "sweep_offline"]

SYSTEM = Actor.system("monitoring")
KIND_TITLES = {
    "high_high": "高高报",
    "high": "高报",
    "low": "低报",
    "low_low": "低低报",
    "rate": "变化率报警",
    "offline": "离线",
    "enterprise_offline": "企业离线",
    "fault": "设备故障",
    "power_off": "断电",
}
HIGH = ("high_high", "high")
LOW = ("low_low", "low")
GATEWAY = {QUALITY["fault"]: "fault", QUALITY["power_off"]: "power_off"}
RATE_WINDOW = 60_000  # ms: a rate is measured between values at least a minute apart
RATE_RESET = 15 * 60_000  # ms: after a longer gap the rate is measured afresh


_UNKNOWN = object()


def _bounds(point: Any) -> tuple[float | None, float | None] | None:
    """The band a quiet value stays strictly inside; None for a point with a rate rule (always evaluated)."""
    if point.rate_limit:
        return None
    high = min((h for h in (point.high, point.high_high) if h is not None), default=None)
    low = max((v for v in (point.low, point.low_low) if v is not None), default=None)
    return high, low


def _iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat(timespec="seconds")


class Evaluator:
    """Alarm evaluation for one write transaction (states cached, written back as they change)."""

    def __init__(self, platform: Any, conn: Connection) -> None:
        self.platform = platform
        self.conn = conn
        self.alarms = platform.registry.table("monitoring_alarm")
        self.spec = platform.registry.entity("monitoring_alarm")
        self.states: dict[tuple[int, str], tuple[int | None, int, float | None]] = {}
        self.loaded: set[int] = set()
        self.pending: set[int] = set()  # points with a threshold beyond, an alarm condition active or offline
        self.bounds: dict[int, Any] = {}  # point -> (lowest high threshold, highest low threshold), None with a rate rule

    def preload(self, point_ids: Iterable[int]) -> None:
        """Read the states of many points at once (an ingest batch)."""
        wanted = [p for p in point_ids if p not in self.loaded]
        for row in select_in(self.conn, point_state, point_state.c.point_id, wanted):
            self._remember(row.point_id, row.kind, (row.since, row.active, row.ref))
        self.loaded.update(wanted)

    def _load(self, point_id: int) -> None:
        if point_id not in self.loaded:
            for row in self.conn.execute(select(point_state).where(point_state.c.point_id == point_id)):
                self._remember(point_id, row.kind, (row.since, row.active, row.ref))
            self.loaded.add(point_id)

    def _remember(self, point_id: int, kind: str, state: tuple[int | None, int, float | None]) -> None:
        self.states[(point_id, kind)] = state
        if kind != "rate" and state[:2] != (None, 0):
            self.pending.add(point_id)

    def _state(self, point_id: int, kind: str) -> tuple[int | None, int, float | None]:
        return self.states.get((point_id, kind), (None, 0, None))

    def _set(self, point_id: int, kind: str, since: int | None, active: int, ref: float | None = None) -> None:
        if self._state(point_id, kind) == (since, active, ref):
            return
        self._remember(point_id, kind, (since, active, ref))
        statement = _insert(self.conn, point_state).values(point_id=point_id, kind=kind, since=since, active=active, ref=ref)
        excluded = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=["point_id", "kind"], set_={"since": excluded.since, "active": excluded.active, "ref": excluded.ref}
        )
        self.conn.execute(statement)

    def open_alarm(self, point_id: int, kind: str) -> int | None:
        found = self.conn.execute(
            select(self.alarms.c.id).where(
                self.alarms.c.point_id == point_id, self.alarms.c.kind == kind, self.alarms.c.closed_at.is_(None)
            )
        ).first()
        return int(found[0]) if found else None

    def raise_alarm(self, point: Any, kind: str, ts: int, value: float | None, threshold: float | None) -> int | None:
        """Create the alarm record unless one of this point and kind is still open; its id, or None."""
        if self.open_alarm(point.id, kind) is not None:
            return None
        shown = "" if value is None else f"，数值 {value:g}"
        limit = "" if threshold is None else f"，阈值 {threshold:g}"
        payload = {
            "point_id": point.id,
            "enterprise_id": point.enterprise_id,
            "region_code": point.region_code,
            "kind": kind,
            "raised_at": _iso(ts),
            "summary": f"{point.name}（{point.code}）{KIND_TITLES[kind]}{shown}{limit}"[:500],
        }
        if value is not None:
            payload["value"] = value
        if threshold is not None:
            payload["threshold"] = threshold
        record = self.platform.records.create_in(self.conn, self.spec, payload, SYSTEM)
        return int(record["id"])

    def raise_enterprise_alarm(self, firm: Any, now: int, last: int) -> int | None:
        """企业离线 for ``firm`` (enterprise_id, region_code, name, points) unless one is still open."""
        alarms = self.alarms
        open_one = self.conn.execute(
            select(alarms.c.id).where(
                alarms.c.enterprise_id == firm.enterprise_id, alarms.c.kind == "enterprise_offline", alarms.c.closed_at.is_(None)
            )
        ).first()
        if open_one is not None:
            return None
        minutes = max(1, (now - last) // 60_000)
        payload = {
            "enterprise_id": firm.enterprise_id,
            "region_code": firm.region_code,
            "kind": "enterprise_offline",
            "raised_at": _iso(now),
            "summary": f"{firm.name or firm.enterprise_id}：全部 {firm.points} 个监测点位已 {minutes} 分钟无数据（企业离线）"[
                :500
            ],
        }
        record = self.platform.records.create_in(self.conn, self.spec, payload, SYSTEM)
        return int(record["id"])

    def evaluate(self, point: Any, samples: Sequence[tuple[int, int, float, int]], before: Any) -> list[int]:
        """Evaluate the new samples of one point in time order; return the ids of alarms raised."""
        self._load(point.id)
        raised: list[int] = []
        if self._state(point.id, "offline")[1]:
            self._set(point.id, "offline", None, 0)  # data again: the point is back (the alarm stays for handling)
        if self.quiet(point, samples):
            return raised
        for _point_id, ts, value, quality in samples:
            if quality != 0:
                kind = GATEWAY.get(quality)
                if kind is not None:
                    raised += [a for a in [self.raise_alarm(point, kind, ts, None, None)] if a]
                self._set(point.id, "rate", None, 0)  # the rate is measured again from the next good value
                continue  # 检修, 关闭, 断电 and 故障 suppress threshold alarms
            for kind in (*HIGH, *LOW):
                threshold = getattr(point, kind)
                if threshold is not None:
                    alarm = self._threshold(point, kind, float(threshold), ts, value)
                    if alarm:
                        raised.append(alarm)
            if point.rate_limit:
                alarm = self._rate(point, ts, value)
                if alarm:
                    raised.append(alarm)
        return raised

    def quiet(self, point: Any, samples: Sequence[tuple[int, int, float, int]]) -> bool:
        """The common case, decided without stepping through the samples: good values strictly inside
        every threshold, no state pending (threshold, offline) and no rate rule, so nothing can change."""
        point_id = point.id
        if point_id in self.pending or point_id not in self.loaded:
            return False
        bounds = self.bounds.get(point_id, _UNKNOWN)
        if bounds is _UNKNOWN:
            bounds = self.bounds[point_id] = _bounds(point)
        if bounds is None or any(s[3] for s in samples):
            return False
        high, low = bounds
        values = [s[2] for s in samples]
        return (high is None or max(values) < high) and (low is None or min(values) > low)

    def _rate(self, point: Any, ts: int, value: float) -> int | None:
        """Rate of change per minute, measured over at least RATE_WINDOW so sensor noise is not a rate."""
        since, _active, ref = self._state(point.id, "rate")
        if since is None or ref is None or ts - since > RATE_RESET:
            self._set(point.id, "rate", ts, 0, value)
            return None
        if ts - since < RATE_WINDOW:
            return None
        rate = abs(value - ref) / ((ts - since) / 60_000)
        self._set(point.id, "rate", ts, 0, value)
        if rate > point.rate_limit:
            return self.raise_alarm(point, "rate", ts, value, float(point.rate_limit))
        return None

    def _threshold(self, point: Any, kind: str, threshold: float, ts: int, value: float) -> int | None:
        deadband = float(point.deadband or 0)
        if kind in HIGH:
            beyond, back = value >= threshold, value < threshold - deadband
        else:
            beyond, back = value <= threshold, value > threshold + deadband
        since, active, _ref = self._state(point.id, kind)
        if beyond:
            since = ts if since is None else since
            if not active and ts - since >= (point.min_duration or 0) * 1000:
                self._set(point.id, kind, since, 1)
                return self.raise_alarm(point, kind, ts, value, threshold)
            self._set(point.id, kind, since, active)
        elif back or not active:
            self._set(point.id, kind, None, 0)
        return None


def sweep_offline(
    platform: Any, now: int, default_after: int, point_ids: Iterable[int] | None = None, enterprise_after: int | None = None
) -> list[int]:
    """Raise 离线 for every point silent longer than its ``offline_after`` (or the default), and 企业离线
    for every enterprise none of whose points reported for ``enterprise_after`` seconds; return alarm ids.

    The points of an enterprise that is 离线 as a whole go 离线 on the panel without an alarm each:
    a gateway that lost power raises one alarm, not one per point."""
    from anjian.store.db import write

    table = platform.registry.table("monitoring_point")
    columns = [
        table.c.id,
        table.c.code,
        table.c.name,
        table.c.enterprise_id,
        table.c.region_code,
        table.c.offline_after,
        table.c.created_at,
        latest.c.ts,
    ]
    query = select(*columns).select_from(table.outerjoin(latest, latest.c.point_id == table.c.id))
    query = query.outerjoin(point_state, and_(point_state.c.point_id == table.c.id, point_state.c.kind == "offline"))
    query = query.where((point_state.c.active.is_(None)) | (point_state.c.active == 0))
    if point_ids is not None:
        query = query.where(table.c.id.in_(list(point_ids)))
    raised: list[int] = []
    with write(platform.engine) as conn, conn.begin():
        evaluator = Evaluator(platform, conn)
        silent: set[int] = set()
        if enterprise_after is not None:
            silent = sweep_enterprises(evaluator, now, enterprise_after, raised)
        for row in conn.execute(query).all():
            last = row.ts if row.ts is not None else _ms(row.created_at)
            if now - last < (row.offline_after or default_after) * 1000:
                continue
            evaluator._load(row.id)
            evaluator._set(row.id, "offline", last, 1)
            if row.enterprise_id in silent:
                continue  # covered by the enterprise's 企业离线 alarm
            alarm = evaluator.raise_alarm(row, "offline", now, None, None)
            if alarm:
                raised.append(alarm)
    return raised


def _ms(moment: dt.datetime) -> int:
    return int(moment.replace(tzinfo=dt.UTC).timestamp() * 1000)


def sweep_enterprises(evaluator: Evaluator, now: int, after: int, raised: list[int]) -> set[int]:
    """企业离线: enterprises with points, none of which reported for ``after`` seconds (a point that never
    reported counts from its registration). Returns the enterprises 离线 now; appends alarm ids."""
    platform, conn = evaluator.platform, evaluator.conn
    points = platform.registry.table("monitoring_point")
    firms = platform.registry.table("enterprise")
    query = (
        select(
            points.c.enterprise_id,
            func.max(latest.c.ts).label("last"),
            func.max(points.c.created_at).label("registered"),
            func.min(points.c.region_code).label("region_code"),
            func.count().label("points"),
            func.max(firms.c.name).label("name"),
        )
        .select_from(
            points.outerjoin(latest, latest.c.point_id == points.c.id).outerjoin(firms, firms.c.id == points.c.enterprise_id)
        )
        .group_by(points.c.enterprise_id)
    )
    states = {r.enterprise_id: r for r in conn.execute(select(enterprise_state))}
    silent: set[int] = set()
    for row in conn.execute(query).all():
        last = row.last if row.last is not None else _ms(row.registered)
        state = states.get(row.enterprise_id)
        was_silent = state is not None and bool(state.active)
        if now - last < after * 1000:
            if was_silent:  # reporting again: the next silence raises a new alarm (once this one is 闭环)
                back = update(enterprise_state).where(enterprise_state.c.enterprise_id == row.enterprise_id)
                conn.execute(back.values(active=0))
            continue
        silent.add(row.enterprise_id)
        if was_silent:
            continue
        statement = _insert(conn, enterprise_state).values(enterprise_id=row.enterprise_id, since=last, active=1)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["enterprise_id"], set_={"since": statement.excluded.since, "active": statement.excluded.active}
            )
        )
        alarm = evaluator.raise_enterprise_alarm(row, now, last)
        if alarm:
            raised.append(alarm)
    return silent
