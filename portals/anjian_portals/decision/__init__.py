"""辅助决策平台: KPI blocks counted in the viewer's scope; the reports' dashboards take the slot
declared as ``{"kind": "dashboards"}`` when that capability lands (it registers an endpoint
``anjian_reports.dashboards``, which the slot then links to)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from sqlalchemy import func, select

from anjian.errors import PermissionDenied
from anjian.ui.base import actor, guard, render
from anjian.web.faces import Face

from ..web import PACKAGE, declaration, platform

__all__ = ["decision", "face"]

decision = Blueprint("anjian_portal_decision", __name__, url_prefix="/decision", template_folder=str(PACKAGE / "templates"))
guard(decision)
DASHBOARDS_ENDPOINT = "anjian_reports.dashboards"


@decision.get("/")
def home() -> Any:
    p = platform()
    who = actor()
    portal = declaration("decision")
    blocks: list[dict[str, Any]] = []
    with p.engine.connect() as conn:
        for block in portal.blocks:
            value: int | None = None
            if block.kind == "count" and block.entity in p.registry.catalog.entities:
                spec = p.registry.entity(block.entity)
                table = p.registry.table(spec.name)
                try:
                    p.access.check(who, spec, "read")
                except PermissionDenied:
                    continue  # a KPI the viewer may not read is not shown at all
                query = select(func.count()).select_from(table)
                scope = p.access.scope(who, spec, table)
                if scope is not None:
                    query = query.where(scope)
                for name, wanted in block.where.items():
                    query = query.where(table.c[name] == wanted)
                value = int(conn.execute(query).scalar_one())
            blocks.append({"spec": block, "value": value})
    dashboards = DASHBOARDS_ENDPOINT in current_app.view_functions
    return render("portals/decision_home.html", portal=portal, blocks=blocks, dashboards=dashboards)


face = Face(name="decision", title="辅助决策平台", blueprint=decision, home="anjian_portal_decision.home")
