"""Published records of the public face: columns, pages, feeds, public files.

Every read asks ``Access`` as the anonymous visitor, so only records whose ``published`` field is
true come back; the publication period (``publish_from`` / ``publish_until`` when the entity has
them) narrows that further; and what leaves is the entity's public projection, never the row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from anjian.audit import Actor
from anjian.errors import NotFound
from anjian.meta.portal_spec import ColumnSpec, PortalSpec
from anjian.meta.public import project
from anjian.meta.spec import EntitySpec
from anjian.runtime import Platform

__all__ = ["column_page", "local_today", "moment", "public_record", "visible", "visitor_scope"]


def visitor_scope(platform: Platform, spec: EntitySpec, actor: Actor) -> list[ColumnElement[bool]]:
    """The conditions of what the visitor may read: the access scope plus the publication period."""
    platform.access.check(actor, spec, "read")
    table = platform.registry.table(spec.name)
    clauses: list[ColumnElement[bool]] = []
    scope = platform.access.scope(actor, spec, table)
    if scope is not None:
        clauses.append(scope)
    today = local_today(platform)
    if spec.has_field("publish_from"):
        clauses.append(or_(table.c.publish_from.is_(None), table.c.publish_from <= today))
    if spec.has_field("publish_until"):
        clauses.append(or_(table.c.publish_until.is_(None), table.c.publish_until >= today))
    return clauses


def local_today(platform: Platform) -> dt.date:
    """Today in the platform's time zone (publication periods are local dates)."""
    now = platform.codec.now().replace(tzinfo=dt.UTC).astimezone(platform.codec.zone)
    return now.date()


def _order(spec: EntitySpec, table: Any) -> list[Any]:
    order = []
    for entry in spec.order_by or ("-id",):
        column = table.c[entry.lstrip("-")]
        order.append(column.desc() if entry.startswith("-") else column.asc())
    return order


def column_page(platform: Platform, column: ColumnSpec, actor: Actor, page: int = 1, size: int = 20) -> dict[str, Any]:
    """One page of a column: ``{"items", "total", "page", "page_size"}``, items in public projection."""
    spec = platform.registry.entity(column.entity)
    table = platform.registry.table(spec.name)
    clauses = visitor_scope(platform, spec, actor) + [table.c[k] == v for k, v in column.where.items()]
    where = and_(*clauses)
    with platform.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(table).where(where)).scalar_one()
        rows = conn.execute(select(table).where(where).order_by(*_order(spec, table)).limit(size).offset((page - 1) * size))
        items = [_public(platform, spec, dict(r._mapping)) for r in rows]
    return {"items": items, "total": total, "page": page, "page_size": size}


def _public(platform: Platform, spec: EntitySpec, row: dict[str, Any]) -> dict[str, Any]:
    record = {f.name: platform.codec.to_json(f, row.get(f.name)) for f in spec.column_fields}
    return {"id": row["id"], **project(spec.public, record)}


def visible(platform: Platform, spec: EntitySpec, actor: Actor, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Of ``ids``, the records the visitor may read now, in public projection (for search hits)."""
    if not ids:
        return {}
    table = platform.registry.table(spec.name)
    where = and_(*visitor_scope(platform, spec, actor), table.c.id.in_(ids))
    with platform.engine.connect() as conn:
        return {r.id: _public(platform, spec, dict(r._mapping)) for r in conn.execute(select(table).where(where))}


def public_record(platform: Platform, portal: PortalSpec, entity: str, record_id: int, actor: Actor) -> dict[str, Any]:
    """One published record a column of ``portal`` lists; NotFound otherwise (same answer either way)."""
    if not any(c.entity == entity for c in portal.columns):
        raise NotFound("页面不存在")
    spec = platform.registry.entity(entity)
    found = visible(platform, spec, actor, [record_id])
    if record_id not in found:
        raise NotFound("页面不存在或已撤下")
    return found[record_id]


def moment(value: Any) -> dt.datetime | None:
    """A stored date-time (ISO text) as a datetime, for feeds."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
