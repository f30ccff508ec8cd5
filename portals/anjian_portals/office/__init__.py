"""业务办公平台: the officers' home — inbox, deadlines this week, notices, shortcuts to their modules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint

from anjian.ui.actions import may
from anjian.ui.base import actor, guard, render
from anjian.web.faces import Face

from ..web import PACKAGE, declaration, platform

__all__ = ["face", "office"]

office = Blueprint("anjian_portal_office", __name__, url_prefix="/office", template_folder=str(PACKAGE / "templates"))
guard(office)
WEEK = dt.timedelta(days=7)


@office.get("/")
def home() -> Any:
    p = platform()
    who = actor()
    portal = declaration("office")
    todo = p.inbox.items(who, "todo", limit=200)
    last_day = p.codec.moment(p.codec.now() + WEEK)[:10]  # due by the end of the seventh day from now
    this_week = [item for item in todo if item["due_at"] and item["due_at"][:10] <= last_day]
    with p.engine.connect() as conn:
        notices = p.workflow.notices.listing(conn, who.username, limit=20)
    readable = {e.name for e in p.registry.catalog.top_entities() if may(p, who, e, "read")}
    modules = [
        m for m in sorted(p.registry.catalog.modules.values(), key=lambda m: (m.order, m.name)) if readable & set(m.entities)
    ]
    blocks: list[dict[str, Any]] = []
    for block in portal.blocks:
        limit = block.limit
        items: Any = {"inbox": todo[:limit], "deadlines": this_week[:limit], "notices": notices[:limit]}.get(block.kind)
        blocks.append({"spec": block, "items": items})
    return render(
        "portals/office_home.html",
        portal=portal,
        blocks=blocks,
        modules=modules,
        readable=readable,
        counts={"todo": len(todo), "week": len(this_week), "overdue": sum(1 for i in todo if i["overdue"])},
        registry=p.registry,
    )


face = Face(name="office", title="业务办公平台", blueprint=office, home="anjian_portal_office.home")
