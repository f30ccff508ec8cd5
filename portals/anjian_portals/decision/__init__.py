"""辅助决策平台: KPI blocks counted in the viewer's scope, and in the slot declared as
``{"kind": "dashboards"}`` the viewer's dashboard of the reports capability (``anjian.reports``:
KPI cards and charts, each run in the viewer's scope) with a link to every report they may run."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from sqlalchemy import func, select

from anjian.errors import PermissionDenied
from anjian.ui.base import actor, guard, render
from anjian.ui.reports import dashboard_context
from anjian.web.faces import Face

from ..web import PACKAGE, declaration, platform

__all__ = ["decision", "face"]

decision = Blueprint("anjian_portal_decision", __name__, url_prefix="/decision", template_folder=str(PACKAGE / "templates"))
guard(decision)


@decision.get("/")
def home() -> Any:
    p = platform()
    who = actor()
    portal = declaration("decision")
    blocks: list[dict[str, Any]] = []
    with p.engine.connect() as conn:
        for block in portal.blocks:
            value: int | None = None
            if block.kind == "count" and block.entity is not None and block.entity in p.registry.catalog.entities:
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
    board = dashboard_context() if any(b.kind == "dashboards" for b in portal.blocks) else {"dashboard": None}
    return render("portals/decision_home.html", portal=portal, blocks=blocks, **board)


face = Face(name="decision", title="辅助决策平台", blueprint=decision, home="anjian_portal_decision.home")
