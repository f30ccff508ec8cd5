"""Routes of the generated screens: /e/ (home), /e/<entity>/ (list), detail, delete, bulk, lookups."""

from __future__ import annotations

import io
import math
from typing import Any

from flask import Blueprint, Response, flash, jsonify, redirect, request, send_file, url_for
from sqlalchemy import func, select

from ..data.dated_codes import local_today
from ..data.files import content_disposition
from ..data.query import ListQuery, filterable_fields
from ..data.system import audit_log
from ..data.transfer import export_records
from ..errors import NotFound, PermissionDenied, RecordConflict, RecordValidationError, WorkflowRefused
from ..meta.spec import EntitySpec
from ..runtime import Platform
from .actions import allowed_actions, may
from .base import actor, guard, page_number, pick, platform, render
from .display import Display
from .i18n import t
from .related import related_records

__all__ = ["actor", "page_number", "platform", "render", "ui"]

ui = Blueprint("anjian_ui", __name__, url_prefix="/e", static_folder="../static", static_url_path="/_static")
guard(ui)
PAGE_SIZES = (20, 50, 100)


def scope_for(spec: EntitySpec) -> Any:
    p = platform()
    return p.access.scope(actor(), spec, p.registry.table(spec.name))


def entity_for(name: str, action: str) -> EntitySpec:
    spec: EntitySpec = platform().registry.entity(name)
    platform().access.check(actor(), spec, action)
    return spec


@ui.get("/")
def home() -> Any:
    p = platform()
    registry = p.registry
    counts = {}
    readable = {e.name for e in registry.catalog.top_entities() if may(p, actor(), e, "read")}
    with p.engine.connect() as conn:
        for spec in (e for e in registry.catalog.top_entities() if e.name in readable):
            query = select(func.count()).select_from(registry.table(spec.name))
            scope = scope_for(spec)
            counts[spec.name] = conn.execute(query.where(scope) if scope is not None else query).scalar_one()
    modules = [
        m for m in sorted(registry.catalog.modules.values(), key=lambda m: (m.order, m.name)) if readable & set(m.entities)
    ]
    listed = {e for m in modules for e in m.entities}
    loose = [e for e in registry.catalog.top_entities() if e.name not in listed and e.name in readable]
    from .reports import dashboard_context

    return render("anjian/home.html", modules=modules, loose=loose, counts=counts, registry=registry, **dashboard_context())


def _list_query(spec: EntitySpec, own: tuple[str, ...] = ()) -> tuple[ListQuery, dict[str, str]]:
    """The list query and the page's arguments (``own``: arguments the page handles itself)."""
    args = {k: v for k, v in request.args.items() if v != ""}
    try:
        return ListQuery.parse(spec, {k: v for k, v in args.items() if k not in own}), args
    except RecordValidationError as exc:
        for error in exc.errors:
            flash(f"{error.pointer.removeprefix('/query/')}: {error.message}", "warning")
        return ListQuery.parse(spec, {}), {}


@ui.get("/<entity>/")
def list_view(entity: str) -> Any:
    p = platform()
    spec = entity_for(entity, "read")
    from .workflow import ProcessListing, process_listing

    listing = process_listing(spec, request.args)  # the 环节 column and filter of a process entity
    query, args = _list_query(spec, (ProcessListing.ARG,))
    with p.engine.connect() as conn:
        scope = scope_for(spec)
        # Only the list columns are read: a list page never loads long texts it does not show.
        page = p.reader.page(conn, spec, query, listing.narrow(scope) if listing else scope, spec.effective_list_columns)
        display = Display(p.registry, conn, scope_for)
        display.load_links(spec, page["items"])
        allowed = allowed_actions(p, conn, actor(), spec, (item["id"] for item in page["items"]))
        if listing:
            listing.load(conn, page["items"])
    columns = [spec.field(name) for name in spec.effective_list_columns]
    filters = [f for name, f in filterable_fields(spec).items() if not f.link]
    pages = max(1, math.ceil(page["total"] / query.page_size))
    return render(
        "anjian/list.html",
        spec=spec,
        page=page,
        columns=columns,
        display=display,
        filters=filters,
        args=args,
        query=query,
        pages=pages,
        page_sizes=PAGE_SIZES,
        registry=p.registry,
        allowed=allowed,
        listing=listing,
    )


@ui.get("/<entity>/<int:record_id>")
def detail_view(entity: str, record_id: int) -> Any:
    p = platform()
    spec = entity_for(entity, "read")
    with p.engine.connect() as conn:
        record = p.reader.fetch(conn, spec, record_id, scope_for(spec))
        display = Display(p.registry, conn, scope_for)
        display.load_links(spec, [record])
        allowed = allowed_actions(p, conn, actor(), spec, [record_id])
        related = related_records(p, conn, actor(), spec, record_id)
        history = (
            conn.execute(
                select(audit_log)
                .where(audit_log.c.entity == spec.name, audit_log.c.record_id == str(record_id))
                .order_by(audit_log.c.id.desc())
                .limit(50)
            )
            .mappings()
            .all()
        )
    files = p.files.describe(_file_ids(p, spec, record))
    from .workflow import workflow_panel

    flow = workflow_panel(spec, record_id)
    if flow:
        files.update(p.files.describe([a for step in flow["history"] for a in step["attachments"]]))
    return render(
        "anjian/detail.html",
        flow=flow,
        spec=spec,
        record=record,
        display=display,
        registry=p.registry,
        history=history,
        files=files,
        sections=sections(spec),
        codec=p.codec,
        allowed=allowed,
        related=related,
    )


def _file_ids(p: Platform, spec: EntitySpec, record: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    for field in spec.fields:
        value = record.get(field.name)
        if field.attachment is not None and value:
            ids += value if isinstance(value, list) else [value]
        elif field.child:
            for row in value or ():
                ids += _file_ids(p, p.registry.entity(field.child, child_ok=True), row)
    return ids


def sections(spec: EntitySpec) -> list[tuple[str, list[Any]]]:
    """The declared form sections, with undeclared fields in a last section."""
    placed: set[str] = set()
    result = []
    for section in spec.sections:
        fields = [spec.field(n) for n in section["fields"] if spec.has_field(n)]
        placed |= {f.name for f in fields}
        result.append((section["title"], fields))
    rest = [f for f in spec.fields if f.name not in placed and not f.hidden]
    if rest:
        result.append((t("other_section") if result else spec.title, rest))
    return result


@ui.route("/<entity>/<int:record_id>/delete", methods=["GET", "POST"])
def delete_view(entity: str, record_id: int) -> Any:
    p = platform()
    spec = entity_for(entity, "delete")
    if request.method == "GET":
        with p.engine.connect() as conn:
            record = p.reader.fetch(conn, spec, record_id, scope_for(spec))
        title = record.get(spec.title_field or "id")
        return render("anjian/confirm_delete.html", spec=spec, record=record, title=title)
    try:
        p.records.delete(entity, record_id, actor())
    except (RecordConflict, WorkflowRefused) as exc:
        flash("；".join(e.message for e in exc.errors), "danger")
        return redirect(url_for(".detail_view", entity=entity, record_id=record_id))
    flash(t("deleted", n=1), "success")
    return redirect(url_for(".list_view", entity=entity))


@ui.post("/<entity>/bulk")
def bulk_view(entity: str) -> Any:
    p = platform()
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    back = request.form.get("next") or url_for(".list_view", entity=entity)
    if not back.startswith("/"):
        back = url_for(".list_view", entity=entity)
    if not ids:
        flash(t("nothing_selected"), "warning")
        return redirect(back)
    if request.form.get("action") == "export":
        spec = entity_for(entity, "export")
        return _export(spec, ListQuery({"id": tuple(ids)}, {}, "", ("id",), 1, len(ids)), request.form.get("format", "xlsx"))
    entity_for(entity, "delete")
    deleted, refused = 0, []
    for record_id in ids:
        try:
            p.records.delete(entity, record_id, actor())
            deleted += 1
        except (RecordConflict, WorkflowRefused, NotFound, PermissionDenied) as exc:
            refused.append(f"#{record_id}: {exc.errors[0].message if isinstance(exc, RecordValidationError) else exc}")
    flash(t("deleted", n=deleted), "success")
    for line in refused:
        flash(line, "danger")
    return redirect(back)


def _export(spec: EntitySpec, query: ListQuery, fmt: str) -> Response:
    fmt = fmt if fmt in ("csv", "xlsx") else "xlsx"
    buffer = io.BytesIO()
    export_records(platform().records, spec.name, query, fmt, buffer, actor())
    buffer.seek(0)
    return send_file(
        buffer,
        as_attachment=True,
        download_name=f"{spec.title}.{fmt}",
        mimetype="text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@ui.get("/<entity>/export")
def export_view(entity: str) -> Any:
    spec = entity_for(entity, "export")
    query, _ = _list_query(spec)
    return _export(spec, query, request.args.get("format", "xlsx"))


@ui.get("/<entity>/lookup")
def lookup_view(entity: str) -> Any:
    """Search records to link to: ``{"results": [{"id", "text"}]}`` (select2's format), scoped."""
    p = platform()
    spec = entity_for(entity, "read")
    return jsonify({"results": pick(spec, p.registry.table(spec.name), scope_for(spec))})


@ui.get("/_dict/<name>")
def dictionary_view(name: str) -> Any:
    """One level of a code table, for cascading pickers: ``?parent=CODE`` (empty: the top level)."""
    spec = platform().registry.catalog.dictionaries.get(name)
    if spec is None:
        raise NotFound(name)
    if "path" in request.args:  # the codes from the root down to a code, to open a picker on it
        parents = {i.code: i.parent for i in spec.items}
        path: list[str] = []
        code = request.args["path"]
        while code in parents:
            path.insert(0, code)
            code = parents[code] or ""
        return jsonify({"path": path})
    parent, today = request.args.get("parent", ""), local_today(platform().codec)  # retired codes are not offered
    items = [
        {"code": i.code, "label": i.label, "level": i.level}
        for i in spec.items
        if (i.parent or "") == parent and i.in_force(today)
    ]
    return jsonify({"items": items})


@ui.get("/_file/<file_id>")
def file_view(file_id: str) -> Any:
    p = platform()
    row = p.files.readable(file_id, actor(), p.registry, p.access)
    response = send_file(p.files.path(file_id), mimetype=row["content_type"])
    response.headers["Content-Disposition"] = content_disposition(row["name"])  # RFC 6266, never inline
    return response


from . import audit, editing, workflow  # noqa: E402,F401  (the audit log, create/edit and workflow routes)
