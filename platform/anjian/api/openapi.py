"""OpenAPI 3.1 document generated from the live catalog (JSON Schema 2020-12 is native there)."""

from __future__ import annotations

from typing import Any

from ..catalog.registry import Registry, validation_schema
from ..data.query import filterable_fields

__all__ = ["openapi_document"]

ERROR = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def _stored(schema: dict[str, Any]) -> dict[str, Any]:
    system = {
        "id": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "created_by": {"type": "string"},
        "updated_by": {"type": "string"},
        "row_version": {"type": "integer"},
    }
    return {**schema, "properties": {**system, **schema.get("properties", {})}, "required": ["id"]}


def openapi_document(registry: Registry) -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/auth/token": {
            "post": {
                "tags": ["auth"],
                "summary": "Exchange username and password for a bearer token",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["username", "password"],
                                "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "token",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "access_token": {"type": "string"},
                                        "token_type": {"const": "Bearer"},
                                        "expires_in": {"type": "integer"},
                                    },
                                }
                            }
                        },
                    },
                    "401": _error("bad credentials"),
                },
            }
        },
        "/meta/publish": {
            "post": {
                "tags": ["meta"],
                "summary": "Publish declarations (administrators)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["documents"],
                                "properties": {
                                    "documents": {"type": "array", "items": {"type": "object"}},
                                    "confirm_destructive": {"type": "boolean"},
                                    "dry_run": {"type": "boolean"},
                                    "comment": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {"description": "published"},
                    "409": _error("would lose data"),
                    "422": _error("invalid metadata"),
                    "403": _error("not an administrator"),
                },
            }
        },
    }
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "errors": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "pointer": {"type": "string"},
                                    "message": {"type": "string"},
                                    "code": {"type": "string"},
                                },
                            },
                        },
                    },
                }
            },
        }
    }
    for entity in registry.catalog.top_entities():
        name = entity.name
        schemas[name] = validation_schema(entity)
        schemas[name].pop("$schema", None)
        schemas[f"{name}_stored"] = _stored(schemas[name])
        ref = {"$ref": f"#/components/schemas/{name}"}
        stored = {"$ref": f"#/components/schemas/{name}_stored"}
        params = [
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
            {"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
            {"name": "sort", "in": "query", "schema": {"type": "string"}, "description": "field or -field"},
        ]
        if entity.search_fields:
            params.append(
                {
                    "name": "q",
                    "in": "query",
                    "schema": {"type": "string"},
                    "description": "search in " + ", ".join(entity.search_fields),
                }
            )
        for fname, field in filterable_fields(entity).items():
            params.append({"name": fname, "in": "query", "schema": {"type": "string"}, "description": field.title})
        tag = [entity.title]
        paths[f"/e/{name}"] = {
            "get": {
                "tags": tag,
                "summary": f"List {entity.title}",
                "parameters": params,
                "responses": {
                    "200": {
                        "description": "a page",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "items": {"type": "array", "items": stored},
                                        "total": {"type": "integer"},
                                        "page": {"type": "integer"},
                                        "page_size": {"type": "integer"},
                                    },
                                }
                            }
                        },
                    },
                    "422": _error("bad query"),
                },
            },
            "post": {
                "tags": tag,
                "summary": f"Create {entity.title}",
                "requestBody": {"required": True, "content": {"application/json": {"schema": ref}}},
                "responses": {
                    "201": {"description": "created", "content": {"application/json": {"schema": stored}}},
                    "422": _error("invalid record"),
                    "409": _error("conflict"),
                },
            },
        }
        id_param = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]
        paths[f"/e/{name}/{{id}}"] = {
            "parameters": id_param,
            "get": {
                "tags": tag,
                "summary": f"Get {entity.title}",
                "responses": {
                    "200": {"description": "the record", "content": {"application/json": {"schema": stored}}},
                    "404": _error("not found"),
                },
            },
            "put": {
                "tags": tag,
                "summary": f"Replace {entity.title}",
                "requestBody": {"required": True, "content": {"application/json": {"schema": ref}}},
                "responses": {
                    "200": {"description": "updated"},
                    "422": _error("invalid"),
                    "404": _error("not found"),
                    "409": _error("conflict"),
                },
            },
            "patch": {
                "tags": tag,
                "summary": f"Update fields of {entity.title}",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {
                    "200": {"description": "updated"},
                    "422": _error("invalid"),
                    "404": _error("not found"),
                    "409": _error("conflict"),
                },
            },
            "delete": {
                "tags": tag,
                "summary": f"Delete {entity.title}",
                "responses": {"204": {"description": "deleted"}, "404": _error("not found"), "409": _error("still referenced")},
            },
        }
        paths[f"/e/{name}/export"] = {
            "get": {
                "tags": tag,
                "summary": f"Export {entity.title} (csv or xlsx)",
                "parameters": [{"name": "format", "in": "query", "schema": {"enum": ["csv", "xlsx"]}}, *params[3:]],
                "responses": {"200": {"description": "file"}},
            }
        }
        paths[f"/e/{name}/import"] = {
            "post": {
                "tags": tag,
                "summary": f"Import {entity.title} from csv or xlsx",
                "requestBody": {
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "skip_invalid": {"type": "boolean"},
                                },
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "imported"}, "422": _error("row errors; nothing imported")},
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "anjian API",
            "version": f"catalog-{registry.version}",
            "description": "安监平台数据接口。Generated from the published catalog; changes on every publish.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
