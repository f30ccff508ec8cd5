"""Workflow routes: a record's transitions, history, amendments and urging; the inbox; deadlines; notices."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from ..errors import FieldError, RecordValidationError
from ..messages import message
from ..workflow.inbox import BOXES
from ._blueprint import api, created_record, current_actor, platform
from ._limits import MAX_ID

__all__ = ["amend", "decide", "extend", "inbox", "notices", "status", "take", "urge"]


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None:
        if request.get_data():  # a body that is not JSON is an error, never an empty step
            raise RecordValidationError("request", [FieldError("", message("api.body_not_json"), "json")])
        return {}
    if not isinstance(body, dict):
        raise RecordValidationError("request", [FieldError("", message("api.body_not_object"), "json")])
    return body


def _text(body: dict[str, Any], key: str) -> str:
    """An optional text member of the body: a string or absent (422 otherwise, never its repr)."""
    value = body.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordValidationError("request", [FieldError(f"/{key}", "应为文本", "type")])
    return value


def _is_id(value: Any) -> bool:
    """An integer a 64-bit id column can hold (bool is not one)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID


@api.get("/e/<entity>/<int:record_id>/transitions")
def status(entity: str, record_id: int) -> Any:
    """The record's state, the transitions the caller may take (and why not), deadlines and history."""
    return jsonify(platform().workflow.status(current_actor(), entity, record_id))


@api.post("/e/<entity>/<int:record_id>/transitions/<name>")
def take(entity: str, record_id: int, name: str) -> Any:
    result = platform().workflow.take(current_actor(), entity, record_id, name, _body())
    return jsonify(result)


@api.post("/e/<entity>/<int:record_id>/amendments")
def amend(entity: str, record_id: int) -> Any:
    return created_record(entity, platform().workflow.amend(current_actor(), entity, record_id, _body()))


@api.post("/e/<entity>/<int:record_id>/urge")
def urge(entity: str, record_id: int) -> Any:
    told = platform().workflow.urge(current_actor(), entity, record_id, _text(_body(), "message"))
    return jsonify({"notified": told})


@api.get("/inbox")
def inbox() -> Any:
    box = request.args.get("box", "todo")
    if box not in BOXES:
        raise RecordValidationError("inbox", [FieldError("/query/box", f"应为 {', '.join(BOXES)} 之一", "enum")])
    p = platform()
    actor = current_actor()
    items = p.inbox.items(actor, box, request.args.get("entity") or None, request.args.get("overdue") in ("1", "true"))
    return jsonify({"box": box, "items": items, "counts": p.inbox.counts(actor)})


@api.post("/deadlines/<int:deadline_id>/extensions")
def extend(deadline_id: int) -> Any:
    body = _body()
    ext_id = platform().timers.request_extension(
        current_actor(), deadline_id, body.get("amount"), _text(body, "unit"), _text(body, "reason")
    )
    response = jsonify({"id": ext_id, "decision": "pending"})
    response.status_code = 201
    return response


@api.post("/extensions/<int:extension_id>/decision")
def decide(extension_id: int) -> Any:
    body = _body()
    if not isinstance(body.get("approve"), bool):
        raise RecordValidationError("extension", [FieldError("/approve", "需要 true（批准）或 false（不批准）", "required")])
    result = platform().timers.decide_extension(current_actor(), extension_id, body["approve"], _text(body, "note"))
    return jsonify(result)


@api.get("/notices")
def notices() -> Any:
    p = platform()
    actor = current_actor()
    center = p.workflow.notices
    with p.engine.connect() as conn:
        items = center.listing(conn, actor.username)
        unread = center.unread(conn, actor.username)
    for item in items:
        for key in ("created_at", "read_at"):
            item[key] = p.codec.moment(item[key]) if item[key] else None
    return jsonify({"unread": unread, "items": items})


@api.post("/notices/read")
def read_notices() -> Any:
    ids = _body().get("ids")
    if ids is not None and (not isinstance(ids, list) or not all(_is_id(i) for i in ids)):
        raise RecordValidationError("notices", [FieldError("/ids", message("api.ids_integers"), "type")])
    platform().workflow.notices.mark_read(current_actor().username, ids)
    return jsonify({"ok": True})
