"""What every screen shares: the platform and the signed-in actor, rendering, the login guard and
error page of a blueprint, paged listings and the link-picker query.

One piece each, so the office screens, the administration screens and the audit log behave alike.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, Table, func, or_, select
from werkzeug.exceptions import HTTPException

from ..audit import Actor
from ..errors import AnjianError, NotFound
from ..meta.spec import EntitySpec
from ..runtime import Platform
from .i18n import t

__all__ = [
    "Paged",
    "actor",
    "guard",
    "http_error_page",
    "like_pattern",
    "page_number",
    "paged",
    "pick",
    "platform",
    "render",
    "screen_args",
]


def platform() -> Platform:
    result: Platform = current_app.extensions["anjian"]
    return result


def actor() -> Actor:
    roles = tuple(sorted(r.name for r in current_user.roles))
    return Actor(username=current_user.username, address=request.remote_addr or "", roles=roles, is_admin="Admin" in roles)


def render(template: str, **context: Any) -> str:
    appbuilder = current_app.appbuilder  # type: ignore[attr-defined]
    return render_template(template, appbuilder=appbuilder, base_template=appbuilder.base_template, t=t, **context)


def error_page(exc: AnjianError) -> tuple[str, int]:
    """The styled, Chinese page for a refusal or a missing record (never a bare 403/404)."""
    status = exc.http_status if exc.http_status in (403, 404, 409, 422) else 500
    message = t("not_found") if isinstance(exc, NotFound) else str(exc)
    return render("anjian/error.html", message=message, status=status), status


def http_error_page(exc: HTTPException) -> Any:
    """A plain HTTP error (no such page, method not allowed, forbidden) as the same Chinese page;
    the API keeps its JSON errors."""
    if request.path.startswith("/api/"):
        return exc
    status = exc.code or 500
    key = f"http_{status}" if status in (403, 404, 405) else "http_other"
    return render("anjian/error.html", message=t(key), status=status), status


def guard(blueprint: Blueprint) -> None:
    """Screens of ``blueprint`` need a signed-in user and show AnjianErrors as the error page.

    Its static files (scripts and styles, no data) are public like FAB's: pages open to everyone,
    such as Swagger UI at /api/v1/docs, load them too.
    """

    @blueprint.before_request
    def _require_login() -> Any:
        if request.endpoint == f"{blueprint.name}.static":
            return None
        if not current_user.is_authenticated:
            return redirect(current_app.appbuilder.get_url_for_login_with(request.full_path.rstrip("?")))  # type: ignore[attr-defined]
        return None

    blueprint.register_error_handler(AnjianError, error_page)


def screen_args() -> dict[str, str]:
    """The query-string arguments of a listing, stripped, without empty ones."""
    return {k: v.strip() for k, v in request.args.items() if v.strip()}


def page_number(args: Mapping[str, Any], largest: int = 1_000_000) -> int:
    """The ``page`` argument of a screen, 1 when absent or out of range (never an overflow)."""
    raw = str(args.get("page", "") or "")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= largest else 1


def like_pattern(text: str) -> str:
    """A LIKE pattern (escape ``\\``) that finds ``text`` anywhere, its wildcards taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True)
class Paged:
    """One page of a listing: its rows, the total count, this page's number and the number of pages."""

    rows: Sequence[Any]
    total: int
    page: int
    pages: int

    def context(self) -> dict[str, Any]:
        """The names the listing templates use (rows, total, page, pages)."""
        return {"rows": self.rows, "total": self.total, "page": self.page, "pages": self.pages}


def paged(query: Select[Any], where: Sequence[ColumnElement[bool]], page: int, size: int) -> Paged:
    """Count and fetch page ``page`` of ``query`` filtered by ``where`` (the count shares the filter)."""
    if where:
        query = query.where(*where)
    count = query.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
    with platform().engine.connect() as conn:
        total = conn.execute(count).scalar_one()
        rows = conn.execute(query.limit(size).offset((page - 1) * size)).mappings().all()
    return Paged(rows, total, page, max(1, math.ceil(total / size)))


def pick(spec: EntitySpec, table: Table, scope: ColumnElement[bool] | None, limit: int = 20) -> list[dict[str, Any]]:
    """Records to link to, in select2's format (``[{"id", "text"}]``): ``?q=`` searches the title and
    search fields, ``?id=`` finds one record; ``scope`` keeps it to what the user may see."""
    title = table.c[spec.title_field] if spec.title_field else table.c.id
    query = select(table.c.id, title)
    if scope is not None:
        query = query.where(scope)
    if request.args.get("id", "").isdigit():
        query = query.where(table.c.id == int(request.args["id"]))
    text = request.args.get("q", "").strip()
    if text:
        names = {spec.title_field, *spec.search_fields} - {None}
        query = query.where(or_(*(table.c[n].like(like_pattern(text), escape="\\") for n in names if n)))
    with platform().engine.connect() as conn:
        rows = conn.execute(query.order_by(title).limit(limit)).all()
    return [{"id": row[0], "text": str(row[1])} for row in rows]
