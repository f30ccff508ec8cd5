"""The public machine API in the platform's OpenAPI document (``/api/v1/openapi.json``).

Paths are relative to the document's server ``/api/v1``; every operation is anonymous
(``security: []``) and answers errors in the API's contract (``#/components/schemas/Error``).
"""

from __future__ import annotations

from typing import Any

from .api import API_VOTER_MAX

__all__ = ["public_paths"]

ERROR = {"$ref": "#/components/schemas/Error"}
TAG = ["公共服务平台"]


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _post(summary: str, body: dict[str, Any], created: dict[str, Any], parameters: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "tags": TAG,
        "summary": summary,
        "security": [],
        "parameters": parameters,
        "requestBody": {"required": True, "content": _json(body)},
        "responses": {
            "201": {"description": "received", "content": _json(created)},
            "404": _error("no such form, survey or published record"),
            "422": _error("invalid filing (field errors with JSON pointers), or closed"),
            "429": _error("this address filed too often in the last hour"),
            "default": _error("any other error, in the same contract"),
        },
    }


def _path(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


def public_paths() -> dict[str, Any]:
    form = _path("form_name", {"type": "string"}, "intake form of public.portal.json (complaints → complaint)")
    record = _path("record_id", {"type": "integer", "minimum": 0}, "id of the published record")
    code = {"type": ["string", "null"]}
    return {
        "/public/{form_name}": {
            "post": _post(
                "File a public intake form (在线举报, 领导信箱, 依申请公开…); the answer carries the tracking code",
                {"type": "object", "description": "the form's declared fields"},
                {"type": "object", "properties": {"tracking_code": code, "track_url": {"type": "string"}}},
                [form],
            )
        },
        "/public/track/{code}": {
            "get": {
                "tags": TAG,
                "summary": "Progress of a filing by its tracking code: state, timeline, deadlines; no personal data",
                "security": [],
                "parameters": [_path("code", {"type": "string", "minLength": 1, "maxLength": 64}, "tracking code")],
                "responses": {
                    "200": {"description": "progress", "content": _json({"type": "object"})},
                    "404": _error("unknown code"),
                    "429": _error("too many lookups from this address"),
                    "default": _error("any other error, in the same contract"),
                },
            }
        },
        "/public/comment/{form_name}/{record_id}": {
            "post": _post(
                "Comment on an open 意见征集 (refused after its closing time)",
                {"type": "object", "description": "the comment form's fields except the consultation"},
                {"type": "object", "properties": {"received": {"type": "boolean"}, "received_at": code}},
                [form, record],
            )
        },
        "/public/survey/{name}/{record_id}": {
            "post": _post(
                "Answer an open 网上调查, once per voter",
                {
                    "type": "object",
                    "required": ["voter", "answers"],
                    "additionalProperties": False,
                    "properties": {
                        "voter": {
                            "type": "string",
                            "minLength": 8,
                            "maxLength": API_VOTER_MAX,
                            "description": "the calling site's own id of its visitor (one answer each)",
                        },
                        "answers": {
                            "type": "object",
                            "description": 'question index → chosen option indexes, e.g. {"0": [1]}',
                            "additionalProperties": {"type": "array", "items": {"type": "integer", "minimum": 0}},
                        },
                    },
                },
                {"type": "object", "properties": {"received": {"type": "boolean"}}},
                [_path("name", {"type": "string"}, "survey of public.portal.json"), record],
            )
        },
    }
