"""WFS 2.0 (``/ogc/wfs``) and WMS 1.3.0 (``/ogc/wms``), key-value requests, inside the caller's scope.

WFS: GetCapabilities, DescribeFeatureType, ListStoredQueries, DescribeStoredQueries and GetFeature
(typeNames, BBOX with its CRS and axis order, count, startIndex, resourceId, the stored query
GetFeatureById) as GML 3.2 or GeoJSON. WMS: GetCapabilities, GetMap (PNG drawn with Pillow) and
GetFeatureInfo (GeoJSON, HTML or text). Exceptions are OGC exception reports with status 400.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from flask import Response, request, url_for

from anjian.audit import Actor
from anjian.errors import NotFound

from .callers import caller
from .geometry import BBox
from .layers import Layer, Query, extent, geometries, read, visible_layers
from .params import BadParameter, parse_bbox, parse_int
from .render import MERCATOR_CRS, Frame, draw_png
from .styles import CATEGORY_FIELDS, colour_of

__all__ = ["register"]

PREFIX = "aj"
NS = "https://anjian.dev/gis"
URN_4326 = "urn:ogc:def:crs:EPSG::4326"
GEOJSON_FORMATS = ("application/json", "json", "geojson", "application/geo+json")
GML_FORMATS = ("application/gml+xml; version=3.2", "text/xml; subtype=gml/3.2", "gml32", "application/gml+xml")
GET_FEATURE_BY_ID = "urn:ogc:def:query:OGC-WFS::GetFeatureById"
WMS_CRS = ("CRS:84", "EPSG:4326", "EPSG:4490", "EPSG:3857")
MAX_PIXELS = 4096


def _platform() -> Any:
    from anjian.api import platform

    return platform()


def _settings() -> Any:
    from .settings import GisSettings

    found = _platform().host.settings.get("gis")
    return found if found is not None else GisSettings()


def _args() -> dict[str, str]:
    """KVP parameter names are case-insensitive (OGC 06-121r9 §11.5.2)."""
    return {k.lower(): v for k, v in request.args.items()}


def _xml(body: str, status: int = 200, mimetype: str = "text/xml") -> Response:
    return Response('<?xml version="1.0" encoding="UTF-8"?>\n' + body, status=status, mimetype=mimetype)


def wfs_exception(error: BadParameter | Exception, status: int = 400) -> Response:
    code = getattr(error, "code", "NoApplicableCode")
    locator = getattr(error, "locator", "")
    text = getattr(error, "message", str(error))
    return _xml(
        '<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="2.0.0">'
        f"<ows:Exception exceptionCode={quoteattr(code)} locator={quoteattr(locator)}>"
        f"<ows:ExceptionText>{escape(text)}</ows:ExceptionText></ows:Exception></ows:ExceptionReport>",
        status,
    )


def wms_exception(error: BadParameter | Exception, status: int = 400) -> Response:
    code = getattr(error, "code", "NoApplicableCode")
    text = getattr(error, "message", str(error))
    return _xml(
        '<ServiceExceptionReport version="1.3.0" xmlns="http://www.opengis.net/ogc">'
        f"<ServiceException code={quoteattr(code)}>{escape(text)}</ServiceException></ServiceExceptionReport>",
        status,
    )


def _typename(layer: Layer) -> str:
    return f"{PREFIX}:{layer.id}"


def _find(actor: Actor | None, name: str, locator: str) -> Layer:
    wanted = name.split(":", 1)[-1]
    for layer in visible_layers(_platform(), actor):
        if layer.id == wanted:
            return layer
    raise BadParameter(locator, f"没有名为 {name[:60]} 的图层，或您无权查看", "InvalidParameterValue")


def _box_xml(box: BBox | None) -> str:
    b = box or BBox(73.5, 3.8, 135.1, 53.6)
    return (
        f"<ows:WGS84BoundingBox><ows:LowerCorner>{b.minx} {b.miny}</ows:LowerCorner>"
        f"<ows:UpperCorner>{b.maxx} {b.maxy}</ows:UpperCorner></ows:WGS84BoundingBox>"
    )


# ---- WFS ----------------------------------------------------------------------------------------


def wfs() -> Response:
    args = _args()
    try:
        actor = caller()
        if args.get("service", "WFS").upper() != "WFS":
            raise BadParameter("service", "参数 service 应为 WFS")
        operation = args.get("request", "")
        handlers = {
            "getcapabilities": _wfs_capabilities,
            "describefeaturetype": _describe_feature_type,
            "getfeature": _get_feature,
            "liststoredqueries": _list_stored_queries,
            "describestoredqueries": _describe_stored_queries,
        }
        handler = handlers.get(operation.lower())
        if handler is None:
            raise BadParameter(
                "request", f"不支持的操作 request={operation[:40]}；可用：{', '.join(sorted(handlers))}", "OperationNotSupported"
            )
        return handler(actor, args)
    except BadParameter as error:
        return wfs_exception(error)
    except NotFound as error:
        return wfs_exception(BadParameter("resourceId", str(error), "NotFound"), 404)


def _operation(name: str, href: str) -> str:
    return (
        f'<ows:Operation name="{name}"><ows:DCP><ows:HTTP><ows:Get xlink:href={quoteattr(href + "?")}/>'
        "</ows:HTTP></ows:DCP></ows:Operation>"
    )


def _constraint(name: str, value: str) -> str:
    return f'<ows:Constraint name="{name}"><ows:NoValues/><ows:DefaultValue>{value}</ows:DefaultValue></ows:Constraint>'


def _wfs_capabilities(actor: Actor | None, args: Mapping[str, str]) -> Response:
    href = url_for("gis_ows.wfs", _external=True)
    platform = _platform()
    types = "".join(
        f"<wfs:FeatureType><wfs:Name>{_typename(layer)}</wfs:Name><wfs:Title>{escape(layer.title)}</wfs:Title>"
        f"<wfs:Abstract>{escape(layer.description)}</wfs:Abstract><wfs:DefaultCRS>{URN_4326}</wfs:DefaultCRS>"
        "<wfs:OtherCRS>urn:ogc:def:crs:EPSG::4490</wfs:OtherCRS>"
        "<wfs:OutputFormats><wfs:Format>application/gml+xml; version=3.2</wfs:Format>"
        "<wfs:Format>application/json</wfs:Format></wfs:OutputFormats>"
        f"{_box_xml(extent(platform, actor, layer))}</wfs:FeatureType>"
        for layer in visible_layers(platform, actor)
    )
    operations = "".join(
        _operation(name, href)
        for name in ("GetCapabilities", "DescribeFeatureType", "ListStoredQueries", "DescribeStoredQueries", "GetFeature")
    )
    constraints = "".join(
        _constraint(name, value)
        for name, value in (
            ("ImplementsBasicWFS", "FALSE"),
            ("ImplementsSimpleWFS", "TRUE"),
            ("ImplementsResultPaging", "TRUE"),
            ("KVPEncoding", "TRUE"),
            ("XMLEncoding", "FALSE"),
            ("ImplementsTransactionalWFS", "FALSE"),
            ("CountDefault", str(_settings().max_limit)),
        )
    )
    body = (
        '<wfs:WFS_Capabilities version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0" '
        'xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:{PREFIX}="{NS}">'
        "<ows:ServiceIdentification><ows:Title>安监地理信息服务 WFS</ows:Title>"
        "<ows:Abstract>按用户辖区过滤的企业、重大危险源、隐患等要素</ows:Abstract>"
        "<ows:ServiceType>WFS</ows:ServiceType><ows:ServiceTypeVersion>2.0.0</ows:ServiceTypeVersion>"
        "<ows:Fees>NONE</ows:Fees><ows:AccessConstraints>按账号权限</ows:AccessConstraints></ows:ServiceIdentification>"
        "<ows:ServiceProvider><ows:ProviderName>安监平台</ows:ProviderName></ows:ServiceProvider>"
        f"<ows:OperationsMetadata>{operations}{constraints}</ows:OperationsMetadata>"
        f"<wfs:FeatureTypeList>{types}</wfs:FeatureTypeList>"
        "<fes:Filter_Capabilities><fes:Conformance>"
        + _constraint("ImplementsQuery", "FALSE")
        .replace("ows:Constraint", "fes:Constraint")
        .replace("ows:NoValues", "ows:NoValues")
        + _constraint("ImplementsMinSpatialFilter", "FALSE").replace("ows:Constraint", "fes:Constraint")
        + "</fes:Conformance></fes:Filter_Capabilities></wfs:WFS_Capabilities>"
    )
    return _xml(body)


_XSD_TYPES = {"integer": "xsd:long", "number": "xsd:double", "boolean": "xsd:boolean"}
_GML_PROPERTY = {"point": "gml:PointPropertyType", "line": "gml:CurvePropertyType", "polygon": "gml:SurfacePropertyType"}


def _xsd_type(field: Any) -> str:
    if field.format == "date":
        return "xsd:date"
    if field.format == "date-time":
        return "xsd:dateTime"
    return _XSD_TYPES.get(field.type, "xsd:string")


def _describe_feature_type(actor: Actor | None, args: Mapping[str, str]) -> Response:
    names = (args.get("typenames") or args.get("typename") or "").split(",")
    chosen = [_find(actor, n.strip(), "typeNames") for n in names if n.strip()] or visible_layers(_platform(), actor)
    parts = []
    for layer in chosen:
        elements = f'<xsd:element name="{layer.geometry_field}" type="{_GML_PROPERTY[layer.kind]}" minOccurs="0"/>' + "".join(
            f'<xsd:element name="{f.name}" type="{_xsd_type(f)}" minOccurs="0" nillable="true"/>'
            for f in layer.property_fields(anonymous=actor is None)
        )
        parts.append(
            f'<xsd:complexType name="{layer.id}Type"><xsd:complexContent><xsd:extension base="gml:AbstractFeatureType">'
            f"<xsd:sequence>{elements}</xsd:sequence></xsd:extension></xsd:complexContent></xsd:complexType>"
            f'<xsd:element name="{layer.id}" type="{PREFIX}:{layer.id}Type" substitutionGroup="gml:AbstractFeature"/>'
        )
    body = (
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:gml="http://www.opengis.net/gml/3.2" '
        f'xmlns:{PREFIX}="{NS}" '
        f'targetNamespace="{NS}" elementFormDefault="qualified">'
        '<xsd:import namespace="http://www.opengis.net/gml/3.2" schemaLocation="http://schemas.opengis.net/gml/3.2.1/gml.xsd"/>'
        + "".join(parts)
        + "</xsd:schema>"
    )
    return _xml(body, mimetype="application/gml+xml")


def _list_stored_queries(actor: Actor | None, args: Mapping[str, str]) -> Response:
    types = "".join(
        f"<wfs:ReturnFeatureType>{_typename(layer)}</wfs:ReturnFeatureType>" for layer in visible_layers(_platform(), actor)
    )
    return _xml(
        f'<wfs:ListStoredQueriesResponse xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:{PREFIX}="{NS}">'
        f'<wfs:StoredQuery id="{GET_FEATURE_BY_ID}"><wfs:Title>按编号取要素</wfs:Title>{types}</wfs:StoredQuery>'
        "</wfs:ListStoredQueriesResponse>"
    )


def _describe_stored_queries(actor: Actor | None, args: Mapping[str, str]) -> Response:
    return _xml(
        '<wfs:DescribeStoredQueriesResponse xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        f'<wfs:StoredQueryDescription id="{GET_FEATURE_BY_ID}"><wfs:Title>按编号取要素</wfs:Title>'
        '<wfs:Parameter name="ID" type="xsd:string"/>'
        '<wfs:QueryExpressionText isPrivate="true" '
        'language="urn:ogc:def:queryLanguage:OGC-WFS::WFS_QueryExpression" returnFeatureTypes=""/>'
        "</wfs:StoredQueryDescription></wfs:DescribeStoredQueriesResponse>"
    )


def _wfs_bbox(raw: str) -> BBox:
    parts = raw.split(",")
    crs = ""
    if len(parts) in (5, 7):
        crs = parts.pop().strip()
    lat_first = crs == "" or (crs.startswith("urn:ogc:def:crs:EPSG::") and crs.rsplit(":", 1)[-1] in ("4326", "4490"))
    if crs and not lat_first and crs not in ("EPSG:4326", "EPSG:4490", "urn:ogc:def:crs:OGC:1.3:CRS84", "CRS:84"):
        raise BadParameter("bbox", f"BBOX 的坐标系 {crs[:60]} 不受支持；可用 {URN_4326}、EPSG:4326 或 CRS84")
    return parse_bbox(",".join(parts), "bbox", lat_first=lat_first)


def _get_feature(actor: Actor | None, args: Mapping[str, str]) -> Response:
    settings = _settings()
    record_id: int | None = None
    names = args.get("typenames") or args.get("typename") or ""
    ids = args.get("resourceid") or ""
    if args.get("storedquery_id"):
        if args["storedquery_id"] != GET_FEATURE_BY_ID:
            raise BadParameter("storedQuery_id", f"未知的存储查询 {args['storedquery_id'][:80]}")
        ids = args.get("id", "")
    if ids:
        layer_part, _, number = ids.partition(".")
        if not number.isdigit():
            raise BadParameter("resourceId", "要素编号应为 图层名.编号，如 enterprise.12")
        names, record_id = layer_part, int(number)
    if not names:
        raise BadParameter("typeNames", "缺少参数 typeNames（图层名，如 aj:enterprise）", "MissingParameterValue")
    layers = [_find(actor, n.strip(), "typeNames") for n in names.split(",") if n.strip()]
    count = parse_int(
        args, "count", parse_int(args, "maxfeatures", settings.default_limit, 1, settings.max_limit), 1, settings.max_limit
    )
    start = parse_int(args, "startindex", 0, 0, 10**9)
    box = _wfs_bbox(args["bbox"]) if args.get("bbox") else None
    features: list[tuple[Layer, dict[str, Any]]] = []
    matched = 0
    for layer in layers:
        result = read(_platform(), actor, layer, Query(bbox=box, limit=count, offset=start, record_id=record_id))
        matched += result.matched or 0
        features += [(layer, f) for f in result.features]
    features = features[:count]
    if record_id is not None and not features:
        raise NotFound(f"没有要素 {ids}，或您无权查看")
    fmt = (args.get("outputformat") or GML_FORMATS[0]).strip()
    if fmt.lower() in GEOJSON_FORMATS:
        doc = {
            "type": "FeatureCollection",
            "features": [{**f, "id": f"{layer.id}.{f['id']}"} for layer, f in features],
            "numberMatched": matched,
            "numberReturned": len(features),
        }
        return Response(json.dumps(doc, ensure_ascii=False), mimetype="application/json")
    if fmt not in GML_FORMATS:
        raise BadParameter(
            "outputFormat", f"不支持的输出格式 {fmt[:60]}；可用 application/json 或 application/gml+xml; version=3.2"
        )
    members = "".join(f"<wfs:member>{_gml_feature(layer, f)}</wfs:member>" for layer, f in features)
    body = (
        '<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" '
        f'xmlns:{PREFIX}="{NS}" '
        f'numberMatched="{matched}" numberReturned="{len(features)}">{members}</wfs:FeatureCollection>'
    )
    return _xml(body, mimetype="application/gml+xml; version=3.2")


def _pos_list(coords: list[list[float]]) -> str:
    return " ".join(f"{p[1]} {p[0]}" for p in coords)  # EPSG:4326 urn: latitude first


def _gml_geometry(geometry: dict[str, Any], gid: str) -> str:
    kind, coords = geometry["type"], geometry["coordinates"]
    srs = f'srsName="{URN_4326}" gml:id="{gid}"'
    if kind == "Point":
        return f"<gml:Point {srs}><gml:pos>{coords[1]} {coords[0]}</gml:pos></gml:Point>"
    if kind == "LineString":
        return f"<gml:LineString {srs}><gml:posList>{_pos_list(coords)}</gml:posList></gml:LineString>"
    rings = "".join(
        f"<gml:{'exterior' if n == 0 else 'interior'}><gml:LinearRing><gml:posList>{_pos_list(ring)}</gml:posList>"
        f"</gml:LinearRing></gml:{'exterior' if n == 0 else 'interior'}>"
        for n, ring in enumerate(coords)
    )
    return f"<gml:Polygon {srs}>{rings}</gml:Polygon>"


def _gml_feature(layer: Layer, feature: dict[str, Any]) -> str:
    fid = f"{layer.id}.{feature['id']}"
    geometry = feature.get("geometry")
    parts = (
        [f"<{PREFIX}:{layer.geometry_field}>{_gml_geometry(geometry, fid + '.g')}</{PREFIX}:{layer.geometry_field}>"]
        if geometry
        else []
    )
    for name, value in feature["properties"].items():
        if value is not None:
            text = str(value).lower() if isinstance(value, bool) else str(value)
            parts.append(f"<{PREFIX}:{name}>{escape(text)}</{PREFIX}:{name}>")
    return f'<{PREFIX}:{layer.id} gml:id="{fid}">{"".join(parts)}</{PREFIX}:{layer.id}>'


# ---- WMS ----------------------------------------------------------------------------------------


def wms() -> Response:
    args = _args()
    try:
        actor = caller()
        if args.get("service", "WMS").upper() != "WMS":
            raise BadParameter("service", "参数 service 应为 WMS")
        operation = args.get("request", "").lower()
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
    platform = _platform()
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
    return _xml(body)


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
            found.append(_find(actor, n, name))
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
    for layer in _layers_arg(actor, args, "layers"):
        category = CATEGORY_FIELDS.get(layer.id)
        for _id, geometry, value in geometries(_platform(), actor, layer, box, category, 200_000):
            drawn.append((geometry, colour_of(layer.id, value)))
    transparent = args.get("transparent", "TRUE").upper() == "TRUE"
    return Response(draw_png(frame, drawn, transparent), mimetype="image/png")


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
        for f in read(_platform(), actor, layer, Query(bbox=box, limit=count, count=False)).features:
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
    bp.add_url_rule("/wfs", "wfs", wfs)
    bp.add_url_rule("/wms", "wms", wms)
