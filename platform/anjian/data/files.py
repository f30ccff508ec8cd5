"""Attachment storage: files on disk under ANJIAN_HOME/files, their metadata in anjian_file.

Both the API and the screens store uploads here, so the declared limits of an attachment field
(size, accepted types) are enforced in one place.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, insert, select

from .. import audit
from ..audit import Actor
from ..errors import FieldError, NotFound, RecordValidationError
from ..meta.spec import EntitySpec, FieldSpec
from ..store.clock import utc_now
from .db import write
from .system import stored_file

__all__ = ["FileStore"]


def _accepts(accept: tuple[str, ...], filename: str, content_type: str) -> bool:
    if not accept:
        return True
    suffix = Path(filename).suffix.lower()
    for rule in (r.lower() for r in accept):
        if (rule.startswith(".") and suffix == rule) or rule == content_type:
            return True
        if rule.endswith("/*") and content_type.startswith(rule[:-1]):
            return True
    return False


class FileStore:
    """Store, describe and open uploaded files."""

    def __init__(self, engine: Engine, folder: Path) -> None:
        self.engine = engine
        self.folder = folder

    def path(self, file_id: str) -> Path:
        if not file_id.isalnum():
            raise NotFound(f"附件 {file_id} 不存在")
        return self.folder.resolve() / file_id[:2] / file_id

    def save(
        self,
        entity: EntitySpec,
        field: FieldSpec,
        filename: str,
        content_type: str,
        stream: IO[bytes],
        actor: Actor,
        pointer: str | None = None,
    ) -> dict[str, Any]:
        """Check the field's limits, store the bytes and record them; return the file's description."""
        where = pointer or f"/{field.name}"
        limits = field.attachment
        if limits is None:
            raise RecordValidationError(entity.name, [FieldError(where, f"「{field.title}」不是附件字段", "attachment")])
        content_type = content_type or "application/octet-stream"
        if not _accepts(limits.accept, filename, content_type):
            raise RecordValidationError(
                entity.name, [FieldError(where, f"不支持的文件类型；允许：{'、'.join(limits.accept)}", "file_type")]
            )
        data = stream.read(limits.max_size + 1)
        if len(data) > limits.max_size:
            raise RecordValidationError(
                entity.name, [FieldError(where, f"文件超过 {limits.max_size // 1024} KB 的上限", "file_size")]
            )
        file_id = uuid.uuid4().hex
        target = self.path(file_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        row = {
            "id": file_id,
            "name": Path(filename).name[:255] or "file",
            "content_type": content_type,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "entity": entity.name,
            "field": field.name,
            "uploaded_at": utc_now(),
            "uploaded_by": actor.username,
        }
        with write(self.engine) as conn, conn.begin():
            conn.execute(insert(stored_file).values(row))
            audit.append(conn, actor, "upload", entity.name, "", {"file": file_id, "name": row["name"], "size": len(data)})
        return {k: row[k] for k in ("id", "name", "size", "content_type", "sha256")}

    def describe(self, file_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        ids = [i for i in file_ids if isinstance(i, str)]
        if not ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(select(stored_file).where(stored_file.c.id.in_(ids))).mappings()
            return {row["id"]: dict(row) for row in rows}

    def readable(self, file_id: str, actor: Actor, registry: Any, access: Any) -> dict[str, Any]:
        """A file's description, if the actor may read the entity it was uploaded for (else 403/404)."""
        row = self.get(file_id)
        access.check(actor, registry.entity(row["entity"], child_ok=True), "read")
        return row

    def get(self, file_id: str) -> dict[str, Any]:
        found = self.describe([file_id]).get(file_id)
        if found is None:
            raise NotFound(f"附件 {file_id} 不存在")
        return found
