"""OGC API - Features - Part 1: Core at ``/ogc/`` (GeoJSON and HTML), inside the caller's scope.

Landing page, conformance, the OpenAPI document, collections, one collection, items (bbox, limit,
offset, datetime, property equality filters, next/prev links) and one item. Coordinates are CRS84
(lon/lat; CGCS2000 is served as WGS 84). Unknown parameters and bad values answer 400 with a
message, as the standard and OWSLib expect.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, jsonify, request, url_for

from anjian.audit import Actor
from anjian.errors import NotFound
from anjian.ui.base import render

from .callers import caller
from .layers import Layer, Query, extent, feature_collection_json, read, read_json, visible_layers
from .ows_common import current_platform, gis_settings
from .params import BadParameter, parse_bbox, parse_datetime, parse_int, parse_value, unknown

__all__ = ["CONFORMANCE", "register"]

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON = "application/geo+json"


def wants_html() -> bool:
    f = request.args.get("f", "")
    if f:
        if f not in ("json", "html", "geojson"):
            raise BadParameter("f", f"参数 f 只能是 json 或 html，收到「{f[:20]}」")
        return f == "html"
    best = request.accept_mimetypes.best_match(["application/json", GEOJSON, "text/html"])
    return best == "text/html"


def wants_html_safely() -> bool:
    """Whether an error page should be HTML (never raises: used while reporting another error)."""
    try:
        return wants_html()
    except BadParameter:
        return False


def _link(href: str, rel: str, kind: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": kind, "title": title}


def _self_links(endpoint: str, json_type: str = "application/json", **values: Any) -> list[dict[str, str]]:
    html = wants_html()
    json_href = url_for(endpoint, _external=True, f="json", **values)
    html_href = url_for(endpoint, _external=True, f="html", **values)
    return [
        _link(html_href if html else json_href, "self", "text/html" if html else json_type, "本页"),
        _link(json_href if html else html_href, "alternate", json_type if html else "text/html", "其他格式"),
    ]


def _answer(document: dict[str, Any], template: str, media: str = "application/json", **context: Any) -> Any:
    if wants_html():
        return render(template, doc=document, **context)
    response = jsonify(document)
    response.mimetype = media
    return response


def _layer(actor: Actor | None, collection_id: str) -> Layer:
    for layer in visible_layers(current_platform(), actor):
        if layer.id == collection_id:
            return layer
    raise NotFound(f"没有名为 {collection_id} 的图层（要素集合），或您无权查看")


def landing() -> Any:
    caller()  # bad credentials are refused even here
    unknown(request.args, ["f"])
    doc = {
        "title": "安监地理信息服务",
        "description": "企业、重大危险源、隐患等图层的 OGC API - Features 服务（按用户辖区过滤）",
        "links": [
            *_self_links("gis_ogc.landing"),
            _link(
                url_for("gis_ogc.openapi", _external=True),
                "service-desc",
                "application/vnd.oai.openapi+json;version=3.0",
                "API 定义",
            ),
            _link(url_for("gis_ogc.conformance", _external=True), "conformance", "application/json", "符合性声明"),
            _link(url_for("gis_ogc.collections", _external=True), "data", "application/json", "图层列表"),
            _link(
                url_for("gis_ows.wfs", _external=True, service="WFS", request="GetCapabilities"),
                "alternate",
                "application/xml",
                "WFS 2.0",
            ),
            _link(
                url_for("gis_ows.wms", _external=True, service="WMS", request="GetCapabilities"),
                "alternate",
                "application/xml",
                "WMS 1.3.0",
            ),
        ],
    }
    return _answer(doc, "gis/ogc_page.html", kind="landing")


def conformance() -> Any:
    unknown(request.args, ["f"])
    return _answer({"conformsTo": CONFORMANCE}, "gis/ogc_page.html", kind="conformance")


def _collection_doc(layer: Layer, actor: Actor | None) -> dict[str, Any]:
    box = extent(current_platform(), actor, layer)
    doc: dict[str, Any] = {
        "id": layer.id,
        "title": layer.title,
        "description": layer.description,
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": {"spatial": {"bbox": [box.as_list() if box else [-180.0, -90.0, 180.0, 90.0]], "crs": CRS84}},
        "links": [
            _link(
                url_for("gis_ogc.items", collection_id=layer.id, _external=True, f="json"), "items", GEOJSON, f"{layer.title}要素"
            ),
            _link(
                url_for("gis_ogc.items", collection_id=layer.id, _external=True, f="html"),
                "items",
                "text/html",
                f"{layer.title}要素",
            ),
            _link(
                url_for("gis_ogc.collection", collection_id=layer.id, _external=True, f="json"),
                "self",
                "application/json",
                layer.title,
            ),
        ],
    }
    return doc


def collections() -> Any:
    actor = caller()
    unknown(request.args, ["f"])
    items = [_collection_doc(layer, actor) for layer in visible_layers(current_platform(), actor)]
    doc = {"links": _self_links("gis_ogc.collections"), "collections": items}
    return _answer(doc, "gis/ogc_page.html", kind="collections")


def collection(collection_id: str) -> Any:
    actor = caller()
    unknown(request.args, ["f"])
    layer = _layer(actor, collection_id)
    return _answer(_collection_doc(layer, actor), "gis/ogc_page.html", kind="collection", layer=layer)


def build_query(layer: Layer, actor: Actor | None, args: Any) -> Query:
    """The items query of ``args`` (request.args), checked."""
    settings = gis_settings()
    fields = {f.name: f for f in layer.property_fields(anonymous=actor is None)}
    unknown(args, ["f", "bbox", "bbox-crs", "limit", "offset", "datetime", *fields])
    crs = args.get("bbox-crs", CRS84)
    if crs not in (CRS84, "http://www.opengis.net/def/crs/EPSG/0/4490", "http://www.opengis.net/def/crs/EPSG/0/4326"):
        raise BadParameter("bbox-crs", f"不支持的 bbox-crs：{crs[:80]}；请用 {CRS84}")
    query = Query(
        limit=parse_int(args, "limit", settings.default_limit, 1, settings.max_limit),
        offset=parse_int(args, "offset", 0, 0, 10**9),
    )
    if args.get("bbox"):
        query.bbox = parse_bbox(args["bbox"], lat_first=crs.endswith("/4326") or crs.endswith("/4490"))
    if args.get("datetime"):
        if layer.time_field is None:
            raise BadParameter("datetime", f"图层 {layer.id} 没有时间属性，不能按 datetime 过滤")
        query.start, query.end = parse_datetime(args["datetime"])
    for name, field in fields.items():
        if name in args:
            query.properties[name] = parse_value(field, args[name])
    return query


def items(collection_id: str) -> Any:
    actor = caller()
    layer = _layer(actor, collection_id)
    query = build_query(layer, actor, request.args)
    html = wants_html()
    texts: list[bytes] = []
    if html:
        result = read(current_platform(), actor, layer, query)
        matched = result.matched
        returned = len(result.features)
    else:  # 10,000 features: the database writes the GeoJSON, Python only joins it
        texts, matched = read_json(current_platform(), actor, layer, query)
        returned = len(texts)
    base = {k: v for k, v in request.args.items() if k != "offset"}
    links = [
        _link(_page(layer.id, base, query.offset, "json"), "self", GEOJSON, "本页"),
        _link(_page(layer.id, base, query.offset, "html"), "alternate", "text/html", "网页"),
        _link(
            url_for("gis_ogc.collection", collection_id=layer.id, _external=True), "collection", "application/json", layer.title
        ),
    ]
    if matched is not None and query.offset + returned < matched:
        links.append(_link(_page(layer.id, base, query.offset + query.limit, "json"), "next", GEOJSON, "下一页"))
    if query.offset > 0:
        links.append(_link(_page(layer.id, base, max(0, query.offset - query.limit), "json"), "prev", GEOJSON, "上一页"))
    if not html:
        body = feature_collection_json(texts, {"numberMatched": matched, "numberReturned": returned, "links": links})
        return Response(body, mimetype=GEOJSON)
    doc = {
        "type": "FeatureCollection",
        "features": result.features,
        "numberMatched": matched,
        "numberReturned": returned,
        "links": links,
    }
    return _answer(doc, "gis/ogc_page.html", GEOJSON, kind="items", layer=layer, query=query)


def _page(collection_id: str, args: dict[str, str], offset: int, f: str) -> str:
    params = {**args, "f": f, **({"offset": str(offset)} if offset else {})}
    return url_for("gis_ogc.items", collection_id=collection_id, _external=True) + "?" + urlencode(params)


def item(collection_id: str, feature_id: str) -> Any:
    actor = caller()
    unknown(request.args, ["f"])
    layer = _layer(actor, collection_id)
    if not feature_id.isdigit():
        raise NotFound(f"图层 {collection_id} 中没有要素 {feature_id[:40]}")
    result = read(current_platform(), actor, layer, Query(record_id=int(feature_id), limit=1, count=False))
    if not result.features:
        raise NotFound(f"图层 {collection_id} 中没有要素 {feature_id}，或您无权查看")
    doc = dict(result.features[0])
    doc["links"] = [
        _link(
            url_for("gis_ogc.item", collection_id=layer.id, feature_id=feature_id, _external=True, f="json"),
            "self",
            GEOJSON,
            "本要素",
        ),
        _link(
            url_for("gis_ogc.collection", collection_id=layer.id, _external=True), "collection", "application/json", layer.title
        ),
    ]
    return _answer(doc, "gis/ogc_page.html", GEOJSON, kind="item", layer=layer)


def openapi() -> Response:
    """A small OpenAPI 3.0 document declaring every path and parameter (``offset`` included)."""
    from .openapi import document

    actor = caller()
    return jsonify(document(visible_layers(current_platform(), actor), actor is None, url_for("gis_ogc.landing", _external=True)))


def register(bp: Any) -> None:
    bp.add_url_rule("/", "landing", landing)
    bp.add_url_rule("/conformance", "conformance", conformance)
    bp.add_url_rule("/api", "openapi", openapi)
    bp.add_url_rule("/collections", "collections", collections)
    bp.add_url_rule("/collections/<collection_id>", "collection", collection)
    bp.add_url_rule("/collections/<collection_id>/items", "items", items)
    bp.add_url_rule("/collections/<collection_id>/items/<feature_id>", "item", item)
