"""Attachments over the API: upload (with the field's declared limits) and download."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, send_file

from ..errors import FieldError, RecordValidationError
from ._blueprint import api, current_actor, platform

__all__ = ["download", "upload"]


@api.post("/files")
def upload() -> Any:
    """multipart: file, entity, field -> {"id", "name", "size", "content_type", "sha256"}."""
    p = platform()
    entity, field_name = request.form.get("entity", ""), request.form.get("field", "")
    spec = p.registry.entity(entity, child_ok=True)
    field = spec.by_name.get(field_name)
    if field is None or field.attachment is None:
        raise RecordValidationError(entity, [FieldError("/field", f"「{field_name}」不是附件字段", "attachment")])
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise RecordValidationError(entity, [FieldError("/file", "请选择文件", "file")])
    try:
        stored = p.files.save(spec, field, upload.filename, upload.mimetype, upload.stream, current_actor())
    finally:
        upload.close()
    response = jsonify(stored)
    response.status_code = 201
    return response


@api.get("/files/<file_id>")
def download(file_id: str) -> Any:
    p = platform()
    row = p.files.readable(file_id, current_actor(), p.registry, p.access)
    return send_file(p.files.path(file_id), mimetype=row["content_type"], as_attachment=True, download_name=row["name"])
