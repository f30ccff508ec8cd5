"""Records that point to a record: an enterprise's hidden dangers, filings and complaints, and every
other entity with a link field to the shown one, each read through the access policy's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from ..audit import Actor
from ..meta.spec import EntitySpec, FieldSpec
from ..runtime import Platform
from .actions import may

__all__ = ["Related", "related_records"]

SHOWN = 10  # rows per entity; the rest is one click away in the filtered list


@dataclass(frozen=True)
class Related:
    """The records of one entity whose ``field`` links to the shown record (newest first)."""

    entity: EntitySpec
    field: FieldSpec
    rows: list[tuple[int, str]]
    total: int


def related_records(p: Platform, conn: Connection, actor: Actor, spec: EntitySpec, record_id: int) -> list[Related]:
    """For every readable top-level entity with a link field to ``spec``: its linking records in scope."""
    result = []
    for other in p.registry.catalog.top_entities():
        fields = [f for f in other.column_fields if f.link == spec.name]
        if not fields or not may(p, actor, other, "read"):
            continue
        table = p.registry.table(other.name)
        scope = p.access.scope(actor, other, table)
        title = table.c[other.title_field] if other.title_field else table.c.id
        for field in fields:
            where: list[Any] = [table.c[field.name] == record_id]
            if scope is not None:
                where.append(scope)
            total = conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
            if not total:
                continue
            rows = conn.execute(select(table.c.id, title).where(*where).order_by(table.c.id.desc()).limit(SHOWN)).all()
            result.append(Related(other, field, [(row[0], str(row[1])) for row in rows], total))
    return result
