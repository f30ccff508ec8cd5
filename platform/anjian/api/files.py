"""Attachments: upload (with the field's declared size and type limits) and download."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from pathlib import Path
from typing import Any

from flask import jsonify, request, send_file
from sqlalchemy import insert, select

from .. import audit
from ..data.db import write
from ..data.system import stored_file
from ..errors import FieldError, NotFound, RecordValidationError
from ._blueprint import api, current_actor, platform

__all__ = ["download", "upload"]


def _accepts(accept: tuple[str, ...], filename: str, content_type: str) -> bool:
    if not accept:
        return True
    suffix = Path(filename).suffix.lower()
    for rule in accept:
        rule = rule.lower()
        if rule.startswith(".") and suffix == rule:
            return True
        if rule.endswith("/*") and content_type.startswith(rule[:-1]):
            return True
        if rule == content_type:
            return True
    return False


@api.post("/files")
def upload() -> Any:
    """multipart: file, entity, field -> {"id", "name", "size", "content_type"}."""
    p = platform()
    entity, field_name = request.form.get("entity", ""), request.form.get("field", "")
    spec = p.registry.entity(entity, child_ok=True)
    field = next((f for f in spec.fields if f.name == field_name and f.attachment is not None), None)
    if field is None or field.attachment is None:
        raise RecordValidationError(entity, [FieldError("/field", f"「{field_name}」不是附件字段", "attachment")])
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise RecordValidationError(entity, [FieldError("/file", "请选择文件", "file")])
    content_type = upload.mimetype or "application/octet-stream"
    if not _accepts(field.attachment.accept, upload.filename, content_type):
        raise RecordValidationError(entity, [FieldError(f"/{field_name}", f"不支持的文件类型；允许：{'、'.join(field.attachment.accept)}", "file_type")])
    try:
        data = upload.read(field.attachment.max_size + 1)
    finally:
        upload.close()
    if len(data) > field.attachment.max_size:
        raise RecordValidationError(entity, [FieldError(f"/{field_name}", f"文件超过 {field.attachment.max_size // 1024} KB 的上限", "file_size")])
    file_id = uuid.uuid4().hex
    folder = p.settings.upload_dir / file_id[:2]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / file_id).write_bytes(data)
    row = {"id": file_id, "name": Path(upload.filename).name[:255], "content_type": content_type, "size": len(data),
           "sha256": hashlib.sha256(data).hexdigest(), "entity": spec.name, "field": field_name,
           "uploaded_at": dt.datetime.now(dt.UTC).replace(tzinfo=None), "uploaded_by": current_actor().username}
    with write(p.engine) as conn, conn.begin():
        conn.execute(insert(stored_file).values(row))
        audit.append(conn, current_actor(), "upload", spec.name, "", {"file": file_id, "name": row["name"], "size": len(data)})
    response = jsonify({k: row[k] for k in ("id", "name", "size", "content_type", "sha256")})
    response.status_code = 201
    return response


@api.get("/files/<file_id>")
def download(file_id: str) -> Any:
    p = platform()
    with p.engine.connect() as conn:
        row = conn.execute(select(stored_file).where(stored_file.c.id == file_id)).mappings().first()
    if row is None or not file_id.isalnum():
        raise NotFound(f"附件 {file_id} 不存在")
    p.access.check(current_actor(), p.registry.entity(row["entity"], child_ok=True), "read")
    return send_file(p.settings.upload_dir.resolve() / file_id[:2] / file_id, mimetype=row["content_type"],
                     as_attachment=True, download_name=row["name"])
