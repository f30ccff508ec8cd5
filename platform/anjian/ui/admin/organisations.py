"""组织机构: list, create and edit organisations in the administrator's area."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from sqlalchemy import ColumnElement, func, select

from ...access import OrganisationInput
from ...authz.sql import in_areas, within_area
from ...data.system import account, organisation
from ...errors import AnjianError
from ..base import actor, like_pattern, page_number, paged, platform, render, screen_args
from ..i18n import t
from . import USER_TYPE_LABELS, admin, admin_areas, field_errors
from .lookups import enterprise_title

__all__ = ["organisation_edit_view", "organisation_new_view", "organisations_view"]

PAGE = 50
FIELDS = ("name", "kind", "region_code", "credit_code", "parent_id", "enterprise_id", "active")


@admin.get("/organisations/")
def organisations_view() -> Any:
    areas = admin_areas()
    args = screen_args()
    clauses: list[ColumnElement[bool]] = []
    scope = in_areas(organisation.c.region_code, areas)
    if scope is not None:
        clauses.append(scope)
    if "q" in args:
        clauses.append(organisation.c.name.like(like_pattern(args["q"]), escape="\\"))
    if args.get("kind") in USER_TYPE_LABELS:
        clauses.append(organisation.c.kind == args["kind"])
    region = within_area(organisation.c.region_code, args["region"]) if "region" in args else None
    if region is not None:
        clauses.append(region)
    members = (
        select(func.count())
        .select_from(account)
        .where(account.c.organisation_id == organisation.c.id)
        .scalar_subquery()
        .label("members")
    )
    query = select(organisation, members).order_by(organisation.c.region_code, organisation.c.name)
    listing = paged(query, clauses, page_number(args), PAGE)
    parent_ids = {r["parent_id"] for r in listing.rows if r["parent_id"]}
    with platform().engine.connect() as conn:
        names = select(organisation.c.id, organisation.c.name).where(organisation.c.id.in_(parent_ids))
        parents = dict(conn.execute(names).all())
    return render(
        "anjian/admin/organisations.html",
        **listing.context(),
        parents=parents,
        args=args,
        types=USER_TYPE_LABELS,
        regions=platform().registry.dictionary_labels.get("region", {}),
    )


def _labels(form: dict[str, Any]) -> dict[str, str]:
    """Titles of the parent organisation and the enterprise, for the pickers' selected option."""
    labels = {}
    with platform().engine.connect() as conn:
        if str(form.get("parent_id") or "").isdigit():
            labels["parent_id"] = conn.execute(
                select(organisation.c.name).where(organisation.c.id == int(form["parent_id"]))
            ).scalar() or ("#" + str(form["parent_id"]))
    labels["enterprise_id"] = enterprise_title(form.get("enterprise_id"))
    return labels


def _page(form: dict[str, Any], errors: dict[str, list[str]], organisation_id: int | None) -> Any:
    return render(
        "anjian/admin/organisation_form.html",
        form=form,
        errors=errors,
        organisation_id=organisation_id,
        types=USER_TYPE_LABELS,
        labels=_labels(form),
    ), (422 if errors else 200)


def _submitted() -> tuple[dict[str, Any], OrganisationInput | None, dict[str, list[str]]]:
    form: dict[str, Any] = {name: request.form.get(name, "").strip() for name in FIELDS}
    form["active"] = "active" in request.form
    errors: dict[str, list[str]] = {}
    ids = {}
    for name in ("parent_id", "enterprise_id"):
        if form[name] and not form[name].isdigit():
            errors[name] = ["应为编号（整数）"]
        ids[name] = int(form[name]) if form[name].isdigit() else None
    data = OrganisationInput(
        name=form["name"],
        kind=form["kind"],
        region_code=form["region_code"],
        credit_code=form["credit_code"],
        parent_id=ids["parent_id"],
        enterprise_id=ids["enterprise_id"] if form["kind"] == "enterprise" else None,
        active=form["active"],
    )
    return form, (None if errors else data), errors


def _save(organisation_id: int | None) -> Any:
    form, data, errors = _submitted()
    if data is None:
        return _page(form, errors, organisation_id)
    try:
        platform().access.save_organisation(actor(), data, organisation_id)
    except AnjianError as exc:
        if exc.http_status not in (409, 422):
            raise
        return _page(form, field_errors(exc), organisation_id)[0], exc.http_status
    flash(t("admin.organisation_saved", name=data.name), "success")
    return redirect(url_for(".organisations_view", q=data.name) if organisation_id is None else url_for(".organisations_view"))


@admin.route("/organisations/new", methods=["GET", "POST"])
def organisation_new_view() -> Any:
    if request.method == "GET":
        return _page({"kind": "agency", "active": True}, {}, None)
    return _save(None)


@admin.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
def organisation_edit_view(organisation_id: int) -> Any:
    row = dict(platform().access.organisation(organisation_id))
    platform().access.check_admin_over(actor(), row["region_code"])
    if request.method == "GET":
        form = {name: ("" if row[name] is None else row[name]) for name in FIELDS}
        return _page(form, {}, organisation_id)
    return _save(organisation_id)
