"""Routes of the generated screens: /e/ (home), /e/<entity>/ (list), detail, delete, bulk, lookups."""

from __future__ import annotations

import io
import math
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, or_, select

from ..audit import Actor
from ..data.query import ListQuery, filterable_fields
from ..data.system import audit_log
from ..data.transfer import export_records
from ..errors import AnjianError, NotFound, PermissionDenied, RecordConflict, RecordValidationError, WorkflowRefused
from ..meta.spec import EntitySpec
from ..runtime import Platform
from .display import Display
from .i18n import t

__all__ = ["actor", "page_number", "platform", "render", "ui"]

ui = Blueprint("anjian_ui", __name__, url_prefix="/e", static_folder="../static", static_url_path="/_static")
PAGE_SIZES = (20, 50, 100)


def platform() -> Platform:
    result: Platform = current_app.extensions["anjian"]
    return result


def actor() -> Actor:
    roles = tuple(sorted(r.name for r in current_user.roles))
    return Actor(username=current_user.username, address=request.remote_addr or "", roles=roles, is_admin="Admin" in roles)


def render(template: str, **context: Any) -> str:
    appbuilder = current_app.appbuilder  # type: ignore[attr-defined]
    return render_template(template, appbuilder=appbuilder, base_template=appbuilder.base_template, t=t, **context)


def page_number(args: Any, largest: int = 1_000_000) -> int:
    """The ``page`` argument of a screen, 1 when absent or out of range (never an overflow)."""
    raw = str(args.get("page", "") or "")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= largest else 1


def scope_for(spec: EntitySpec) -> Any:
    p = platform()
    return p.access.scope(actor(), spec, p.registry.table(spec.name))


@ui.before_request
def _require_login() -> Any:
    if not current_user.is_authenticated:
        return redirect(current_app.appbuilder.get_url_for_login_with(request.full_path.rstrip("?")))  # type: ignore[attr-defined]
    return None


@ui.errorhandler(AnjianError)
def _error(exc: AnjianError) -> Any:
    status = exc.http_status if exc.http_status in (403, 404, 409, 422) else 500
    message = t("not_found") if isinstance(exc, NotFound) else str(exc)
    return render("anjian/error.html", message=message, status=status), status


def entity_for(name: str, action: str) -> EntitySpec:
    spec: EntitySpec = platform().registry.entity(name)
    platform().access.check(actor(), spec, action)
    return spec


@ui.get("/")
def home() -> Any:
    p = platform()
    registry = p.registry
    counts = {}
    readable = {e.name for e in registry.catalog.top_entities() if _may(e, "read")}
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
    return render("anjian/home.html", modules=modules, loose=loose, counts=counts, registry=registry)


def _may(spec: EntitySpec, action: str) -> bool:
    try:
        platform().access.check(actor(), spec, action)
    except PermissionDenied:
        return False
    return True


def _list_query(spec: EntitySpec) -> tuple[ListQuery, dict[str, str]]:
    args = {k: v for k, v in request.args.items() if v != ""}
    try:
        return ListQuery.parse(spec, args), args
    except RecordValidationError as exc:
        for error in exc.errors:
            flash(f"{error.pointer.removeprefix('/query/')}: {error.message}", "warning")
        return ListQuery.parse(spec, {}), {}


@ui.get("/<entity>/")
def list_view(entity: str) -> Any:
    p = platform()
    spec = entity_for(entity, "read")
    query, args = _list_query(spec)
    with p.engine.connect() as conn:
        page = p.reader.page(conn, spec, query, scope_for(spec))
        display = Display(p.registry, conn, scope_for)
        display.load_links(spec, page["items"])
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
    )


@ui.get("/<entity>/<int:record_id>")
def detail_view(entity: str, record_id: int) -> Any:
    p = platform()
    spec = entity_for(entity, "read")
    with p.engine.connect() as conn:
        record = p.reader.fetch(conn, spec, record_id, scope_for(spec))
        display = Display(p.registry, conn, scope_for)
        display.load_links(spec, [record])
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
        result.append(("其他" if result else spec.title, rest))
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
    table = p.registry.table(spec.name)
    title = table.c[spec.title_field] if spec.title_field else table.c.id
    query = select(table.c.id, title)
    scope = scope_for(spec)
    if scope is not None:
        query = query.where(scope)
    if request.args.get("id", "").isdigit():
        query = query.where(table.c.id == int(request.args["id"]))
    text = request.args.get("q", "").strip()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        names = {spec.title_field, *spec.search_fields} - {None}
        query = query.where(or_(*(table.c[n].like(pattern, escape="\\") for n in names if n)))
    with p.engine.connect() as conn:
        rows = conn.execute(query.order_by(title).limit(20)).all()
    return jsonify({"results": [{"id": row[0], "text": str(row[1])} for row in rows]})


@ui.get("/_dict/<name>")
def dictionary_view(name: str) -> Any:
    """One level of a code table, for cascading pickers: ``?parent=CODE`` (empty: the top level)."""
    spec = platform().registry.catalog.dictionaries.get(name)
    if spec is None:
        raise NotFound(name)
    if "path" in request.args:  # the codes from the root down to a code, to open a picker on it
        parents = {i.code: i.parent for i in spec.items}
        path, code = [], request.args["path"]
        while code in parents:
            path.insert(0, code)
            code = parents[code] or ""
        return jsonify({"path": path})
    parent = request.args.get("parent", "")
    items = [{"code": i.code, "label": i.label, "level": i.level} for i in spec.items if (i.parent or "") == parent]
    return jsonify({"items": items})


@ui.get("/_file/<file_id>")
def file_view(file_id: str) -> Any:
    p = platform()
    row = p.files.readable(file_id, actor(), p.registry, p.access)
    return send_file(p.files.path(file_id), mimetype=row["content_type"], as_attachment=True, download_name=row["name"])


from . import audit, editing, workflow  # noqa: E402,F401  (the audit log, create/edit and workflow routes)
