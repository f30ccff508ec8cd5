"""Pickers of the admin forms: organisations and enterprises in the administrator's area (select2 format)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from sqlalchemy import select

from ...authz.sql import in_areas
from ...authz.store import ENTERPRISE_ENTITY
from ...data.system import organisation
from ..base import like_pattern, pick, platform
from . import USER_TYPE_LABELS, admin, admin_areas

__all__ = ["enterprise_lookup", "enterprise_title", "organisation_lookup"]


@admin.get("/lookup/organisations")
def organisation_lookup() -> Any:
    """``?q=`` name, ``?kind=`` user type, ``?id=`` one organisation: ``{"results": [{"id", "text"}]}``."""
    areas = admin_areas()
    query = select(organisation.c.id, organisation.c.name, organisation.c.region_code).where(organisation.c.active.is_(True))
    scope = in_areas(organisation.c.region_code, areas)
    if scope is not None:
        query = query.where(scope)
    if request.args.get("kind") in USER_TYPE_LABELS:
        query = query.where(organisation.c.kind == request.args["kind"])
    if request.args.get("id", "").isdigit():
        query = query.where(organisation.c.id == int(request.args["id"]))
    text = request.args.get("q", "").strip()
    if text:
        query = query.where(organisation.c.name.like(like_pattern(text), escape="\\"))
    with platform().engine.connect() as conn:
        rows = conn.execute(query.order_by(organisation.c.name).limit(20)).all()
    return jsonify({"results": [{"id": r.id, "text": r.name, "region": r.region_code} for r in rows]})


def enterprise_title(value: object) -> str:
    """The title of the enterprise a form names by id (for the picker's selected option)."""
    registry = platform().registry
    if not str(value or "").isdigit() or ENTERPRISE_ENTITY not in registry.catalog.entities:
        return ""
    spec = registry.entity(ENTERPRISE_ENTITY)
    table = registry.table(spec.name)
    column = table.c[spec.title_field] if spec.title_field else table.c.id
    with platform().engine.connect() as conn:
        title = conn.execute(select(column).where(table.c.id == int(str(value)))).scalar()
    return str(title) if title is not None else f"#{value}"


@admin.get("/lookup/enterprises")
def enterprise_lookup() -> Any:
    """Enterprises an enterprise user or organisation may be bound to (in the administrator's area)."""
    areas = admin_areas()
    registry = platform().registry
    if ENTERPRISE_ENTITY not in registry.catalog.entities:
        return jsonify({"results": []})
    spec = registry.entity(ENTERPRISE_ENTITY)
    table = registry.table(spec.name)
    scope = in_areas(table.c[spec.scope], areas) if spec.scope else None
    return jsonify({"results": pick(spec, table, scope)})
