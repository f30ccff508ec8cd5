"""授权: the grants of one user (add, revoke) and every grant in the administrator's area."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, redirect, request, url_for
from sqlalchemy import ColumnElement, select

from ...authz.regions import ALL, within
from ...authz.sql import in_areas
from ...data.system import grant
from ...errors import PermissionDenied, RecordValidationError
from ..base import actor, page_number, paged, platform, render, screen_args
from ..i18n import t
from . import admin, admin_areas, field_errors
from .users import _managed_user

__all__ = ["grants_view", "revoke_view", "user_grants_view"]

PAGE = 50


def role_titles() -> dict[str, str]:
    """Every role of the live policy with its title (module roles have one, built-in roles here)."""
    return platform().access.role_titles()


def _local_to_utc(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    if len(value) <= 10:  # a date: the grant ends when that day ends
        moment += dt.timedelta(days=1)
    return moment.replace(tzinfo=platform().codec.zone).astimezone(dt.UTC).replace(tzinfo=None)


def _grants_page(username: str, form: dict[str, str], errors: dict[str, list[str]]) -> Any:
    areas = admin_areas()
    with platform().engine.connect() as conn:
        rows = conn.execute(select(grant).where(grant.c.username == username).order_by(grant.c.id.desc())).mappings().all()
    registry = platform().registry
    return render(
        "anjian/admin/user_grants.html",
        username=username,
        rows=rows,
        roles=role_titles(),
        form=form,
        errors=errors,
        regions=registry.dictionary_labels.get("region", {}),
        areas=areas,
        now=platform().codec.now(),
        codec=platform().codec,
        manageable=lambda code: areas is None or any(within(code, a) for a in areas),
    ), (422 if errors else 200)


@admin.route("/users/<username>/grants", methods=["GET", "POST"])
def user_grants_view(username: str) -> Any:
    _managed_user(username)
    if request.method == "GET":
        return _grants_page(username, {}, {})
    form = {name: request.form.get(name, "").strip() for name in ("role", "region_code", "expires_at")}
    errors: dict[str, list[str]] = {}
    expires = None
    if form["expires_at"]:
        try:
            expires = _local_to_utc(form["expires_at"])
        except (ValueError, OverflowError):
            errors["expires_at"] = ["请填写有效的日期，如 2027-01-31"]
        else:
            if expires <= platform().codec.now():
                errors["expires_at"] = ["到期时间应晚于现在"]
    if not form["role"]:
        errors.setdefault("role", []).append("请选择角色")
    if not form["region_code"]:
        errors.setdefault("region_code", []).append("请选择区划")
    if errors:
        return _grants_page(username, form, errors)
    try:
        grant_id = platform().access.add_grant(actor(), username, form["role"], form["region_code"], expires)
    except PermissionDenied as exc:
        return _grants_page(username, form, {"region_code": [str(exc)]})[0], 403
    except RecordValidationError as exc:
        return _grants_page(username, form, field_errors(exc))
    flash(t("admin.grant_added", username=username, role=form["role"], grant_id=grant_id), "success")
    return redirect(url_for(".user_grants_view", username=username))


@admin.post("/grants/<int:grant_id>/revoke")
def revoke_view(grant_id: int) -> Any:
    admin_areas()
    with platform().engine.connect() as conn:
        username = conn.execute(select(grant.c.username).where(grant.c.id == grant_id)).scalar()
    platform().access.revoke_grant(actor(), grant_id)
    flash(t("admin.grant_revoked", grant_id=grant_id), "success")
    back = request.form.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect(url_for(".user_grants_view", username=username) if username else url_for(".grants_view"))


@admin.get("/grants/")
def grants_view() -> Any:
    areas = admin_areas()
    args = screen_args()
    clauses: list[ColumnElement[bool]] = [grant.c.revoked_at.is_(None)]
    scope = in_areas(grant.c.region_code, areas)
    if scope is not None:
        clauses.append(scope)
    if "username" in args:
        clauses.append(grant.c.username == args["username"])
    if "role" in args:
        clauses.append(grant.c.role == args["role"])
    listing = paged(select(grant).order_by(grant.c.username, grant.c.id), clauses, page_number(args), PAGE)
    return render(
        "anjian/admin/grants.html",
        **listing.context(),
        args=args,
        roles=role_titles(),
        regions=platform().registry.dictionary_labels.get("region", {}),
        now=platform().codec.now(),
        codec=platform().codec,
        everywhere=ALL,
    )
