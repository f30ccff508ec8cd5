"""The studio's operations in the OpenAPI document (``/studio/…``)."""

from __future__ import annotations

from typing import Any

from .openapi import BOOLEAN, INTEGER, STRING, _body, _error, _object, _ok, _operation

__all__ = ["studio_paths"]

TAG = ["studio"]
OBJECT: dict[str, Any] = {"type": "object"}
FILES = {"type": "object", "additionalProperties": OBJECT, "description": '{"<file>.json": <document>} of metadata/<module>/'}
DRAFT = _object(
    {
        "id": INTEGER,
        "module": STRING,
        "title": STRING,
        "base_version": INTEGER,
        "version": INTEGER,
        "updated_by": STRING,
        "updated_at": STRING,
        "files": FILES,
        "layout": OBJECT,
    }
)
ZIP = {
    "description": "a zip of metadata/<module>/…",
    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
}
CONDITION = _object({"ok": BOOLEAN, "message": STRING, "offset": INTEGER, "reads": {"type": "array", "items": STRING}})
POSITIONS = {
    "type": ["object", "null"],
    "additionalProperties": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
    "description": '{"<state>": [x, y]}; null puts the process back to the automatic layout',
}
DRAFT_ID = [{"name": "draft_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}]
MODULE = [{"name": "module", "in": "path", "required": True, "schema": STRING}]
DENIED = {"403": _error("not a configurator"), "404": _error("no such draft")}
STALE = {"409": _error("the draft changed since the given version, or deletion not confirmed")}
INVALID = {"422": _error("invalid request or declarations, with file and JSON pointer")}


def studio_paths() -> dict[str, Any]:
    """Drafts (CRUD with a version), review, publish, versions, files, roles and grants."""
    draft = {"200": _ok("the draft; ETag is its version", DRAFT)}
    return {
        "/studio/modules": {
            "get": _operation(TAG, "Published modules and their drafts", {"200": _ok("modules", OBJECT), **DENIED})
        },
        "/studio/modules/{module}/versions": {
            "get": _operation(
                TAG,
                "Published versions in which the module changed",
                {"200": _ok("versions", OBJECT), **DENIED},
                parameters=MODULE,
            )
        },
        "/studio/modules/{module}/export": {
            "get": _operation(
                TAG,
                "Export the published module (or ?version=N) as a zip",
                {"200": ZIP, **DENIED},
                parameters=[*MODULE, {"name": "version", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
            )
        },
        "/studio/modules/{module}/withdraw": {
            "post": _operation(
                TAG,
                "Withdraw a published module (type its name in confirm); its tables and data stay",
                {"200": _ok("withdrawn", OBJECT), **DENIED, **STALE, **INVALID},
                parameters=MODULE,
                requestBody=_body(_object({"confirm": STRING}, ("confirm",))),
            )
        },
        "/studio/drafts": {
            "get": _operation(
                TAG,
                "List drafts",
                {"200": _ok("drafts", OBJECT), **DENIED},
                parameters=[{"name": "module", "in": "query", "schema": STRING}],
            ),
            "post": _operation(
                TAG,
                "Start a draft of a module: of what is published, of an older version (restore), or empty",
                {"201": _ok("the new draft", DRAFT), **DENIED, **INVALID},
                requestBody=_body(_object({"module": STRING, "from_version": INTEGER, "title": STRING}, ("module",))),
            ),
        },
        "/studio/drafts/{draft_id}": {
            "get": _operation(TAG, "Read a draft", {**draft, **DENIED}, parameters=DRAFT_ID),
            "put": _operation(
                TAG,
                "Save a draft over the version you edited (version or If-Match)",
                {**draft, **DENIED, **STALE, **INVALID},
                parameters=DRAFT_ID,
                requestBody=_body(_object({"version": INTEGER, "files": FILES, "layout": OBJECT, "title": STRING})),
            ),
            "delete": _operation(TAG, "Delete a draft", {"204": {"description": "deleted"}, **DENIED}, parameters=DRAFT_ID),
        },
        "/studio/drafts/{draft_id}/diff": {
            "get": _operation(
                TAG,
                "The draft's changes against the published module",
                {"200": _ok("diff", OBJECT), **DENIED},
                parameters=DRAFT_ID,
            )
        },
        "/studio/drafts/{draft_id}/check": {
            "post": _operation(
                TAG,
                "Check the draft as `anjian check` does; problems by file and JSON pointer",
                {"200": _ok("problems", _object({"ok": BOOLEAN, "problems": {"type": "array", "items": OBJECT}})), **DENIED},
                parameters=DRAFT_ID,
            )
        },
        "/studio/drafts/{draft_id}/references": {
            "get": _operation(
                TAG, "Where each field and state is used", {"200": _ok("index", OBJECT), **DENIED, **INVALID}, parameters=DRAFT_ID
            )
        },
        "/studio/drafts/{draft_id}/plan": {
            "post": _operation(
                TAG,
                "The publish plan with affected record counts",
                {"200": _ok("plan", OBJECT), **DENIED, **INVALID},
                parameters=DRAFT_ID,
            )
        },
        "/studio/drafts/{draft_id}/dry-run": {
            "post": _operation(
                TAG,
                "How many stored records would fail the draft's rules",
                {"200": _ok("dry run", OBJECT), **DENIED, **INVALID},
                parameters=DRAFT_ID,
            )
        },
        "/studio/drafts/{draft_id}/publish": {
            "post": _operation(
                TAG,
                "Publish the draft (type the module name in confirm to delete fields holding data)",
                {"200": _ok("published", OBJECT), **DENIED, **STALE, **INVALID},
                parameters=DRAFT_ID,
                requestBody=_body(_object({"version": INTEGER, "confirm": STRING, "comment": STRING}, ("version",))),
            )
        },
        "/studio/drafts/{draft_id}/export": {
            "get": _operation(TAG, "Export the draft as a zip", {"200": ZIP, **DENIED}, parameters=DRAFT_ID)
        },
        "/studio/drafts/{draft_id}/import": {
            "post": _operation(
                TAG,
                "Replace the draft's files with a zip or a folder's files",
                {**draft, **DENIED, **STALE, **INVALID},
                parameters=DRAFT_ID,
                requestBody=_body(
                    _object(
                        {
                            "version": INTEGER,
                            "file": {"type": "string", "format": "binary"},
                            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        }
                    ),
                    "multipart/form-data",
                ),
            )
        },
        "/studio/drafts/{draft_id}/roles": {
            "get": _operation(
                TAG, "The module's roles and permission matrix", {"200": _ok("roles", OBJECT), **DENIED}, parameters=DRAFT_ID
            )
        },
        "/studio/grants": {
            "post": _operation(
                TAG,
                "Grant a published role to a user over a region",
                {"201": _ok("grant", _object({"id": INTEGER})), **DENIED, **INVALID},
                requestBody=_body(
                    _object({"username": STRING, "role": STRING, "region": STRING}, ("username", "role", "region"))
                ),
            )
        },
        "/studio/drafts/{draft_id}/check-condition": {
            "post": _operation(
                TAG,
                "Check a transition's condition over the draft's fields of an entity, as typed (nothing saved)",
                {"200": _ok("verdict", CONDITION), **DENIED, **INVALID},
                parameters=DRAFT_ID,
                requestBody=_body(_object({"entity": STRING, "condition": STRING}, ("entity", "condition"))),
            )
        },
        "/studio/drafts/{draft_id}/positions": {
            "post": _operation(
                TAG,
                "Keep diagram positions of a process's states in the draft's layout (null: automatic layout)",
                {**draft, **DENIED, **STALE, **INVALID},
                parameters=DRAFT_ID,
                requestBody=_body(_object({"version": INTEGER, "process": STRING, "positions": POSITIONS}, ("process",))),
            )
        },
    }
