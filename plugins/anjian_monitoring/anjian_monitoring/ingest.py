"""Ingest: a batch of data points checked one by one, the valid part stored, the rest counted.

``{"points": [{"point": "<code>", "ts": "<RFC 3339>", "value": <number>, "quality": "good"}]}``,
optionally gzip-compressed. Malformed bodies are refused as a whole (400/413/422 in the API's
error contract); inside a well-formed batch each refused point is counted by reason and the
first hundred are listed with their JSON pointer. The batch, its alarms and the latest values
are written in one transaction, so an acknowledged batch is stored whole (and a batch cut off by
a crash is stored not at all: the gateway re-sends it, and duplicates are stored once).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

import msgspec
from sqlalchemy import select

from anjian.audit import Actor
from anjian.errors import FieldError, RecordValidationError, RequestRefused
from anjian.store.db import write

from .alarms import Evaluator
from .settings import MonitoringSettings
from .storage import SampleStore, now_ms, select_in
from .tables import QUALITY

__all__ = ["ABSENT", "Batch", "Entry", "IngestReport", "checked_rows", "decode_body", "ingest", "points_by_code"]

REASONS = {
    "invalid": "数据点应为含 point、ts、value 的对象",
    "unknown_point": "点位编码未登记",
    "not_permitted": "该点位不属于本密钥所属企业（或不在授权范围内）",
    "bad_timestamp": "时间应为带时区的 RFC 3339 时间，如 2026-01-01T08:00:00+08:00",
    "future_timestamp": "时间晚于服务器当前时间过多",
    "too_old": "时间早于原始数据保存期限",
    "wrong_type": "数值应为数字",
    "not_finite": "数值不能是 NaN 或无穷大",
    "bad_quality": f"质量应为 {', '.join(QUALITY)} 之一",
    "duplicate_in_batch": "同一批次中同一点位同一时间出现多次（已保存第一条）",
}
ERRORS_LISTED = 100
ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()  # a field the gateway left out (not null)


class Entry(msgspec.Struct, gc=False):
    """One data point as sent. Not tracked by the garbage collector: a batch of 20,000 dicts set
    off collections that cost more than parsing it."""

    point: Any = ABSENT
    ts: Any = ABSENT
    value: Any = ABSENT
    quality: Any = "good"


class Batch(msgspec.Struct, gc=False):
    points: list[Entry]
    alarms: Any = None  # alarm records a lower deployment forwards (alarm_forward.py)


_fast_batch = msgspec.json.Decoder(Batch).decode


@dataclass
class IngestReport:
    accepted: int = 0
    duplicates: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)
    alarms: list[int] = field(default_factory=list)
    forwarded: Any = None  # the AlarmReceipt of forwarded alarm records, when the batch carried some

    def refuse(self, index: int, reason: str, pointer: str = "") -> None:
        self.refused[reason] += 1
        if len(self.errors) < ERRORS_LISTED:
            self.errors.append(
                {"pointer": f"/points/{index}{pointer}", "code": f"monitoring.{reason}", "message": REASONS[reason]}
            )

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "refused": dict(sorted(self.refused.items())),
            "refused_total": sum(self.refused.values()),
            "errors": self.errors,
            "alarms_raised": len(self.alarms),
            **({"alarms_forwarded": self.forwarded.as_dict()} if self.forwarded is not None else {}),
        }


def decode_body(raw: bytes, encoding: str, limit: int) -> Any:
    """The JSON document of a request body (gzip inflated up to ``limit`` bytes); RequestRefused otherwise."""
    if encoding.strip().lower() in ("gzip", "x-gzip"):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            raw = inflater.decompress(raw, limit + 1)
        except zlib.error:
            raise RequestRefused(400, "monitoring.bad_gzip", "请求体不是有效的 gzip 数据") from None
        if len(raw) > limit or inflater.unconsumed_tail:
            raise RequestRefused(413, "request.too_large", f"解压后的请求体超过 {limit} 字节，请分批发送")
    elif encoding.strip() not in ("", "identity"):
        raise RequestRefused(415, "monitoring.bad_encoding", "只支持 gzip 压缩（Content-Encoding: gzip）")
    try:
        return _fast_batch(raw)  # the well-formed batch, straight into Entry objects
    except msgspec.DecodeError:
        pass  # NaN, Infinity, an entry that is not an object...: the standard parser, then per-point checks
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise RequestRefused(400, "monitoring.bad_json", "请求体不是有效的 JSON") from None


def _entry(item: Any) -> Any:
    if type(item) is not dict:
        return item  # refused as invalid
    return Entry(item.get("point", ABSENT), item.get("ts", ABSENT), item.get("value", ABSENT), item.get("quality", "good"))


def points_of(document: Any, settings: MonitoringSettings) -> list[Any]:
    """The entries of a batch (``Entry`` where an entry is an object), or a 422 for a body of another shape."""
    if isinstance(document, Batch):
        points: list[Any] = document.points
    elif isinstance(document, dict) and isinstance(document.get("points"), list):
        points = [_entry(item) for item in document["points"]]
    else:
        raise RecordValidationError("monitoring_ingest", [FieldError("/points", '请求体应为 {"points": [...]} 形式', "required")])
    if len(points) > settings.max_points:
        raise RecordValidationError(
            "monitoring_ingest", [FieldError("/points", f"一批最多 {settings.max_points} 个数据点，请分批发送", "maxItems")]
        )
    return points


def points_by_code(platform: Any, actor: Actor, codes: set[str]) -> tuple[dict[str, Any], set[str]]:
    """The points among ``codes`` the actor may report for, and the codes that exist but are not theirs."""
    spec = platform.registry.entity("monitoring_point")
    table = platform.registry.table("monitoring_point")
    scope = platform.access.scope(actor, spec, table, "report")
    wanted = [
        table.c.id,
        table.c.code,
        table.c.enterprise_id,
        table.c.region_code,
        table.c.name,
        table.c.low_low,
        table.c.low,
        table.c.high,
        table.c.high_high,
        table.c.deadband,
        table.c.min_duration,
        table.c.rate_limit,
        table.c.forward,
    ]
    with platform.engine.connect() as conn:
        mine = {row.code: row for row in select_in(conn, table, table.c.code, codes, columns=wanted)}
        others: set[str] = set()
        if scope is not None and mine:  # the actor's scope (Access), asked once per 900 points
            allowed: set[str] = set()
            ids = [r.id for r in mine.values()]
            for start in range(0, len(ids), 900):
                query = select(table.c.code).where(table.c.id.in_(ids[start : start + 900]), scope)
                allowed.update(r.code for r in conn.execute(query))
            others = set(mine) - allowed
            for code in others:
                del mine[code]
    return mine, others


def _timestamp(text: str) -> int | None:
    if len(text) > 40 or "T" not in text.upper():
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return int(moment.timestamp() * 1000)


def checked_rows(
    entries: list[Any], points: Mapping[str, Any], others: set[str], newest: int, oldest: int, report: IngestReport
) -> list[tuple[int, int, float, int]]:
    """The valid samples of a batch as ``(point_id, ts, value, quality)``; the rest counted in ``report``.

    One tight pass with exact type checks: a gateway sends the same few time stamps for all its
    points, so each distinct text is parsed once.
    """
    ids = {code: p.id for code, p in points.items()}
    stamps: dict[str, int | None] = {}
    qualities = QUALITY
    isfinite = math.isfinite
    rows: list[tuple[int, int, float, int]] = []
    seen: set[tuple[int, int]] = set()
    for index, entry in enumerate(entries):
        if type(entry) is not Entry:
            report.refuse(index, "invalid")
            continue
        code, text, value = entry.point, entry.ts, entry.value
        if type(code) is not str or text is ABSENT or value is ABSENT:
            report.refuse(index, "invalid")
            continue
        point_id = ids.get(code)
        if point_id is None:
            report.refuse(index, "not_permitted" if code in others else "unknown_point", "/point")
            continue
        ts: int | None = None
        if type(text) is str:
            ts = stamps.get(text)
            if ts is None and text not in stamps:
                ts = stamps[text] = _timestamp(text)
        if ts is None:
            report.refuse(index, "bad_timestamp", "/ts")
            continue
        if ts > newest:
            report.refuse(index, "future_timestamp", "/ts")
            continue
        if ts < oldest:
            report.refuse(index, "too_old", "/ts")
            continue
        kind = type(value)
        if kind is int:
            value = float(value)
        elif kind is not float:
            report.refuse(index, "wrong_type", "/value")
            continue
        if not isfinite(value):
            report.refuse(index, "not_finite", "/value")
            continue
        quality_text = entry.quality
        quality = qualities.get(quality_text) if type(quality_text) is str else None
        if quality is None:
            report.refuse(index, "bad_quality", "/quality")
            continue
        key = (point_id, ts)
        if key in seen:
            report.refuse(index, "duplicate_in_batch", "/ts")
            continue
        seen.add(key)
        rows.append((point_id, ts, value, quality))
    return rows


def ingest(platform: Any, actor: Actor, document: Any, settings: MonitoringSettings) -> IngestReport:
    """Check, store and evaluate one batch as ``actor`` (whose points it may write: Access, action ``report``);
    then the alarm records a lower deployment forwarded with it, if any."""
    spec = platform.registry.entity("monitoring_point")
    platform.access.check(actor, spec, "report")
    entries = points_of(document, settings)
    report = IngestReport()
    forwarded = document.alarms if isinstance(document, Batch) else document.get("alarms")
    if forwarded is not None:  # first: a malformed alarm refuses the request before any value is stored
        from .alarm_forward import receive_alarms

        report.forwarded = receive_alarms(platform, actor, forwarded)
    _store_points(platform, actor, entries, settings, report)
    return report


def _store_points(platform: Any, actor: Actor, entries: list[Any], settings: MonitoringSettings, report: IngestReport) -> None:
    codes = {e.point for e in entries if type(e) is Entry and type(e.point) is str}
    points, others = points_by_code(platform, actor, codes)
    now = now_ms()
    newest_allowed = now + settings.future_tolerance * 1000
    oldest_allowed = now - settings.raw_retention_days * 86_400_000
    rows = checked_rows(entries, points, others, newest_allowed, oldest_allowed, report)
    if not rows:
        return
    rows.sort()  # in key order: the B-tree of (point, ts) is filled left to right, and points come grouped
    store = SampleStore(platform.engine)
    by_point: dict[int, list[tuple[int, int, float, int]]] = {}
    for point_id, group in groupby(rows, itemgetter(0)):
        by_point[point_id] = list(group)
    info = {p.id: p for p in points.values()}
    with write(platform.engine) as conn, conn.begin():
        previous = store.latest_of(conn, by_point)
        inserted = store.insert(conn, rows)
        upward = {p.id for p in points.values() if p.forward}
        if upward:  # 上报上级: into the outbox in the same transaction (forward.py)
            store.to_outbox(conn, [r for r in rows if r[0] in upward])
        store.set_latest(conn, [samples[-1] for samples in by_point.values()], now)
        evaluator = Evaluator(platform, conn)
        evaluator.preload(by_point)
        for point_id, samples in by_point.items():
            before = previous.get(point_id)
            live = samples
            if before is not None and samples[0][1] <= before.ts:  # late data is stored, not alarmed on
                cutoff = before.ts
                live = [s for s in samples if s[1] > cutoff]
            if live and not evaluator.quiet(info[point_id], live):
                report.alarms += evaluator.evaluate(info[point_id], live, before)
    report.accepted = inserted
    report.duplicates = len(rows) - inserted
