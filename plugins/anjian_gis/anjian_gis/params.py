"""Query parameters of the OGC services, parsed strictly: a bad value is a 400 that names it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

from .geometry import BBox

__all__ = ["BadParameter", "parse_bbox", "parse_datetime", "parse_int", "parse_value"]


class BadParameter(ValueError):
    """A query parameter the service cannot accept; ``locator`` names it (OGC exception reports)."""

    def __init__(self, locator: str, message: str, code: str = "InvalidParameterValue") -> None:
        super().__init__(message)
        self.locator, self.message, self.code = locator, message, code


def parse_int(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, f"参数 {name} 应为整数，收到「{raw[:40]}」") from None
    if not low <= value <= high:
        raise BadParameter(name, f"参数 {name} 应在 {low} 到 {high} 之间，收到 {value}")
    return value


def parse_bbox(raw: str, name: str = "bbox", lat_first: bool = False) -> BBox:
    """``minx,miny,maxx,maxy`` (4 or 6 numbers; ``lat_first`` for EPSG:4326 axis order)."""
    parts = [p.strip() for p in raw.split(",")]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise BadParameter(name, f"参数 {name} 应为逗号分隔的 4 个数（最小经度,最小纬度,最大经度,最大纬度）") from None
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise BadParameter(name, f"参数 {name} 应为 4 个（或含高程的 6 个）数，收到 {len(numbers)} 个")
    if lat_first:
        numbers = [numbers[1], numbers[0], numbers[3], numbers[2]]
    minx, miny, maxx, maxy = numbers
    if minx > maxx or miny > maxy:
        raise BadParameter(name, f"参数 {name} 的最小值大于最大值（{raw[:80]}）：应为 最小经度,最小纬度,最大经度,最大纬度")
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90):
        raise BadParameter(name, f"参数 {name} 超出经纬度范围（经度 -180～180，纬度 -90～90）")
    return BBox(minx, miny, maxx, maxy)


def _moment(text: str, name: str, end: bool) -> dt.datetime | None:
    if text in ("", ".."):
        return None
    try:
        if "T" not in text and len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time.max if end else dt.time.min)
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter(
            name, f"参数 {name} 应为 RFC 3339 日期时间或区间（如 2024-01-01/2024-12-31，开放端用 ..），收到「{text[:40]}」"
        ) from None
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def parse_datetime(raw: str, name: str = "datetime") -> tuple[dt.datetime | None, dt.datetime | None]:
    """An instant (both ends) or an interval ``start/end`` with ``..`` for an open end."""
    if "/" in raw:
        first, _, second = raw.partition("/")
        start, end = _moment(first.strip(), name, False), _moment(second.strip(), name, True)
        if start and end and start > end:
            raise BadParameter(name, f"参数 {name} 的开始时间晚于结束时间")
        return start, end
    if "T" in raw:
        moment = _moment(raw.strip(), name, False)
        return moment, moment
    return _moment(raw.strip(), name, False), _moment(raw.strip(), name, True)


def parse_value(field: Any, raw: str) -> Any:
    """A property filter's text as the field's type."""
    if field.type == "integer":
        try:
            return int(raw)
        except ValueError:
            raise BadParameter(field.name, f"属性 {field.name} 应为整数") from None
    if field.type == "number":
        try:
            return float(raw)
        except ValueError:
            raise BadParameter(field.name, f"属性 {field.name} 应为数字") from None
    if field.type == "boolean":
        if raw.lower() not in ("true", "false", "1", "0"):
            raise BadParameter(field.name, f"属性 {field.name} 应为 true 或 false")
        return raw.lower() in ("true", "1")
    if field.format == "date":
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise BadParameter(field.name, f"属性 {field.name} 应为日期 YYYY-MM-DD") from None
    return raw


def unknown(args: Iterable[str], known: Iterable[str]) -> None:
    extra = sorted(set(args) - set(known))
    if extra:
        allowed = "、".join(sorted(known))
        raise BadParameter(extra[0], f"未知的查询参数 {extra[0]}；可用参数：{allowed}", "InvalidParameterValue")
