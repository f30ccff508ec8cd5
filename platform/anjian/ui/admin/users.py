"""用户: list, create (FAB login + platform account at once), edit, activate and deactivate.

Passwords go through FAB's security manager (``add_user``, ``reset_password``), so the
password policy configured there applies. A delegated administrator manages only users whose
account and grants all lie in their area, and never an administrator.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, flash, redirect, request, url_for
from sqlalchemy import ColumnElement, or_, select

from ... import audit
from ...authz.sql import in_areas, within_area
from ...data.db import write
from ...data.system import account, organisation
from ...errors import AnjianError, NotFound, PermissionDenied, RecordValidationError
from ..base import actor, like_pattern, page_number, paged, platform, render, screen_args
from ..i18n import t
from . import USER_TYPE_LABELS, admin, admin_areas, field_errors
from .lookups import enterprise_title

__all__ = ["user_edit_view", "user_new_view", "users_view"]

PAGE = 50
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _sm() -> Any:
    return current_app.appbuilder.sm  # type: ignore[attr-defined]


def _store() -> Any:
    return platform().access


def _user_table() -> Any:
    return _sm().user_model.__table__


def _is_admin_user(user: Any) -> bool:
    return any(role.name == _sm().auth_role_admin for role in user.roles)


def _audit(action: str, username: str, detail: dict[str, Any], region: str = "") -> None:
    with write(platform().engine) as conn, conn.begin():
        audit.append(conn, actor(), action, "_users", username, detail, region=region)


def _managed_user(username: str) -> Any:
    """The FAB user ``username``, if the signed-in administrator may manage them."""
    user = _sm().find_user(username=username)
    if user is None:
        raise NotFound(f"用户 {username} 不存在")
    who = actor()
    if not who.is_admin:
        if _is_admin_user(user):
            raise PermissionDenied("只有系统管理员可以管理系统管理员账号")
        _store().check_may_manage_user(who, username)
    return user


@admin.get("/users/")
def users_view() -> Any:
    areas = admin_areas()
    users = _user_table()
    args = screen_args()
    clauses: list[ColumnElement[bool]] = []
    scope = in_areas(account.c.region_code, areas)
    if areas is not None:
        clauses.append(account.c.username.is_not(None))  # users without an account are the administrators' only
    if scope is not None:
        clauses.append(scope)
    if "q" in args:
        searched = (users.c.username, users.c.first_name, users.c.email, account.c.org_name)
        clauses.append(or_(*(c.like(like_pattern(args["q"]), escape="\\") for c in searched)))
    if args.get("user_type") in USER_TYPE_LABELS:
        clauses.append(account.c.user_type == args["user_type"])
    region = within_area(account.c.region_code, args["region"]) if "region" in args else None
    if region is not None:
        clauses.append(region)
    if args.get("organisation_id", "").isdigit():
        clauses.append(account.c.organisation_id == int(args["organisation_id"]))
    joined = users.outerjoin(account, account.c.username == users.c.username)
    columns = [
        users.c.username,
        users.c.first_name,
        users.c.last_name,
        users.c.email,
        users.c.active,
        account.c.user_type,
        account.c.region_code,
        account.c.org_name,
        account.c.organisation_id,
        account.c.enterprise_id,
    ]
    query = select(*columns).select_from(joined).order_by(users.c.username)
    listing = paged(query, clauses, page_number(args), PAGE)
    registry = platform().registry
    return render(
        "anjian/admin/users.html",
        **listing.context(),
        args=args,
        types=USER_TYPE_LABELS,
        regions=registry.dictionary_labels.get("region", {}),
        delegated=areas is not None,
    )


def _form_values() -> dict[str, str]:
    names = ("username", "name", "email", "password", "user_type", "organisation_id", "region_code", "enterprise_id")
    return {name: request.form.get(name, "").strip() for name in names}


def _int(value: str, name: str, errors: dict[str, list[str]]) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        errors.setdefault(name, []).append("应为编号（整数）")
        return None
    return int(value)


def _account_options(form: dict[str, str], errors: dict[str, list[str]]) -> dict[str, Any]:
    organisation_id = _int(form["organisation_id"], "organisation_id", errors)
    enterprise_id = _int(form["enterprise_id"], "enterprise_id", errors)
    region = form["region_code"]
    if not region and organisation_id is not None:  # a user sits where their organisation does, unless told
        with platform().engine.connect() as conn:
            found = conn.execute(select(organisation.c.region_code).where(organisation.c.id == organisation_id)).scalar()
        region = found or ""
    return {
        "user_type": form["user_type"],
        "region": region,
        "organisation_id": organisation_id,
        "enterprise_id": enterprise_id if form["user_type"] == "enterprise" else None,
    }


def _check_person(form: dict[str, str], errors: dict[str, list[str]], username: str | None = None) -> None:
    sm = _sm()
    if not form["name"]:
        errors.setdefault("name", []).append("请填写姓名")
    if not EMAIL.match(form["email"]):
        errors.setdefault("email", []).append("请填写有效的电子邮箱")
    else:
        other = sm.find_user(email=form["email"])
        if other is not None and other.username != username:
            errors.setdefault("email", []).append("该邮箱已被其他用户使用")


def _merge(errors: dict[str, list[str]], exc: AnjianError) -> None:
    for name, messages in field_errors(exc).items():
        errors.setdefault({"region": "region_code"}.get(name, name), []).extend(messages)


def _form_page(
    form: dict[str, str], errors: dict[str, list[str]], username: str | None, user: Any = None, status: int | None = None
) -> Any:
    organisation_label = ""
    if form.get("organisation_id", "").isdigit():
        with platform().engine.connect() as conn:
            organisation_label = conn.execute(
                select(organisation.c.name).where(organisation.c.id == int(form["organisation_id"]))
            ).scalar() or ("#" + form["organisation_id"])
    return render(
        "anjian/admin/user_form.html",
        form=form,
        errors=errors,
        username=username,
        user=user,
        types=USER_TYPE_LABELS,
        organisation_label=organisation_label,
        enterprise_label=enterprise_title(form.get("enterprise_id")),
    ), (status or (422 if errors else 200))


@admin.route("/users/new", methods=["GET", "POST"])
def user_new_view() -> Any:
    admin_areas()
    if request.method == "GET":
        return _form_page({"user_type": "agency"}, {}, None)
    form = _form_values()
    errors: dict[str, list[str]] = {}
    sm = _sm()
    if not USERNAME.match(form["username"]):
        errors.setdefault("username", []).append("用户名为 2-64 位字母、数字或 _ . @ -")
    elif sm.find_user(username=form["username"]) is not None:
        errors.setdefault("username", []).append("该用户名已存在")
    _check_person(form, errors)
    if not form["password"]:
        errors.setdefault("password", []).append("请设置初始密码")
    options = _account_options(form, errors)
    status = None
    try:
        _store().check_account(actor(), form["username"], options["user_type"], options["region"], **_rest(options))
    except (RecordValidationError, PermissionDenied) as exc:
        _merge(errors, exc)
        status = exc.http_status
    if errors:
        return _form_page(form, errors, None, status=status)
    try:
        created = sm.add_user(
            form["username"], form["name"], "", form["email"], sm.find_role(sm.auth_role_public), password=form["password"]
        )
    except AnjianError as exc:  # the password policy refuses the password
        errors.setdefault("password", []).extend(m for messages in field_errors(exc).values() for m in messages)
        return _form_page(form, errors, None)
    if not created:
        errors.setdefault("", []).append("无法创建登录账号，请检查输入后重试")
        return _form_page(form, errors, None)
    sm.session.commit()
    try:
        _store().save_account(actor(), form["username"], options["user_type"], options["region"], **_rest(options))
    except AnjianError:
        sm.session.delete(created)  # no login without its account
        sm.session.commit()
        raise
    _audit(
        "user_create",
        form["username"],
        {"name": form["name"], "email": form["email"], "user_type": options["user_type"]},
        options["region"],
    )
    flash(t("admin.user_created", username=form["username"]), "success")
    return redirect(url_for(".user_grants_view", username=form["username"]))


def _rest(options: dict[str, Any]) -> dict[str, Any]:
    return {"organisation_id": options["organisation_id"], "enterprise_id": options["enterprise_id"]}


@admin.route("/users/<username>/edit", methods=["GET", "POST"])
def user_edit_view(username: str) -> Any:
    user = _managed_user(username)
    held = platform().access.account(username)
    if request.method == "GET":
        form = {
            "username": username,
            "name": " ".join(p for p in (user.first_name, user.last_name) if p),
            "email": user.email,
            "user_type": held.user_type if held else "agency",
            "region_code": held.region if held else "",
            "enterprise_id": str(held.enterprise_id or "") if held else "",
            "organisation_id": "",
        }
        with platform().engine.connect() as conn:
            org = conn.execute(select(account.c.organisation_id).where(account.c.username == username)).scalar()
        form["organisation_id"] = str(org or "")
        return _form_page(form, {}, username, user)
    form = {**_form_values(), "username": username}
    errors: dict[str, list[str]] = {}
    _check_person(form, errors, username)
    options = _account_options(form, errors)
    status = None
    try:
        _store().check_account(actor(), username, options["user_type"], options["region"], **_rest(options))
    except (RecordValidationError, PermissionDenied) as exc:
        _merge(errors, exc)
        status = exc.http_status
    if errors:
        return _form_page(form, errors, username, user, status=status)
    sm = _sm()
    # FAB's writes first, then ours: a FAB session holding an older SQLite snapshot cannot write after them.
    if form["password"]:
        try:
            sm.reset_password(user.id, form["password"])
        except AnjianError as exc:
            errors.setdefault("password", []).extend(m for messages in field_errors(exc).values() for m in messages)
            return _form_page(form, errors, username, user)
    changed = {}
    name = form["name"]
    if name != " ".join(p for p in (user.first_name, user.last_name) if p) or form["email"] != user.email:
        changed = {"name": name, "email": form["email"]}
        user.first_name, user.last_name, user.email = name, "", form["email"]
        sm.update_user(user)
    sm.session.commit()
    _store().save_account(actor(), username, options["user_type"], options["region"], **_rest(options))
    if form["password"]:
        _audit("password_reset", username, {"by": "administrator"}, options["region"])
    if changed:
        _audit("user_update", username, changed, options["region"])
    flash(t("admin.user_saved", username=username), "success")
    return redirect(url_for(".users_view"))


@admin.post("/users/<username>/active")
def user_active_view(username: str) -> Any:
    user = _managed_user(username)
    active = request.form.get("active") == "1"
    if username == actor().username and not active:
        flash(t("admin.self_deactivation"), "danger")
        return redirect(url_for(".users_view"))
    if bool(user.active) != active:
        user.active = active
        _sm().update_user(user)
        _sm().session.commit()
        if not active:  # tokens and sessions of a disabled user end now (and stay void after re-enabling)
            _sm().revoke_tokens(username, "disabled")
        held = platform().access.account(username)
        _audit("user_activate" if active else "user_deactivate", username, {"active": active}, held.region if held else "")
    flash(t("admin.user_activated" if active else "admin.user_deactivated", username=username), "success")
    back = request.form.get("next", "")
    return redirect(back if back.startswith("/") and not back.startswith("//") else url_for(".users_view"))
