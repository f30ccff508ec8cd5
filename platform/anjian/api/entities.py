"""Entity routes: /api/v1/e/<entity>[/<id>], plus export and import."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, jsonify, request

from ..data.query import ALL_FIELDS, ListQuery
from ..data.transfer import export_records, import_records, read_rows
from ..errors import FieldError, RecordValidationError
from ..messages import message
from ._blueprint import api, created_record, current_actor, platform

__all__ = ["create", "export", "get", "import_", "list_", "list_fields", "remove", "replace"]


def _scope(spec: Any) -> Any:
    p = platform()
    return p.access.scope(current_actor(), spec, p.registry.table(spec.name))


def _body() -> Any:
    body = request.get_json(silent=True)
    if body is None:
        raise RecordValidationError("request", [FieldError("", message("api.body_not_json"), "json")])
    return body


@api.get("/e/<entity>")
def list_(entity: str) -> Any:
    p = platform()
    spec = p.registry.entity(entity)
    p.access.check(current_actor(), spec, "read")
    query = ListQuery.parse(spec, request.args.to_dict())
    reader = p.reader
    with p.engine.connect() as conn:
        return jsonify(reader.page(conn, spec, query, _scope(spec), list_fields(spec, query)))


def list_fields(spec: Any, query: ListQuery) -> tuple[str, ...] | None:
    """The fields of list items: the list columns unless ``fields`` asks for others (``*``: all)."""
    if query.fields == ALL_FIELDS:
        return None
    return query.fields or spec.effective_list_columns


@api.post("/e/<entity>")
def create(entity: str) -> Any:
    return created_record(entity, platform().records.create(entity, _body(), current_actor()))


@api.get("/e/<entity>/<int:record_id>")
def get(entity: str, record_id: int) -> Any:
    p = platform()
    spec = p.registry.entity(entity)
    p.access.check(current_actor(), spec, "read")
    reader = p.reader
    with p.engine.connect() as conn:
        return jsonify(reader.fetch(conn, spec, record_id, _scope(spec)))


@api.route("/e/<entity>/<int:record_id>", methods=["PUT", "PATCH"])
def replace(entity: str, record_id: int) -> Any:
    partial = request.method == "PATCH"
    return jsonify(platform().records.update(entity, record_id, _body(), current_actor(), partial=partial))


@api.delete("/e/<entity>/<int:record_id>")
def remove(entity: str, record_id: int) -> Any:
    platform().records.delete(entity, record_id, current_actor())
    return Response(status=204)


@api.get("/e/<entity>/export")
def export(entity: str) -> Any:
    p = platform()
    spec = p.registry.entity(entity)
    args = request.args.to_dict()
    fmt = args.pop("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise RecordValidationError(entity, [FieldError("/query/format", "格式应为 csv 或 xlsx", "query")])
    query = ListQuery.parse(spec, args)
    buffer = io.BytesIO()
    export_records(p.records, entity, query, fmt, buffer, current_actor())
    mimetype = "text/csv; charset=utf-8" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        buffer.getvalue(), mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{entity}.{fmt}"'}
    )


@api.post("/e/<entity>/import")
def import_(entity: str) -> Any:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise RecordValidationError(entity, [FieldError("/file", "请上传 .csv 或 .xlsx 文件（表单字段 file）", "file")])
    skip = request.args.get("skip_invalid", request.form.get("skip_invalid", "")).lower() in ("1", "true", "yes")
    rows = read_rows(upload.filename, upload.stream)
    report = import_records(platform().records, entity, rows, current_actor(), source=upload.filename, skip_invalid=skip)
    response = jsonify(report.as_dict())
    response.status_code = 200 if report.committed else 422
    return response
