"""WMS 1.3.0 at ``/ogc/wms``: capabilities, maps drawn on the server and feature info, in the caller's scope
(what it shares with the WFS of ``ows`` is in ``ows_common``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from flask import Response, url_for

from anjian.audit import Actor

from .callers import caller
from .geometry import BBox
from .layers import Layer, Query, extent, geometries, points, read, visible_layers
from .ows_common import check_known, current_platform, find_layer, kvp_args, xml_response
from .params import BadParameter, parse_int
from .render import MERCATOR_CRS, Frame, draw_png
from .styles import CATEGORY_FIELDS, colour_of

__all__ = ["register"]

WMS_CRS = ("CRS:84", "EPSG:4326", "EPSG:4490", "EPSG:3857")
MAX_PIXELS = 4096
MAX_DRAWN = 200_000  # features one GetMap draws at most

_MAP_PARAMETERS = {
    *("layers", "styles", "crs", "srs", "bbox", "width", "height", "format"),
    *("transparent", "bgcolor", "exceptions", "time", "elevation"),
}
WMS_PARAMETERS = {
    "getcapabilities": {"format", "updatesequence", "sections"},
    "getmap": _MAP_PARAMETERS,
    "getfeatureinfo": _MAP_PARAMETERS | {"query_layers", "info_format", "feature_count", "i", "j", "x", "y"},
}


def wms_exception(error: BadParameter | Exception, status: int = 400) -> Response:
    """The WMS 1.3.0 service exception report (WFS answers with its own, ``ows.wfs_exception``)."""
    code = getattr(error, "code", "NoApplicableCode")
    text = getattr(error, "message", str(error))
    return xml_response(
        '<ServiceExceptionReport version="1.3.0" xmlns="http://www.opengis.net/ogc">'
        f"<ServiceException code={quoteattr(code)}>{escape(text)}</ServiceException></ServiceExceptionReport>",
        status,
    )


def wms() -> Response:
    args = kvp_args()
    try:
        actor = caller()
        if args.get("service", "WMS").upper() != "WMS":
            raise BadParameter("service", "参数 service 应为 WMS")
        operation = args.get("request", "").lower()
        if operation in WMS_PARAMETERS:
            check_known(args, WMS_PARAMETERS[operation], "WMS")
        if operation == "getcapabilities":
            return _wms_capabilities(actor)
        if operation == "getmap":
            return _get_map(actor, args)
        if operation == "getfeatureinfo":
            return _get_feature_info(actor, args)
        raise BadParameter(
            "request",
            f"不支持的操作 request={args.get('request', '')[:40]}；可用 GetCapabilities、GetMap、GetFeatureInfo",
            "OperationNotSupported",
        )
    except BadParameter as error:
        return wms_exception(error)


def _wms_capabilities(actor: Actor | None) -> Response:
    href = quoteattr(url_for("gis_ows.wms", _external=True) + "?")
    platform = current_platform()
    crs = "".join(f"<CRS>{c}</CRS>" for c in WMS_CRS)
    layers = ""
    for layer in visible_layers(platform, actor):
        b = extent(platform, actor, layer) or BBox(73.5, 3.8, 135.1, 53.6)
        layers += (
            f'<Layer queryable="1"><Name>{layer.id}</Name><Title>{escape(layer.title)}</Title>{crs}'
            f"<EX_GeographicBoundingBox><westBoundLongitude>{b.minx}</westBoundLongitude><eastBoundLongitude>{b.maxx}</eastBoundLongitude>"
            f"<southBoundLatitude>{b.miny}</southBoundLatitude><northBoundLatitude>{b.maxy}</northBoundLatitude></EX_GeographicBoundingBox>"
            f'<BoundingBox CRS="CRS:84" minx="{b.minx}" miny="{b.miny}" maxx="{b.maxx}" maxy="{b.maxy}"/>'
            f'<BoundingBox CRS="EPSG:4326" minx="{b.miny}" miny="{b.minx}" maxx="{b.maxy}" maxy="{b.maxx}"/></Layer>'
        )

    def op(name: str, formats: tuple[str, ...]) -> str:
        fmts = "".join(f"<Format>{f}</Format>" for f in formats)
        return (
            f'<{name}>{fmts}<DCPType><HTTP><Get><OnlineResource xmlns:xlink="http://www.w3.org/1999/xlink" xlink:type="simple" '
            f"xlink:href={href}/></Get></HTTP></DCPType></{name}>"
        )

    body = (
        '<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms" xmlns:xlink="http://www.w3.org/1999/xlink">'
        "<Service><Name>WMS</Name><Title>安监地理信息服务 WMS</Title><Abstract>按用户辖区绘制的一张图图层</Abstract>"
        f'<OnlineResource xlink:type="simple" xlink:href={href}/>'
        "<Fees>none</Fees><AccessConstraints>按账号权限</AccessConstraints>"
        f"<MaxWidth>{MAX_PIXELS}</MaxWidth><MaxHeight>{MAX_PIXELS}</MaxHeight></Service>"
        "<Capability><Request>"
        + op("GetCapabilities", ("text/xml",))
        + op("GetMap", ("image/png",))
        + op("GetFeatureInfo", ("application/json", "text/html", "text/plain"))
        + "</Request><Exception><Format>XML</Format></Exception>"
        f"<Layer><Title>安监一张图</Title>{crs}{layers}</Layer></Capability></WMS_Capabilities>"
    )
    return xml_response(body)


def _frame(args: Mapping[str, str]) -> Frame:
    version = args.get("version", "1.3.0")
    crs = (args.get("crs") or args.get("srs") or "").upper()
    if crs not in WMS_CRS and crs not in MERCATOR_CRS:
        raise BadParameter("crs", f"不支持的坐标系 {crs[:40] or '（缺少 CRS）'}；可用 {', '.join(WMS_CRS)}", "InvalidCRS")
    width = parse_int(args, "width", 0, 1, MAX_PIXELS)
    height = parse_int(args, "height", 0, 1, MAX_PIXELS)
    raw = args.get("bbox", "")
    if not raw:
        raise BadParameter("bbox", "缺少参数 BBOX", "MissingParameterValue")
    try:
        numbers = [float(p) for p in raw.split(",")]
    except ValueError:
        raise BadParameter("bbox", "BBOX 应为 4 个数") from None
    if len(numbers) != 4:
        raise BadParameter("bbox", "BBOX 应为 4 个数")
    if crs in ("EPSG:4326", "EPSG:4490") and version == "1.3.0":
        numbers = [numbers[1], numbers[0], numbers[3], numbers[2]]  # 1.3.0 uses the EPSG axis order: latitude first
    minx, miny, maxx, maxy = numbers
    if minx >= maxx or miny >= maxy:
        raise BadParameter("bbox", "BBOX 的最小值应小于最大值")
    return Frame(minx, miny, maxx, maxy, width, height, mercator=crs in MERCATOR_CRS)


def _layers_arg(actor: Actor | None, args: Mapping[str, str], name: str) -> list[Layer]:
    names = [n.strip() for n in args.get(name, "").split(",") if n.strip()]
    if not names:
        raise BadParameter(name, f"缺少参数 {name.upper()}", "MissingParameterValue")
    found = []
    for n in names:
        try:
            found.append(find_layer(actor, n, name))
        except BadParameter as error:
            raise BadParameter(name, error.message, "LayerNotDefined") from None
    return found


def _get_map(actor: Actor | None, args: Mapping[str, str]) -> Response:
    frame = _frame(args)
    fmt = args.get("format", "image/png")
    if fmt != "image/png":
        raise BadParameter("format", f"不支持的图片格式 {fmt[:40]}；可用 image/png", "InvalidFormat")
    x0, y0, x1, y1 = frame.lonlat_box()
    box = BBox(x0, y0, x1, y1)
    drawn: list[tuple[dict[str, Any], str]] = []
    dots: list[tuple[float, float, str]] = []
    for layer in _layers_arg(actor, args, "layers"):
        category = CATEGORY_FIELDS.get(layer.id)
        colours: dict[Any, str] = {}
        if layer.kind == "point":  # the box index holds a point's position: no GeoJSON to parse
            for lon, lat, value in points(current_platform(), actor, layer, box, category, MAX_DRAWN):
                colour = colours.get(value) or colours.setdefault(value, colour_of(layer.id, value))
                dots.append((lon, lat, colour))
            continue
        for _id, geometry, value in geometries(current_platform(), actor, layer, box, category, MAX_DRAWN):
            drawn.append((geometry, colours.get(value) or colours.setdefault(value, colour_of(layer.id, value))))
    transparent = args.get("transparent", "TRUE").upper() == "TRUE"
    return Response(draw_png(frame, drawn, transparent, dots), mimetype="image/png")


def _get_feature_info(actor: Actor | None, args: Mapping[str, str]) -> Response:
    frame = _frame(args)
    i = parse_int(args, "i", parse_int(args, "x", -1, 0, MAX_PIXELS), 0, MAX_PIXELS)
    j = parse_int(args, "j", parse_int(args, "y", -1, 0, MAX_PIXELS), 0, MAX_PIXELS)
    if i < 0 or j < 0:
        raise BadParameter("i", "缺少参数 I 和 J（像素位置）", "MissingParameterValue")
    count = parse_int(args, "feature_count", 5, 1, 100)
    corners = [frame.to_lonlat(i - 5, j + 5), frame.to_lonlat(i + 5, j - 5)]
    box = BBox(corners[0][0], corners[0][1], corners[1][0], corners[1][1])
    features = []
    for layer in _layers_arg(actor, args, "query_layers"):
        for f in read(current_platform(), actor, layer, Query(bbox=box, limit=count, count=False)).features:
            features.append({**f, "id": f"{layer.id}.{f['id']}"})
    features = features[:count]
    fmt = args.get("info_format", "text/plain")
    if fmt in ("application/json", "application/geo+json"):
        return Response(
            json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), mimetype="application/json"
        )
    if fmt == "text/html":
        rows = "".join(
            f"<tr><td>{escape(f['id'])}</td><td>{escape(json.dumps(f['properties'], ensure_ascii=False))}</td></tr>"
            for f in features
        )
        return Response(f"<table><tr><th>要素</th><th>属性</th></tr>{rows}</table>", mimetype="text/html")
    if fmt != "text/plain":
        raise BadParameter(
            "info_format", f"不支持的 INFO_FORMAT {fmt[:40]}；可用 application/json、text/html、text/plain", "InvalidFormat"
        )
    lines = [f"{f['id']} " + ", ".join(f"{k}={v}" for k, v in f["properties"].items()) for f in features]
    return Response("\n".join(lines) or "没有要素", mimetype="text/plain")


def register(bp: Any) -> None:
    bp.add_url_rule("/wms", "wms", wms)
