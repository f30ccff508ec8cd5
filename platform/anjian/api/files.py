"""Attachments over the API: upload (with the field's declared limits) and download.

An upload goes only into an attachment field the caller may write (create or update permission on
the entity, and a field that is not read-only); a download is allowed only through a record the
caller can read (``FileStore.readable``) and is always an attachment, named per RFC 6266.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, send_file

from ..audit import Actor
from ..data.files import content_disposition
from ..errors import FieldError, PermissionDenied, RecordValidationError
from ..messages import message
from ..meta.spec import EntitySpec, FieldSpec
from ._blueprint import api, current_actor, platform

__all__ = ["download", "upload"]


def _may_upload(spec: EntitySpec, field: FieldSpec, actor: Actor) -> None:
    """PermissionDenied unless ``actor`` may write ``field`` of some record of ``spec``."""
    p = platform()
    if field.readonly or field.computed:
        text = message("files.field_readonly", field=field.title)
        raise RecordValidationError(spec.name, [FieldError("/field", text, "readonly")])
    top = spec
    while top.is_child:
        top = p.registry.entity(top.parent or "", child_ok=True)
    for action in ("create", "update"):
        try:
            p.access.check(actor, top, action)
            return
        except PermissionDenied:
            continue
    raise PermissionDenied(message("files.not_writable", field=field.title, entity=top.title))


@api.post("/files")
def upload() -> Any:
    """multipart: file, entity, field -> {"id", "name", "size", "content_type", "sha256"}."""
    p = platform()
    entity, field_name = request.form.get("entity", ""), request.form.get("field", "")
    spec = p.registry.entity(entity, child_ok=True)
    field = spec.by_name.get(field_name)
    if field is None or field.attachment is None:
        raise RecordValidationError(entity, [FieldError("/field", f"「{field_name}」不是附件字段", "attachment")])
    _may_upload(spec, field, current_actor())
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
    response = send_file(p.files.path(file_id), mimetype=row["content_type"])
    response.headers["Content-Disposition"] = content_disposition(row["name"])
    return response
