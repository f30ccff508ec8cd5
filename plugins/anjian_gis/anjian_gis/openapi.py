"""The OpenAPI 3.0 document of ``/ogc/`` (conformance class oas30): every path and every parameter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .layers import Layer

__all__ = ["document"]

_TYPES = {"integer": "integer", "number": "number", "boolean": "boolean"}


def _param(name: str, schema: dict[str, Any], description: str, where: str = "query", explode: bool = False) -> dict[str, Any]:
    found = {"name": name, "in": where, "required": where == "path", "schema": schema, "description": description}
    if where == "query":
        found.update(style="form", explode=explode)
    return found


COMMON = [_param("f", {"type": "string", "enum": ["json", "html"]}, "输出格式")]


def _items_params(layer: Layer, anonymous: bool) -> list[dict[str, Any]]:
    params = [
        *COMMON,
        _param(
            "bbox",
            {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
            "范围 CRS84：最小经度,最小纬度,最大经度,最大纬度",
        ),
        _param("bbox-crs", {"type": "string", "format": "uri"}, "bbox 的坐标系"),
        _param("limit", {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100}, "每页要素数"),
        _param("offset", {"type": "integer", "minimum": 0, "default": 0}, "跳过的要素数（分页）"),
        _param("datetime", {"type": "string"}, "时间或区间（RFC 3339，开放端用 ..）"),
    ]
    for f in layer.property_fields(anonymous):
        params.append(_param(f.name, {"type": _TYPES.get(f.type, "string")}, f"按「{f.title}」等值过滤"))
    return params


def document(layers: Sequence[Layer], anonymous: bool, server: str) -> dict[str, Any]:
    ok = {"200": {"description": "OK"}, "400": {"description": "参数错误"}, "404": {"description": "不存在或无权查看"}}
    paths: dict[str, Any] = {
        "/": {"get": {"summary": "服务首页", "operationId": "getLandingPage", "parameters": COMMON, "responses": ok}},
        "/conformance": {
            "get": {"summary": "符合性声明", "operationId": "getConformance", "parameters": COMMON, "responses": ok}
        },
        "/collections": {"get": {"summary": "图层列表", "operationId": "getCollections", "parameters": COMMON, "responses": ok}},
    }
    for layer in layers:
        base = f"/collections/{layer.id}"
        paths[base] = {
            "get": {"summary": layer.title, "operationId": f"describe_{layer.id}", "parameters": COMMON, "responses": ok}
        }
        paths[f"{base}/items"] = {
            "get": {
                "summary": f"{layer.title}要素",
                "operationId": f"items_{layer.id}",
                "parameters": _items_params(layer, anonymous),
                "responses": ok,
            }
        }
        paths[f"{base}/items/{{featureId}}"] = {
            "get": {
                "summary": f"单个{layer.title}要素",
                "operationId": f"item_{layer.id}",
                "parameters": [*COMMON, _param("featureId", {"type": "string"}, "要素编号", "path")],
                "responses": ok,
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "安监地理信息服务 OGC API - Features", "version": "1.0.0"},
        "servers": [{"url": server.rstrip("/")}],
        "paths": paths,
    }
