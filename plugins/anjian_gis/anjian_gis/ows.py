"""WFS 2.0 (``/ogc/wfs``), key-value requests and POSTed GetFeature, inside the caller's scope.

GetCapabilities, DescribeFeatureType, ListStoredQueries, DescribeStoredQueries and GetFeature
(typeNames, BBOX with its CRS and axis order, count, startIndex, resourceId, the stored query
GetFeatureById) as GML 3.2 or GeoJSON. Exceptions are OGC exception reports with status 400.
The WMS is ``wms.py``; what both services share is ``ows_common.py``.
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
from .fes import parse_filter, parse_xml
from .geometry import BBox
from .layers import Layer, Query, extent, read, visible_layers
from .ows_common import check_known, current_platform, find_layer, gis_settings, kvp_args, xml_response
from .params import BadParameter, parse_bbox, parse_int

__all__ = ["register"]

PREFIX = "aj"
NS = "https://anjian.dev/gis"
URN_4326 = "urn:ogc:def:crs:EPSG::4326"
GEOJSON_FORMATS = ("application/json", "json", "geojson", "application/geo+json")
GML_FORMATS = ("application/gml+xml; version=3.2", "text/xml; subtype=gml/3.2", "gml32", "application/gml+xml")
GET_FEATURE_BY_ID = "urn:ogc:def:query:OGC-WFS::GetFeatureById"


def wfs_exception(error: BadParameter | Exception, status: int = 400) -> Response:
    code = getattr(error, "code", "NoApplicableCode")
    locator = getattr(error, "locator", "")
    text = getattr(error, "message", str(error))
    return xml_response(
        '<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="2.0.0">'
        f"<ows:Exception exceptionCode={quoteattr(code)} locator={quoteattr(locator)}>"
        f"<ows:ExceptionText>{escape(text)}</ows:ExceptionText></ows:Exception></ows:ExceptionReport>",
        status,
    )


def _typename(layer: Layer) -> str:
    return f"{PREFIX}:{layer.id}"


def _box_xml(box: BBox | None) -> str:
    b = box or BBox(73.5, 3.8, 135.1, 53.6)
    return (
        f"<ows:WGS84BoundingBox><ows:LowerCorner>{b.minx} {b.miny}</ows:LowerCorner>"
        f"<ows:UpperCorner>{b.maxx} {b.maxy}</ows:UpperCorner></ows:WGS84BoundingBox>"
    )


# ---- WFS ----------------------------------------------------------------------------------------


# Parameters each operation takes besides the common ones (lower case). Anything else is a 400.
WFS_PARAMETERS = {
    "getcapabilities": {"acceptversions", "acceptformats", "sections", "updatesequence"},
    "describefeaturetype": {"typenames", "typename", "outputformat"},
    "getfeature": {
        "typenames",
        "typename",
        "bbox",
        "filter",
        "query",
        "filter_language",
        "resourceid",
        "featureid",
        "count",
        "maxfeatures",
        "startindex",
        "outputformat",
        "srsname",
        "propertyname",
        "resulttype",
        "sortby",
        "storedquery_id",
        "id",
    },
    "liststoredqueries": set(),
    "describestoredqueries": {"storedquery_id"},
}
SRS_NAMES = (
    "urn:ogc:def:crs:EPSG::4326",
    "urn:ogc:def:crs:EPSG::4490",
    "EPSG:4326",
    "EPSG:4490",
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "CRS:84",
)


def _posted_get_feature() -> tuple[dict[str, str], Any]:
    """A POSTed ``wfs:GetFeature`` (as OWSLib sends with method="Post") as KVP arguments and its filter element."""
    root = parse_xml(request.get_data(as_text=True), "request")
    if _local_name(root.tag) != "GetFeature":
        raise BadParameter("request", "POST 只接受 wfs:GetFeature 请求；其他操作请用 GET（KVP）", "OperationNotSupported")
    args = {"service": "WFS", "request": "GetFeature"}
    for key, value in root.attrib.items():
        name = _local_name(key).lower()
        if name in ("count", "startindex", "outputformat", "resulttype", "maxfeatures"):
            args[name] = value
    queries = [q for q in root if _local_name(q.tag) == "Query"]
    if len(queries) != 1:
        raise BadParameter("request", "wfs:GetFeature 应含且只含一个 wfs:Query", "OperationParsingFailed")
    query = queries[0]
    args["typenames"] = query.get("typeNames") or query.get("typeName") or ""
    names = [(c.text or "").strip() for c in query if _local_name(c.tag) in ("PropertyName", "ValueReference")]
    if names:
        args["propertyname"] = ",".join(n for n in names if n)
    sort = next((c for c in query if _local_name(c.tag) == "SortBy"), None)
    if sort is not None:
        args["sortby"] = ",".join(_posted_sort_key(p) for p in sort if _local_name(p.tag) == "SortProperty")
    found = next((c for c in query if _local_name(c.tag) == "Filter"), None)
    return args, found


def _posted_sort_key(element: Any) -> str:
    """One ``fes:SortProperty`` as the KVP form ``name ASC|DESC``."""
    parts = {_local_name(c.tag): (c.text or "").strip() for c in element}
    return f"{parts.get('ValueReference') or parts.get('PropertyName', '')} {parts.get('SortOrder') or 'ASC'}".strip()


def parse_sort(text: str, fields: Mapping[str, Any]) -> list[tuple[str, bool]]:
    """``sortBy`` (``name ASC,other DESC``; WFS 1.1's ``A``/``D`` too) as ``[(property, descending)]``.

    Only served properties may be named, so anonymous callers cannot sort by a field they cannot see.
    """
    order: list[tuple[str, bool]] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, _, direction = part.partition(" ")
        name, direction = name.split(":")[-1], direction.strip().upper() or "ASC"
        if direction not in ("ASC", "DESC", "A", "D"):
            raise BadParameter("sortBy", f"排序方向 {direction[:10]} 无效：应为 ASC 或 DESC", "InvalidParameterValue")
        if name not in fields:
            raise BadParameter(
                "sortBy", f"不能按 {name[:60]} 排序：可用属性 {'、'.join(fields) or '（无）'}", "InvalidParameterValue"
            )
        order.append((name, direction in ("DESC", "D")))
    return order


def _local_name(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def wfs() -> Response:
    try:
        posted = None
        if request.method == "POST":
            args, posted = _posted_get_feature()
        else:
            args = kvp_args()
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
        check_known(args, WFS_PARAMETERS[operation.lower()], "WFS")
        if handler is _get_feature:
            return _get_feature(actor, args, posted)
        return handler(actor, args)
    except BadParameter as error:
        return wfs_exception(error)
    except NotFound as error:
        return wfs_exception(BadParameter("resourceId", str(error), "NotFound"), 404)


def _operation(name: str, href: str) -> str:
    post = f"<ows:Post xlink:href={quoteattr(href)}/>" if name == "GetFeature" else ""
    return (
        f'<ows:Operation name="{name}"><ows:DCP><ows:HTTP><ows:Get xlink:href={quoteattr(href + "?")}/>{post}'
        "</ows:HTTP></ows:DCP></ows:Operation>"
    )


def _filter_capabilities() -> str:
    """What FES offers here (fes.py): ad hoc queries, resource ids, the standard comparisons, BBOX."""
    conformance = "".join(
        _constraint(name, value).replace("ows:Constraint", "fes:Constraint")
        for name, value in (
            ("ImplementsQuery", "TRUE"),
            ("ImplementsAdHocQuery", "TRUE"),
            ("ImplementsFunctions", "FALSE"),
            ("ImplementsResourceId", "TRUE"),
            ("ImplementsMinStandardFilter", "TRUE"),
            ("ImplementsStandardFilter", "TRUE"),
            ("ImplementsMinSpatialFilter", "TRUE"),
            ("ImplementsSpatialFilter", "FALSE"),
            ("ImplementsMinTemporalFilter", "FALSE"),
            ("ImplementsTemporalFilter", "FALSE"),
            ("ImplementsVersionNav", "FALSE"),
            ("ImplementsSorting", "TRUE"),
            ("ImplementsExtendedOperators", "FALSE"),
        )
    )
    comparisons = "".join(
        f'<fes:ComparisonOperator name="{name}"/>'
        for name in (
            "PropertyIsEqualTo",
            "PropertyIsNotEqualTo",
            "PropertyIsLessThan",
            "PropertyIsGreaterThan",
            "PropertyIsLessThanOrEqualTo",
            "PropertyIsGreaterThanOrEqualTo",
            "PropertyIsLike",
            "PropertyIsNull",
            "PropertyIsBetween",
        )
    )
    return (
        f"<fes:Filter_Capabilities><fes:Conformance>{conformance}</fes:Conformance>"
        '<fes:Id_Capabilities><fes:ResourceIdentifier name="fes:ResourceId"/></fes:Id_Capabilities>'
        f"<fes:Scalar_Capabilities><fes:LogicalOperators/><fes:ComparisonOperators>{comparisons}</fes:ComparisonOperators>"
        "</fes:Scalar_Capabilities><fes:Spatial_Capabilities><fes:GeometryOperands>"
        '<fes:GeometryOperand name="gml:Envelope"/></fes:GeometryOperands>'
        '<fes:SpatialOperators><fes:SpatialOperator name="BBOX"/></fes:SpatialOperators></fes:Spatial_Capabilities>'
        "</fes:Filter_Capabilities>"
    )


def _constraint(name: str, value: str) -> str:
    return f'<ows:Constraint name="{name}"><ows:NoValues/><ows:DefaultValue>{value}</ows:DefaultValue></ows:Constraint>'


def _wfs_capabilities(actor: Actor | None, args: Mapping[str, str]) -> Response:
    href = url_for("gis_ows.wfs", _external=True)
    platform = current_platform()
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
            ("XMLEncoding", "TRUE"),  # GetFeature only (as OWSLib posts it)
            ("ImplementsTransactionalWFS", "FALSE"),
            ("CountDefault", str(gis_settings().max_limit)),
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
        f"<wfs:FeatureTypeList>{types}</wfs:FeatureTypeList>" + _filter_capabilities() + "</wfs:WFS_Capabilities>"
    )
    return xml_response(body)


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
    chosen = [find_layer(actor, n.strip(), "typeNames") for n in names if n.strip()] or visible_layers(current_platform(), actor)
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
    return xml_response(body, mimetype="application/gml+xml")


def _list_stored_queries(actor: Actor | None, args: Mapping[str, str]) -> Response:
    layers = visible_layers(current_platform(), actor)
    types = "".join(f"<wfs:ReturnFeatureType>{_typename(layer)}</wfs:ReturnFeatureType>" for layer in layers)
    return xml_response(
        f'<wfs:ListStoredQueriesResponse xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:{PREFIX}="{NS}">'
        f'<wfs:StoredQuery id="{GET_FEATURE_BY_ID}"><wfs:Title>按编号取要素</wfs:Title>{types}</wfs:StoredQuery>'
        "</wfs:ListStoredQueriesResponse>"
    )


def _describe_stored_queries(actor: Actor | None, args: Mapping[str, str]) -> Response:
    return xml_response(
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


def _filter_of(args: Mapping[str, str], posted: Any) -> Any:
    """The request's fes:Filter: POSTed, ``FILTER`` (WFS 2.0 KVP) or ``QUERY`` (what OWSLib's GET sends)."""
    if posted is not None:
        return posted
    text = args.get("filter") or args.get("query") or ""
    if not text.strip():
        return None
    language = args.get("filter_language", "")
    if language and "fes" not in language.lower() and "filter" not in language.lower():
        raise BadParameter(
            "filter_language", f"不支持的过滤语言 {language[:60]}；请用 FES 2.0（urn:ogc:def:query Language:OGC-FES:Filter）"
        )
    return parse_xml(text.strip())


def _get_feature(actor: Actor | None, args: Mapping[str, str], posted: Any = None) -> Response:
    settings = gis_settings()
    record_id: int | None = None
    names = args.get("typenames") or args.get("typename") or ""
    ids = args.get("resourceid") or args.get("featureid") or ""
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
    srs = args.get("srsname", "")
    if srs and srs not in SRS_NAMES:
        raise BadParameter("srsName", f"不支持的坐标系 {srs[:60]}；可用：{'、'.join(SRS_NAMES)}", "InvalidParameterValue")
    layers = [find_layer(actor, n.strip(), "typeNames") for n in names.split(",") if n.strip()]
    count = parse_int(
        args, "count", parse_int(args, "maxfeatures", settings.default_limit, 1, settings.max_limit), 1, settings.max_limit
    )
    start = parse_int(args, "startindex", 0, 0, 10**9)
    hits = args.get("resulttype", "results").lower()
    if hits not in ("results", "hits"):
        raise BadParameter("resultType", "参数 resultType 只能是 results 或 hits")
    box = _wfs_bbox(args["bbox"]) if args.get("bbox") else None
    filter_element = _filter_of(args, posted)
    if filter_element is not None and box is not None:
        raise BadParameter("filter", "BBOX 与 FILTER 不能同时使用：请把 BBOX 写进过滤条件", "InvalidParameterValue")
    wanted = [n.strip().split(":")[-1] for n in args.get("propertyname", "").split(",") if n.strip() and n.strip() != "*"]
    features: list[tuple[Layer, dict[str, Any]]] = []
    matched = 0
    for layer in layers:
        fields = {f.name: f for f in layer.property_fields(anonymous=actor is None)}
        unknown = [n for n in wanted if n not in fields and n != layer.geometry_field]
        if unknown:
            raise BadParameter("propertyName", f"图层 {layer.id} 没有可查询的属性 {unknown[0][:60]}；可用：{'、'.join(fields)}")
        query = Query(bbox=box, limit=count, offset=start, record_id=record_id, count=True)
        query.order = parse_sort(args.get("sortby", ""), fields)
        if filter_element is not None:
            parsed = parse_filter(filter_element, layer, fields, current_platform().registry.table(layer.id))
            query.conditions += parsed.conditions
            query.bbox = parsed.bbox
        if hits == "hits":
            query.limit = 1
        result = read(current_platform(), actor, layer, query)
        matched += result.matched or 0
        if hits == "results":
            features += [(layer, _project(f, wanted)) for f in result.features]
    features = features[:count]
    if record_id is not None and not features and hits == "results":
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
    return xml_response(body, mimetype="application/gml+xml; version=3.2")


def _project(feature: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
    """Only the properties named by ``propertyName`` (all when none is named)."""
    if not wanted:
        return feature
    return {**feature, "properties": {k: v for k, v in feature["properties"].items() if k in wanted}}


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


def register(bp: Any) -> None:
    bp.add_url_rule("/wfs", "wfs", wfs, methods=["GET", "POST"])
