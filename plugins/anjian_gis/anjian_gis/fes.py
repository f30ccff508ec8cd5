"""Filter Encoding (FES 2.0, and the 1.1 names) for WFS GetFeature, turned into SQL on the layer's table.

What OWSLib's ``owslib.fes2`` builds and sends (as ``FILTER``, as OWSLib's ``QUERY`` parameter of a
GET request, or inside a POSTed ``wfs:GetFeature``): ``And``/``Or``/``Not``, the comparisons
(``PropertyIsEqualTo`` … ``PropertyIsBetween``, ``PropertyIsLike``, ``PropertyIsNull``), ``BBOX``
with a GML envelope (its ``srsName`` decides the axis order) and ``ResourceId``. Property names are
the layer's served properties only (for anonymous callers, the public projection), so a filter
cannot probe a field the caller may not read. Anything else is a 400 naming what was not understood.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, not_, or_

from .geometry import BBox
from .params import BadParameter, parse_bbox, parse_value
from .tables import bbox_index

__all__ = ["MAX_FILTER_BYTES", "ParsedFilter", "lat_first", "parse_filter"]

MAX_FILTER_BYTES = 100_000
_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "PropertyIsEqualTo": lambda c, v: c == v,
    "PropertyIsNotEqualTo": lambda c, v: c != v,
    "PropertyIsLessThan": lambda c, v: c < v,
    "PropertyIsGreaterThan": lambda c, v: c > v,
    "PropertyIsLessThanOrEqualTo": lambda c, v: c <= v,
    "PropertyIsGreaterThanOrEqualTo": lambda c, v: c >= v,
}


@dataclass
class ParsedFilter:
    """SQL conditions on the layer's table and the box index; ``bbox``: a top-level BBOX, for the spatial index."""

    conditions: list[Any] = field(default_factory=list)
    bbox: BBox | None = None
    record_ids: list[int] | None = None


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def lat_first(crs: str) -> bool:
    """EPSG:4326/4490 as URN or URI use latitude first; ``EPSG:4326`` (short) and CRS84 longitude first."""
    crs = crs.strip()
    return crs.startswith(("urn:ogc:def:crs:EPSG:", "http://www.opengis.net/def/crs/EPSG/")) and crs.rstrip("/").rsplit(
        ":" if crs.startswith("urn:") else "/", 1
    )[-1] in ("4326", "4490")


_LON_LAT = (
    "",
    "EPSG:4326",
    "EPSG:4490",
    "CRS:84",
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
)


class _Parser:
    def __init__(self, layer: Any, fields: dict[str, Any], table: Any) -> None:
        self.layer, self.fields, self.table = layer, fields, table
        self.ids: list[int] | None = None

    def refuse(self, message: str) -> BadParameter:
        return BadParameter("filter", message, "OperationParsingFailed")

    def column(self, element: ET.Element) -> tuple[Any, Any]:
        ref = next((c for c in element if _local(c.tag) in ("ValueReference", "PropertyName")), None)
        if ref is None or not (ref.text or "").strip():
            raise self.refuse(f"过滤条件 {_local(element.tag)} 缺少 ValueReference（属性名）")
        name = (ref.text or "").strip().split(":", 1)[-1].split("/")[-1]
        found = self.fields.get(name)
        if found is None:
            known = "、".join(sorted(self.fields)) or "（无）"
            raise self.refuse(f"过滤条件中的属性 {name[:60]} 不存在或不可查询；可用属性：{known}")
        return found, self.table.c[name]

    def literal(self, element: ET.Element, found: Any) -> Any:
        lit = next((c for c in element if _local(c.tag) == "Literal"), None)
        if lit is None:
            raise self.refuse(f"过滤条件 {_local(element.tag)} 缺少 Literal（比较值）")
        try:
            return parse_value(found, (lit.text or "").strip())
        except BadParameter as error:
            raise self.refuse(f"过滤条件：{error.message}") from None

    def envelope(self, element: ET.Element) -> BBox:
        env = next((c for c in element.iter() if _local(c.tag) == "Envelope"), None)
        if env is None:
            raise self.refuse("BBOX 过滤条件应含 gml:Envelope（lowerCorner、upperCorner）")
        corners = {_local(c.tag): (c.text or "").split() for c in env}
        lower, upper = corners.get("lowerCorner"), corners.get("upperCorner")
        if not lower or not upper or len(lower) != 2 or len(upper) != 2:
            raise self.refuse("gml:Envelope 应有两个数的 lowerCorner 和 upperCorner")
        crs = env.get("srsName") or ""
        first = lat_first(crs)
        if not first and crs not in _LON_LAT:
            raise BadParameter(
                "filter", f"BBOX 的坐标系 {crs[:60]} 不受支持；可用 EPSG:4326、EPSG:4490 或 CRS84", "InvalidParameterValue"
            )
        try:
            return parse_bbox(",".join([*lower, *upper]), "filter", lat_first=first)
        except BadParameter as error:
            raise self.refuse(f"BBOX 过滤条件：{error.message}") from None

    def condition(self, element: ET.Element, top: bool, parsed: ParsedFilter) -> Any:
        kind = _local(element.tag)
        if kind in ("And", "Or"):
            parts = [self.condition(child, top and kind == "And", parsed) for child in element]
            if len(parts) < 2:
                raise self.refuse(f"{kind} 至少需要两个子条件")
            return and_(*parts) if kind == "And" else or_(*parts)
        if kind == "Not":
            children = list(element)
            if len(children) != 1:
                raise self.refuse("Not 需要恰好一个子条件")
            return not_(self.condition(children[0], False, parsed))
        if kind in _COMPARISONS:
            found, column = self.column(element)
            return _COMPARISONS[kind](column, self.literal(element, found))
        if kind == "PropertyIsNull":
            return self.column(element)[1].is_(None)
        if kind == "PropertyIsBetween":
            found, column = self.column(element)
            bounds = {_local(c.tag): c for c in element}
            if "LowerBoundary" not in bounds or "UpperBoundary" not in bounds:
                raise self.refuse("PropertyIsBetween 需要 LowerBoundary 和 UpperBoundary")
            low, high = self.literal(bounds["LowerBoundary"], found), self.literal(bounds["UpperBoundary"], found)
            return column.between(low, high)
        if kind == "PropertyIsLike":
            found, column = self.column(element)
            if found.type != "string":
                raise self.refuse(f"PropertyIsLike 只能用于文本属性，{found.name} 不是")
            pattern = self.like_pattern(element)
            return column.like(pattern, escape="\\")
        if kind == "BBOX":
            box = self.envelope(element)
            if top and parsed.bbox is None:
                parsed.bbox = box
            c = bbox_index.c
            return and_(c.maxx >= box.minx, c.minx <= box.maxx, c.maxy >= box.miny, c.miny <= box.maxy)
        if kind in ("ResourceId", "FeatureId", "GmlObjectId"):
            return self.resource(element)
        raise self.refuse(
            f"不支持的过滤条件 {kind[:60]}；可用：And、Or、Not、PropertyIsEqualTo 等比较、"
            "PropertyIsLike、PropertyIsNull、PropertyIsBetween、BBOX、ResourceId"
        )

    def resource(self, element: ET.Element) -> Any:
        rid = element.get("rid") or element.get("fid") or element.get("{http://www.opengis.net/gml/3.2}id") or ""
        layer_part, _, number = rid.partition(".")
        if layer_part.split(":")[-1] != self.layer.id or not number.isdigit():
            raise self.refuse(f"ResourceId 应为 {self.layer.id}.编号，收到「{rid[:60]}」")
        return self.table.c.id == int(number)

    def like_pattern(self, element: ET.Element) -> str:
        wild, single, escape = element.get("wildCard", "*"), element.get("singleChar", "."), element.get("escapeChar", "\\")
        lit = next((c for c in element if _local(c.tag) == "Literal"), None)
        text = (lit.text or "") if lit is not None else ""
        out, i = [], 0
        while i < len(text):
            ch = text[i]
            if ch == escape and i + 1 < len(text):
                i += 1
                out.append(_sql_escape(text[i]))
            elif ch == wild:
                out.append("%")
            elif ch == single:
                out.append("_")
            else:
                out.append(_sql_escape(ch))
            i += 1
        return "".join(out)


def _sql_escape(ch: str) -> str:
    return "\\" + ch if ch in ("%", "_", "\\") else ch


def parse_xml(text: str, locator: str = "filter") -> ET.Element:
    """XML from a caller, refused when large or carrying a DOCTYPE (no entities are ever expanded)."""
    if len(text.encode()) > MAX_FILTER_BYTES:
        raise BadParameter(locator, f"{locator} 过长（最多 {MAX_FILTER_BYTES} 字节）", "OperationParsingFailed")
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise BadParameter(locator, f"{locator} 不能含 DOCTYPE 或实体声明", "OperationParsingFailed")
    try:
        return ET.fromstring(text)
    except ET.ParseError as error:
        raise BadParameter(locator, f"{locator} 不是正确的 XML：{error}", "OperationParsingFailed") from None


def parse_filter(source: str | ET.Element, layer: Any, fields: dict[str, Any], table: Any) -> ParsedFilter:
    """The conditions of a ``fes:Filter`` (text or element) on ``layer``; BadParameter (400) for what is not understood."""
    root = parse_xml(source) if isinstance(source, str) else source
    if _local(root.tag) != "Filter":
        raise BadParameter("filter", f"过滤条件应以 fes:Filter 开始，收到 {_local(root.tag)[:40]}", "OperationParsingFailed")
    children = list(root)
    parser = _Parser(layer, fields, table)
    parsed = ParsedFilter()
    if not children:
        raise BadParameter("filter", "fes:Filter 为空", "OperationParsingFailed")
    if all(_local(c.tag) in ("ResourceId", "FeatureId", "GmlObjectId") for c in children):
        parsed.conditions.append(or_(*(parser.resource(c) for c in children)))
        return parsed
    if len(children) != 1:
        raise BadParameter("filter", "fes:Filter 只能有一个顶层条件（多个条件请用 And 或 Or 组合）", "OperationParsingFailed")
    parsed.conditions.append(parser.condition(children[0], True, parsed))
    return parsed
