"""The audit log screen (日志服务): search and filter entries, scoped by region for auditors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, select

from ..authz.sql import in_areas
from ..data.system import audit_log
from ..errors import PermissionDenied
from .base import actor, page_number, paged, platform, render, screen_args
from .views import ui

__all__ = ["audit_scope", "audit_view"]

PAGE = 50


def audit_scope() -> Any:
    """None for administrators (everything), else the regions of the user's auditor grants."""
    who = actor()
    if who.is_admin:
        return None
    access = platform().access
    areas = access.regions(who.username, "_audit", "read")
    if not areas:
        raise PermissionDenied("只有管理员和审计员可以查看日志")
    return in_areas(audit_log.c.region, areas)  # an auditor of "*" reads everything


@ui.get("/_audit/")
def audit_view() -> Any:
    scope = audit_scope()
    args = screen_args()
    clauses: list[ColumnElement[bool]] = [] if scope is None else [scope]
    if "actor" in args:
        clauses.append(audit_log.c.actor == args["actor"])
    if "entity" in args:
        clauses.append(audit_log.c.entity == args["entity"])
    if "record_id" in args:
        clauses.append(audit_log.c.record_id == args["record_id"])
    if "action" in args:
        clauses.append(audit_log.c.action == args["action"])
    for key, op in (("from", "ge"), ("to", "lt")):
        try:
            day = dt.date.fromisoformat(args[key]) if key in args else None
        except ValueError:
            day = None
        if day is not None:
            moment = dt.datetime.combine(day + dt.timedelta(days=1 if op == "lt" else 0), dt.time())
            local = moment.replace(tzinfo=platform().codec.zone).astimezone(dt.UTC).replace(tzinfo=None)
            clauses.append(audit_log.c.at >= local if op == "ge" else audit_log.c.at < local)
    listing = paged(select(audit_log).order_by(audit_log.c.id.desc()), clauses, page_number(args), PAGE)
    with platform().engine.connect() as conn:
        # Every action ever written can be chosen (an indexed column: a cheap distinct scan).
        actions = conn.execute(select(audit_log.c.action).distinct().order_by(audit_log.c.action)).scalars().all()
    registry = platform().registry
    return render(
        "anjian/audit.html",
        **listing.context(),
        entries=listing.rows,
        args=args,
        actions=actions,
        registry=registry,
        codec=platform().codec,
    )
