"""Drafts: working copies of one module each, stored in the database and never live.

Every save names the version it edited; a save against an older version is refused with 409
(two configurators never overwrite each other silently). Every change is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from .. import audit
from ..audit import Actor
from ..data.db import write
from ..errors import FieldError, MetadataError, MetadataErrors, NotFound, RecordConflict, RecordValidationError
from ..store.clock import utc_now
from .messages import say
from .tables import ensure_tables, studio_draft

__all__ = ["MODULE_NAME", "Draft", "DraftStore", "check_module_name"]

MODULE_NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
AUDIT_ENTITY = "_studio"


@dataclass(frozen=True)
class Draft:
    """One draft as stored."""

    id: int
    module: str
    title: str
    base_version: int
    files: dict[str, Any]
    layout: dict[str, Any]
    version: int
    updated_by: str
    updated_at: str

    def as_dict(self, *, with_files: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "module": self.module,
            "title": self.title,
            "base_version": self.base_version,
            "version": self.version,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at,
        }
        if with_files:
            body["files"] = self.files
            body["layout"] = self.layout
        return body


def check_module_name(module: Any) -> str:
    """The module name, or a 422 saying how to name it."""
    if not isinstance(module, str) or not MODULE_NAME.match(module):
        raise MetadataErrors(
            [MetadataError("request", "/module", say("studio.module.name", name=module), say("studio.module.name.hint"))]
        )
    return module


def _draft(row: Any) -> Draft:
    return Draft(
        id=row.id,
        module=row.module,
        title=row.title,
        base_version=row.base_version,
        files=dict(row.files),
        layout=dict(row.layout),
        version=row.version,
        updated_by=row.updated_by,
        updated_at=row.updated_at.isoformat(),
    )


class DraftStore:
    """Create, read, save and delete drafts (each write audited in its transaction)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        ensure_tables(engine)

    def list(self, module: str | None = None) -> list[Draft]:
        query = select(studio_draft).order_by(studio_draft.c.module, studio_draft.c.id)
        if module:
            query = query.where(studio_draft.c.module == module)
        with self.engine.connect() as conn:
            return [_draft(r) for r in conn.execute(query)]

    def get(self, draft_id: int) -> Draft:
        with self.engine.connect() as conn:
            row = conn.execute(select(studio_draft).where(studio_draft.c.id == draft_id)).first()
        if row is None:
            raise NotFound(say("studio.draft.not_found", id=draft_id))
        return _draft(row)

    def create(
        self, actor: Actor, module: str, files: dict[str, Any], *, base_version: int, title: str = "", source: str = "new"
    ) -> Draft:
        check_module_name(module)
        now = utc_now()
        with write(self.engine) as conn, conn.begin():
            result = conn.execute(
                insert(studio_draft).values(
                    module=module,
                    title=(title or str(files.get("module.json", {}).get("title", module)))[:200],
                    base_version=base_version,
                    files=files,
                    layout={},
                    version=1,
                    created_at=now,
                    created_by=actor.username,
                    updated_at=now,
                    updated_by=actor.username,
                )
            )
            draft_id = int(result.inserted_primary_key[0]) if result.inserted_primary_key else 0
            audit.append(conn, actor, "studio_draft_create", AUDIT_ENTITY, draft_id, {"module": module, "source": source})
        return self.get(draft_id)

    def save(
        self,
        actor: Actor,
        draft_id: int,
        expected_version: Any,
        *,
        files: dict[str, Any] | None = None,
        layout: dict[str, Any] | None = None,
        title: str | None = None,
        action: str = "studio_draft_save",
        detail: dict[str, Any] | None = None,
    ) -> Draft:
        """Save over the version the caller edited; RecordConflict (409) if someone saved since."""
        if isinstance(expected_version, bool) or not isinstance(expected_version, int) or not 0 < expected_version < 2**62:
            raise RecordValidationError(AUDIT_ENTITY, [FieldError("/version", say("studio.draft.version_required"), "required")])
        values: dict[str, Any] = {"updated_at": utc_now(), "updated_by": actor.username, "version": expected_version + 1}
        if files is not None:
            values["files"] = files
        if layout is not None:
            values["layout"] = layout
        if title is not None:
            values["title"] = title[:200]
        with write(self.engine) as conn, conn.begin():
            row = conn.execute(select(studio_draft).where(studio_draft.c.id == draft_id)).first()
            if row is None:
                raise NotFound(say("studio.draft.not_found", id=draft_id))
            changed = conn.execute(
                update(studio_draft)
                .where(studio_draft.c.id == draft_id, studio_draft.c.version == expected_version)
                .values(**values)
            ).rowcount
            if changed != 1:
                text = say("studio.draft.stale", by=row.updated_by, current=row.version, given=expected_version)
                raise RecordConflict(AUDIT_ENTITY, [FieldError("/version", f"{text}。{say('studio.draft.stale.hint')}", "stale")])
            changes = {"module": row.module, "version": expected_version + 1, **(detail or {})}
            if files is not None:
                changes["files"] = sorted(set(files) ^ set(row.files) | {k for k in files if row.files.get(k) != files[k]})
            audit.append(conn, actor, action, AUDIT_ENTITY, draft_id, changes)
        return self.get(draft_id)

    def delete(self, actor: Actor, draft_id: int) -> None:
        with write(self.engine) as conn, conn.begin():
            row = conn.execute(select(studio_draft.c.module).where(studio_draft.c.id == draft_id)).first()
            if row is None:
                raise NotFound(say("studio.draft.not_found", id=draft_id))
            conn.execute(delete(studio_draft).where(studio_draft.c.id == draft_id))
            audit.append(conn, actor, "studio_draft_delete", AUDIT_ENTITY, draft_id, {"module": row.module})
