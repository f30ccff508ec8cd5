"""Attachment storage: files on disk under ANJIAN_HOME/files, their metadata in anjian_file.

Both the API and the screens store uploads here, so the declared limits of an attachment field
(size, accepted types) are enforced in one place, and so is who may read a file:

- **Type from content.** The type is what the bytes are (``filetype``'s magic numbers), never the
  client's claim nor the name's extension. A field that lists accepted types refuses content that
  is none of them (HTML sent as ``image/png`` or named ``evil.pdf``); an unrestricted field
  stores unrecognised content, markup included, as ``application/octet-stream``. Files are
  always served as attachments with ``nosniff``, so nothing (SVG included) renders inline.
- **Read through a record.** A file is readable only through a record the user can read: the
  record (or the child row under it) whose field holds the file id, in the entity and field it
  was uploaded for, with the entity's read permission and the user's scope applied. Until it is
  attached, only its uploader may read it. Higher layers add holders of their own (workflow step
  attachments) with ``add_holder``.
- **Attached by whom may read it.** A record may take a file id into a field only if the file was
  uploaded for that entity and field (so through the upload's write check) and the writer uploaded
  it or can already read it through a record (``attachment_errors``); any other id reads as absent,
  so ids of other users' files cannot be planted or probed.
- **Safe names.** Control characters are removed from file names at upload; downloads name the
  file per RFC 6266 (``content_disposition``).
"""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import filetype  # type: ignore[import-untyped]
from sqlalchemy import Connection, Engine, Select, String, cast, insert, select

from .. import audit
from ..access import Access
from ..audit import Actor
from ..errors import FieldError, NotFound, PermissionDenied, RecordValidationError
from ..messages import message
from ..meta.spec import EntitySpec, FieldSpec
from ..store.clock import utc_now
from . import file_messages as _messages  # noqa: F401  (registers the keys used here)
from .db import write
from .system import stored_file

__all__ = ["Attachment", "FileStore", "Holder", "clean_name", "content_disposition", "sniff"]

UNKNOWN = "application/octet-stream"
TEXT_RULES = {".txt": "text/plain", ".csv": "text/csv", "text/plain": "text/plain", "text/csv": "text/csv"}
ALIASES = {".jpeg": ".jpg", ".tif": ".tif", ".tiff": ".tif"}

# (connection, entity, file id) -> a query of the ids of top-level records of ``entity`` holding it
Holder = Callable[[Connection, EntitySpec, str], Select[Any]]
# A file id put into a field: (entity, field, file id)
Attachment = tuple[str, str, str]


def sniff(data: bytes) -> tuple[str, str]:
    """(MIME type, extension with a dot) of the content; (application/octet-stream, "") if unknown."""
    kind = filetype.guess(data[:8192])
    if kind is None:
        return UNKNOWN, ""
    return str(kind.mime), "." + str(kind.extension)


def _plain_text(data: bytes) -> bool:
    """UTF-8 text that no browser would take for markup."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return "<" not in text and not any(unicodedata.category(c) == "Cc" and c not in "\t\r\n" for c in text[:8192])


def _content_type(accept: tuple[str, ...], data: bytes) -> str | None:
    """The type to store the content as, or None when the field does not accept it."""
    mime, extension = sniff(data)
    if not accept:
        return mime
    for rule in (r.lower() for r in accept):
        if mime != UNKNOWN:
            if rule.startswith(".") and ALIASES.get(rule, rule) == ALIASES.get(extension, extension):
                return mime
            if rule == mime or (rule.endswith("/*") and mime.startswith(rule[:-1])):
                return mime
        elif rule in TEXT_RULES and _plain_text(data):
            return TEXT_RULES[rule]
    return None


def clean_name(filename: str) -> str:
    """The file's own name without folders and control characters (at most 255 characters)."""
    name = Path((filename or "").replace("\\", "/")).name
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp")).strip()
    return name[:255] or "file"


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266, RFC 8187)."""
    name = clean_name(name)
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(c if c.isalnum() or c in " ._-()" else "_" for c in fallback).strip() or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


class FileStore:
    """Store, describe and open uploaded files."""

    def __init__(self, engine: Engine, folder: Path) -> None:
        self.engine = engine
        self.folder = folder
        self.holders: dict[str, Holder] = {}

    def add_holder(self, field: str, holder: Holder) -> None:
        """Say where files uploaded under a pseudo-field (not a declared one) are attached."""
        self.holders[field] = holder

    def path(self, file_id: str) -> Path:
        if not (file_id.isascii() and file_id.isalnum()):
            raise NotFound(message("files.not_found", file_id=file_id))
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
        """Check the field's limits, store the bytes and record them; return the file's description.

        ``content_type`` is the client's claim: it is not trusted (the content decides).
        """
        where = pointer or f"/{field.name}"
        limits = field.attachment
        if limits is None:
            raise RecordValidationError(entity.name, [FieldError(where, f"「{field.title}」不是附件字段", "attachment")])
        data = stream.read(limits.max_size + 1)
        if len(data) > limits.max_size:
            raise RecordValidationError(
                entity.name, [FieldError(where, f"文件超过 {limits.max_size // 1024} KB 的上限", "file_size")]
            )
        detected = _content_type(limits.accept, data)
        if detected is None:
            text = message("files.type_refused", accept="、".join(limits.accept))
            raise RecordValidationError(entity.name, [FieldError(where, text, "file_type")])
        file_id = uuid.uuid4().hex
        target = self.path(file_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        row = {
            "id": file_id,
            "name": clean_name(filename),
            "content_type": detected,
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

    def readable(self, file_id: str, actor: Actor, registry: Any, access: Access) -> dict[str, Any]:
        """A file's description, if a record the actor may read holds it (or they uploaded it and
        no record holds it yet); NotFound otherwise, so file ids cannot be probed."""
        row = self.get(file_id)
        with self.engine.connect() as conn:
            holding = self._holding(conn, registry, registry.entity(row["entity"], child_ok=True), row["field"], file_id)
            if holding is None or conn.execute(holding.limit(1)).first() is None:
                # no field to look in, or held by no record (an orphan): the uploader's own until then
                if row["uploaded_by"] == actor.username:
                    return row
                raise NotFound(message("files.not_found", file_id=file_id))
            access.check(actor, _top(registry, row["entity"]), "read")
            if not self._visible(conn, registry, access, actor, row["entity"], holding):
                raise NotFound(message("files.not_found", file_id=file_id))
        return row

    def refused_attachments(
        self, conn: Connection, registry: Any, access: Access, actor: Actor, wanted: Iterable[Attachment]
    ) -> dict[Attachment, str]:
        """Why ``actor`` may not attach each refused (entity, field, file id); see the module docstring.

        Ids a record already held in the same field are the caller's to leave out: whoever
        attached them could.
        """
        wanted = set(wanted)
        ids = sorted({file_id for _, _, file_id in wanted})
        rows: dict[str, Mapping[str, Any]] = {}
        for start in range(0, len(ids), 900):
            query = select(stored_file).where(stored_file.c.id.in_(ids[start : start + 900]))
            rows.update((str(row["id"]), dict(row)) for row in conn.execute(query).mappings())
        refused = {}
        for entity, field, file_id in sorted(wanted):
            row = rows.get(file_id)
            if row is None or not self._may_attach(conn, registry, access, actor, row):
                refused[entity, field, file_id] = message("files.absent", file_id=file_id)
            elif (row["entity"], row["field"]) != (entity, field):
                title = registry.entity(entity, child_ok=True).field(field).title
                refused[entity, field, file_id] = message("files.other_field", file_id=file_id, field=title)
        return refused

    def _may_attach(self, conn: Connection, registry: Any, access: Access, actor: Actor, row: Mapping[str, Any]) -> bool:
        """The actor uploaded the file, or reads it through a record that already holds it."""
        if row["uploaded_by"] == actor.username:
            return True
        spec = registry.entity(row["entity"], child_ok=True)
        holding = self._holding(conn, registry, spec, row["field"], row["id"])
        if holding is None:
            return False
        try:
            access.check(actor, _top(registry, row["entity"]), "read")
        except PermissionDenied:
            return False
        return self._visible(conn, registry, access, actor, row["entity"], holding)

    def _visible(self, conn: Connection, registry: Any, access: Access, actor: Actor, entity: str, holding: Select[Any]) -> bool:
        """Whether one of the top-level records in ``holding`` lies in the actor's read scope."""
        top = _top(registry, entity)
        table = registry.table(top.name)
        visible = select(table.c.id).where(table.c.id.in_(holding))
        scope = access.scope(actor, top, table)
        if scope is not None:
            visible = visible.where(scope)
        return conn.execute(visible.limit(1)).first() is not None

    def _holding(self, conn: Connection, registry: Any, spec: EntitySpec, field: str, file_id: str) -> Select[Any] | None:
        """A query of the top-level record ids whose ``field`` (in ``spec``) holds the file."""
        if field in self.holders:
            return self.holders[field](conn, spec, file_id)
        declared = spec.by_name.get(field)
        if declared is None or declared.attachment is None:
            return None
        table = registry.table(spec.name)
        column = table.c[field]
        holds = column == file_id if declared.type != "array" else cast(column, String).like(f'%"{file_id}"%')
        if not spec.is_child:
            return select(table.c.id).where(holds)
        query = select(table.c.parent_id).where(holds)
        parent = registry.entity(spec.parent or "", child_ok=True)
        while parent.is_child:
            parent_table = registry.table(parent.name)
            query = select(parent_table.c.parent_id).where(parent_table.c.id.in_(query))
            parent = registry.entity(parent.parent or "", child_ok=True)
        return query

    def get(self, file_id: str) -> dict[str, Any]:
        found = self.describe([file_id]).get(file_id)
        if found is None:
            raise NotFound(message("files.not_found", file_id=file_id))
        return found


def _top(registry: Any, entity: str) -> EntitySpec:
    """The top-level entity whose records hold the rows of ``entity`` (itself if not a child)."""
    spec: EntitySpec = registry.entity(entity, child_ok=True)
    while spec.is_child:
        spec = registry.entity(spec.parent or "", child_ok=True)
    return spec
