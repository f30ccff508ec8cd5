"""OpenAPI 3.1 document generated from the live catalog (JSON Schema 2020-12 is native there)."""

from __future__ import annotations

from typing import Any

from ..catalog.registry import Registry, validation_schema
from ..data.query import filterable_fields
from .report_openapi import REPORT_SCHEMAS, report_paths

__all__ = ["ERROR_SCHEMA", "nullable", "openapi_document"]

ERROR = {"$ref": "#/components/schemas/Error"}
STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def _object(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def _body(schema: dict[str, Any], media: str = "application/json") -> dict[str, Any]:
    return {"required": True, "content": {media: {"schema": schema}}}


def _ok(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, **({"content": {"application/json": {"schema": schema}}} if schema else {})}


def _operation(tags: list[str], summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An operation whose every error answer, listed or not, is documented as the Error contract."""
    responses = dict(responses)
    if extra.get("security") != []:
        responses.setdefault("401", _error("no valid token or API key"))
    if "requestBody" in extra:
        responses.setdefault("400", _error("JSON nested deeper than this endpoint allows"))
        responses.setdefault("413", _error("body larger than this endpoint allows"))
    responses.setdefault("default", _error("any other error, in the same contract"))
    return {"tags": tags, "summary": summary, **extra, "responses": responses}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or ``null``: a stored value of an optional (or since-added) field reads back as null."""
    if schema.get("type") == "null":
        return schema
    return {"anyOf": [_stored_value(schema), {"type": "null"}]}


def _stored_value(schema: dict[str, Any]) -> dict[str, Any]:
    """A field's schema as read back: nested records (child tables) have nullable fields too."""
    if schema.get("type") == "object" and "properties" in schema:
        return _stored(schema, system=False)
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        return {**schema, "items": _stored_value(schema["items"])}
    return schema


SYSTEM = {
    "id": INTEGER,
    "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time"},
    "created_by": STRING,
    "updated_by": STRING,
    "row_version": INTEGER,
    "overrides": {"type": "object"},
}


def _stored(schema: dict[str, Any], system: bool = True) -> dict[str, Any]:
    """The schema of records as the API returns them: system fields, every other field nullable.

    Reads return every column, and the column of an optional field holds null when no value was
    given, so the input schema (which has no null) would reject real responses.
    """
    declared = schema.get("properties", {})
    properties: dict[str, Any] = {"id": INTEGER} if system or "id" in declared else {}
    for name, value in {**(SYSTEM if system else {}), **declared}.items():
        properties.setdefault(name, nullable(value))
    stored = {k: v for k, v in schema.items() if k not in ("properties", "required")}
    return {**stored, "type": "object", "properties": properties, "required": ["id"] if "id" in properties else []}


TOKENS = _object({"access_token": STRING, "refresh_token": STRING, "token_type": {"const": "Bearer"}, "expires_in": INTEGER})
OPTIONAL_STRING = {"type": ["string", "null"]}
ERROR_SCHEMA = _object(
    {
        "error": _object(
            {
                "code": {**STRING, "description": "machine-readable: record.invalid, workflow.refused, http.404, ..."},
                "message": {**STRING, "description": "one sentence for people (zh_CN, or en by Accept-Language)"},
                "errors": {
                    "type": "array",
                    "description": "every problem, located by JSON pointer into the request (empty pointer: the request)",
                    "items": _object(
                        {
                            "pointer": STRING,
                            "message": STRING,
                            "code": STRING,
                            "overridable": BOOLEAN,
                            "file": {**STRING, "description": "metadata errors: the declaration file"},
                            "hint": OPTIONAL_STRING,
                            "text": STRING,
                        },
                        ("pointer", "message", "code"),
                    ),
                },
                "file": {**STRING, "description": "metadata errors: the (first) declaration file"},
                "subject": {**OPTIONAL_STRING, "description": "permission errors: who asked"},
                "action": {**OPTIONAL_STRING, "description": "permission and workflow errors: what they asked to do"},
                "object": {**OPTIONAL_STRING, "description": "permission errors: on what (entity, entity/id, or *)"},
                "record_id": {"type": ["integer", "null"]},
                "state": OPTIONAL_STRING,
                "plan": {"type": "object"},
                "plan_text": STRING,
            },
            ("code", "message", "errors"),
        )
    },
    ("error",),
)


def _fixed_paths() -> dict[str, Any]:
    """Routes that do not depend on the catalog: sign-in, publishing, inbox, deadlines, notices."""
    auth, work = ["auth"], ["workflow"]
    return {
        "/auth/token": {
            "post": _operation(
                auth,
                "Exchange username and password (and a TOTP code when required) for tokens",
                {
                    "200": _ok("tokens", TOKENS),
                    "401": _error("bad credentials or a second factor is due"),
                    "429": _error("locked"),
                },
                security=[],
                requestBody=_body(_object({"username": STRING, "password": STRING, "otp": STRING}, ("username", "password"))),
            )
        },
        "/auth/refresh": {
            "post": _operation(
                auth,
                "Rotate a refresh token for new tokens",
                {"200": _ok("tokens", TOKENS), "401": _error("unknown, expired or reused token")},
                security=[],
                requestBody=_body(_object({"refresh_token": STRING}, ("refresh_token",))),
            )
        },
        "/auth/logout": {
            "post": _operation(
                auth,
                "Revoke a refresh token",
                {"200": _ok("revoked"), "401": _error("unknown token")},
                requestBody=_body(_object({"refresh_token": STRING}, ("refresh_token",))),
            )
        },
        "/auth/password": {
            "post": _operation(
                auth,
                "Change one's password (revokes every token issued before)",
                {"200": _ok("changed"), "422": _error("the password policy is not met")},
                requestBody=_body(
                    _object(
                        {"current_password": STRING, "password": STRING, "username": STRING, "otp": STRING},
                        ("current_password", "password"),
                    )
                ),
            )
        },
        "/meta/publish": {
            "post": _operation(
                ["meta"],
                "Publish declarations (administrators)",
                {
                    "200": _ok("published"),
                    "409": _error("would lose data"),
                    "422": _error("invalid metadata"),
                    "403": _error("not an administrator"),
                },
                requestBody=_body(
                    _object(
                        {
                            "documents": {"type": "array", "items": {"type": "object"}},
                            "confirm_destructive": BOOLEAN,
                            "dry_run": BOOLEAN,
                            "comment": STRING,
                        },
                        ("documents",),
                    )
                ),
            )
        },
        "/meta/version": {"get": _operation(["meta"], "The published catalog version", {"200": _ok("version")})},
        "/meta/entities": {"get": _operation(["meta"], "The published entities and their fields", {"200": _ok("entities")})},
        "/meta/dictionaries/{name}": {
            "get": _operation(
                ["meta"],
                "The items of a code table (region, industry, ...)",
                {"200": _ok("items"), "404": _error("no such dictionary")},
                parameters=[{"name": "name", "in": "path", "required": True, "schema": STRING}],
            )
        },
        "/files": {
            "post": _operation(
                ["files"],
                "Upload an attachment for an entity's attachment field; returns its id",
                {"201": _ok("the stored file"), "422": _error("not an attachment field, wrong type or too large")},
                requestBody=_body(
                    _object({"entity": STRING, "field": STRING, "file": {"type": "string", "format": "binary"}}),
                    "multipart/form-data",
                ),
            )
        },
        "/files/{id}": {
            "get": _operation(
                ["files"],
                "Download an attachment (if its entity may be read)",
                {"200": _ok("the file"), "403": _error("may not read"), "404": _error("not found")},
                parameters=[{"name": "id", "in": "path", "required": True, "schema": STRING}],
            )
        },
        "/inbox": {
            "get": _operation(
                work,
                "待办 (todo), 已办 (done) or 我发起的 (started), with counts",
                {"200": _ok("items and counts"), "422": _error("unknown box")},
                parameters=[
                    {"name": "box", "in": "query", "schema": {"enum": ["todo", "done", "started"]}},
                    {"name": "entity", "in": "query", "schema": STRING},
                    {"name": "overdue", "in": "query", "schema": {"enum": ["1"]}},
                ],
            )
        },
        "/deadlines/{id}/extensions": {
            "post": _operation(
                work,
                "Ask for more time on a deadline (an approver decides)",
                {"201": _ok("pending"), "409": _error("closed, or a request is pending"), "422": _error("invalid")},
                parameters=[{"name": "id", "in": "path", "required": True, "schema": INTEGER}],
                requestBody=_body(
                    _object(
                        {"amount": INTEGER, "unit": {"enum": ["hours", "days", "workdays"]}, "reason": STRING},
                        ("amount", "unit", "reason"),
                    )
                ),
            )
        },
        "/extensions/{id}/decision": {
            "post": _operation(
                work,
                "Approve or reject an extension (the entity's approve action; not the requester)",
                {
                    "200": _ok("decided"),
                    "403": _error("may not approve"),
                    "409": _error("already decided"),
                    "422": _error("invalid"),
                },
                parameters=[{"name": "id", "in": "path", "required": True, "schema": INTEGER}],
                requestBody=_body(_object({"approve": BOOLEAN, "note": STRING}, ("approve",))),
            )
        },
        "/notices": {"get": _operation(work, "The message centre: unread count and notices", {"200": _ok("notices")})},
        "/notices/read": {
            "post": _operation(
                work,
                "Mark notices read (all when no ids are given)",
                {"200": _ok("marked"), "422": _error("ids must be integers")},
                requestBody=_body(_object({"ids": {"type": "array", "items": INTEGER}})),
            )
        },
    }


def _workflow_paths(name: str, tag: list[str], id_param: list[dict[str, Any]]) -> dict[str, Any]:
    """The process routes of an entity that runs through one."""
    step = _object(
        {
            "data": {"type": "object", "description": "the step's fields"},
            "comment": STRING,
            "attachments": {"type": "array", "items": STRING},
            "expected_state": STRING,
        }
    )
    refused = {"403": _error("not allowed"), "404": _error("not found"), "409": _error("wrong state or condition")}
    return {
        f"/e/{name}/{{id}}/transitions": {
            "parameters": id_param,
            "get": _operation(
                tag, "State, allowed steps, deadlines and history", {"200": _ok("status"), "404": _error("not found")}
            ),
        },
        f"/e/{name}/{{id}}/transitions/{{transition}}": {
            "parameters": [*id_param, {"name": "transition", "in": "path", "required": True, "schema": STRING}],
            "post": _operation(
                tag, "Take a step", {"200": _ok("the new state"), **refused, "422": _error("invalid")}, requestBody=_body(step)
            ),
        },
        f"/e/{name}/{{id}}/amendments": {
            "parameters": id_param,
            "post": _operation(
                tag,
                "Correct a locked record by an amendment",
                {"201": _ok("the amendment"), **refused},
                requestBody=_body(_object({})),
            ),
        },
        f"/e/{name}/{{id}}/urge": {
            "parameters": id_param,
            "post": _operation(
                tag,
                "催办: remind who may act",
                {"200": _ok("notified"), **refused, "422": _error("message is not text")},
                requestBody=_body(_object({"message": STRING})),
            ),
        },
    }


def _exchange_paths() -> dict[str, Any]:
    """Data exchange: a lower deployment's batches and the resource directory (docs/exchange.md)."""
    tag = ["exchange"]
    record = _object(
        {"exchange_id": STRING, "record_id": INTEGER, "version": INTEGER, "data": {"type": "object"}},
        ("exchange_id", "record_id", "version", "data"),
    )
    batch = _object(
        {
            "batch_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            "exchange": STRING,
            "source_region": {"type": "string", "pattern": "^[0-9]{2,12}$"},
            "entity": STRING,
            "records": {"type": "array", "items": record, "minItems": 1, "maxItems": 1000},
        },
        ("batch_id", "exchange", "source_region", "entity", "records"),
    )
    ids = {"type": "array", "items": STRING}
    answer = _object({"batch_id": STRING, "accepted": ids, "duplicates": ids}, ("batch_id", "accepted", "duplicates"))
    directory = _object({"catalog_version": INTEGER, "resources": {"type": "array", "items": {"type": "object"}}})
    return {
        "/exchange/batches": {
            "post": _operation(
                tag,
                "Take a batch of records from a lower deployment (API key of an account in the sender's region)",
                {
                    "200": _ok("which exchange ids were stored now and which were held already", answer),
                    "403": _error("the key's account is not in the batch's region"),
                    "409": _error("the batch was taken before (replayed)"),
                    "422": _error("malformed batch, unknown entity or invalid records"),
                },
                requestBody=_body(batch),
            )
        },
        "/catalog": {"get": _operation(tag, "The resource directory (信息资源目录)", {"200": _ok("directory", directory)})},
    }


def openapi_document(registry: Registry) -> dict[str, Any]:
    paths = _fixed_paths()
    paths.update(_exchange_paths())
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
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
            {"name": "sort", "in": "query", "schema": STRING, "description": "field or -field"},
            {
                "name": "fields",
                "in": "query",
                "schema": STRING,
                "description": "comma-separated fields each item carries besides id; default: the list columns "
                f"({', '.join(entity.effective_list_columns)}); * for every field",
            },
        ]
        if entity.search_fields:
            params.append(
                {"name": "q", "in": "query", "schema": STRING, "description": "search in " + ", ".join(entity.search_fields)}
            )
        for fname, field in filterable_fields(entity).items():
            params.append({"name": fname, "in": "query", "schema": STRING, "description": field.title})
        tag = [entity.title]
        page = _object({"items": {"type": "array", "items": stored}, "total": INTEGER, "page": INTEGER, "page_size": INTEGER})
        written = {"422": _error("invalid"), "404": _error("not found"), "409": _error("conflict")}
        paths[f"/e/{name}"] = {
            "get": _operation(
                tag, f"List {entity.title}", {"200": _ok("a page", page), "422": _error("bad query")}, parameters=params
            ),
            "post": _operation(
                tag,
                f"Create {entity.title}",
                {"201": _ok("created", stored), "422": _error("invalid record"), "409": _error("conflict")},
                requestBody=_body(ref),
            ),
        }
        id_param = [{"name": "id", "in": "path", "required": True, "schema": INTEGER}]
        paths[f"/e/{name}/{{id}}"] = {
            "parameters": id_param,
            "get": _operation(tag, f"Get {entity.title}", {"200": _ok("the record", stored), "404": _error("not found")}),
            "put": _operation(tag, f"Replace {entity.title}", {"200": _ok("updated"), **written}, requestBody=_body(ref)),
            "patch": _operation(
                tag, f"Update fields of {entity.title}", {"200": _ok("updated"), **written}, requestBody=_body({"type": "object"})
            ),
            "delete": _operation(
                tag,
                f"Delete {entity.title}",
                {"204": _ok("deleted"), "404": _error("not found"), "409": _error("still referenced")},
            ),
        }
        paths[f"/e/{name}/export"] = {
            "get": _operation(
                tag,
                f"Export {entity.title} (csv or xlsx)",
                {"200": _ok("file")},
                parameters=[{"name": "format", "in": "query", "schema": {"enum": ["csv", "xlsx"]}}, *params[4:]],
            )
        }
        upload = _object({"file": {"type": "string", "format": "binary"}, "skip_invalid": BOOLEAN})
        paths[f"/e/{name}/import"] = {
            "post": _operation(
                tag,
                f"Import {entity.title} from csv or xlsx",
                {"200": _ok("imported"), "422": _error("row errors; nothing imported")},
                requestBody=_body(upload, "multipart/form-data"),
            )
        }
        if registry.catalog.process_of(name) is not None:
            paths.update(_workflow_paths(name, tag, id_param))
    paths.update(report_paths(registry))
    schemas.update(REPORT_SCHEMAS)
    from ._studio_paths import studio_paths  # imports this module's helpers

    paths.update(studio_paths())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "anjian API",
            "version": f"catalog-{registry.version}",
            "description": "安监平台数据接口。Generated from the published catalog; changes on every publish.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"apiKey": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
    }
