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
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from anjian.audit import Actor
from anjian.errors import FieldError, RecordValidationError, RequestRefused
from anjian.store.db import write

from .alarms import Evaluator
from .settings import MonitoringSettings
from .storage import SampleStore, now_ms
from .tables import QUALITY

__all__ = ["IngestReport", "decode_body", "ingest", "points_by_code"]

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


@dataclass
class IngestReport:
    accepted: int = 0
    duplicates: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)
    alarms: list[int] = field(default_factory=list)

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
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise RequestRefused(400, "monitoring.bad_json", "请求体不是有效的 JSON") from None


def points_of(document: Any, settings: MonitoringSettings) -> list[Any]:
    if not isinstance(document, dict) or not isinstance(document.get("points"), list):
        raise RecordValidationError("monitoring_ingest", [FieldError("/points", '请求体应为 {"points": [...]} 形式', "required")])
    points: list[Any] = document["points"]
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
    ]
    mine: dict[str, Any] = {}
    others: set[str] = set()
    ordered = sorted(codes)
    with platform.engine.connect() as conn:
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            for row in conn.execute(select(*wanted).where(table.c.code.in_(chunk))):
                mine[row.code] = row
            if scope is not None and mine:
                allowed = {r.code for r in conn.execute(select(table.c.code).where(table.c.code.in_(chunk), scope))}
                for code in [c for c in chunk if c in mine and c not in allowed]:
                    others.add(code)
                    del mine[code]
    return mine, others


def _timestamp(text: Any) -> int | None:
    if not isinstance(text, str) or len(text) > 40 or "T" not in text.upper():
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return int(moment.timestamp() * 1000)


def ingest(platform: Any, actor: Actor, document: Any, settings: MonitoringSettings) -> IngestReport:
    """Check, store and evaluate one batch as ``actor`` (whose points it may write: Access, action ``report``)."""
    spec = platform.registry.entity("monitoring_point")
    platform.access.check(actor, spec, "report")
    entries = points_of(document, settings)
    report = IngestReport()
    codes = {e["point"] for e in entries if isinstance(e, Mapping) and isinstance(e.get("point"), str)}
    points, others = points_by_code(platform, actor, codes)
    now = now_ms()
    newest_allowed = now + settings.future_tolerance * 1000
    oldest_allowed = now - settings.raw_retention_days * 86_400_000
    rows: list[tuple[int, int, float, int]] = []
    seen: set[tuple[int, int]] = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("point"), str) or "ts" not in entry or "value" not in entry:
            report.refuse(index, "invalid")
            continue
        code = entry["point"]
        point = points.get(code)
        if point is None:
            report.refuse(index, "not_permitted" if code in others else "unknown_point", "/point")
            continue
        ts = _timestamp(entry["ts"])
        if ts is None:
            report.refuse(index, "bad_timestamp", "/ts")
            continue
        if ts > newest_allowed:
            report.refuse(index, "future_timestamp", "/ts")
            continue
        if ts < oldest_allowed:
            report.refuse(index, "too_old", "/ts")
            continue
        value = entry["value"]
        if isinstance(value, bool) or not isinstance(value, int | float):
            report.refuse(index, "wrong_type", "/value")
            continue
        value = float(value)
        if not math.isfinite(value):
            report.refuse(index, "not_finite", "/value")
            continue
        quality = QUALITY.get(entry.get("quality", "good")) if isinstance(entry.get("quality", "good"), str) else None
        if quality is None:
            report.refuse(index, "bad_quality", "/quality")
            continue
        key = (point.id, ts)
        if key in seen:
            report.refuse(index, "duplicate_in_batch", "/ts")
            continue
        seen.add(key)
        rows.append((point.id, ts, value, quality))
    if not rows:
        return report
    store = SampleStore(platform.engine)
    by_point: dict[int, list[tuple[int, int, float, int]]] = defaultdict(list)
    for row in rows:
        by_point[row[0]].append(row)
    with write(platform.engine) as conn, conn.begin():
        previous = store.latest_of(conn, by_point)
        inserted = store.insert(conn, rows)
        newest = [max(samples, key=lambda r: r[1]) for samples in by_point.values()]
        store.set_latest(conn, newest, now)
        evaluator = Evaluator(platform, conn)
        evaluator.preload(by_point)
        info = {p.id: p for p in points.values()}
        for point_id, samples in by_point.items():
            before = previous.get(point_id)
            live = sorted(s for s in samples if before is None or s[1] > before.ts)  # late data is stored, not alarmed on
            if live:
                report.alarms += evaluator.evaluate(info[point_id], live, before)
    report.accepted = inserted
    report.duplicates = len(rows) - inserted
    return report
