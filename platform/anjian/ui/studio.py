"""The studio's screens (建模工作台, ``/studio/``): modules, the draft editor with the entity
designer and live preview, the process diagram, and the publish page with its plan and grants.

Every screen calls ``anjian.studio`` (drafts, review, publish); the preview renders the draft's
form with the officer screens' own field macros and sections.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, flash, jsonify, redirect, request, url_for

from ..catalog import Registry
from ..data.query import filterable_fields
from ..errors import AnjianError, MetadataErrors, RecordConflict
from ..meta.compile import Catalog
from ..studio import Draft, Studio, designer, entity_forms, process_designer
from ..studio.samples import sample_records
from .base import actor, guard, platform, render
from .display import Display
from .forms import raw_values
from .studio_forms import ENTITY_OPS, PROCESS_OPS, apply_entity, apply_process, process_context
from .views import sections

__all__ = ["studio_ui"]

studio_ui = Blueprint("anjian_studio", __name__, url_prefix="/studio")
guard(studio_ui)


def _studio() -> Studio:
    s = Studio(platform())
    s.require(actor())
    return s


def _version() -> int:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else -1


def _entities(draft: Draft) -> list[tuple[str, str, dict[str, Any]]]:
    """(file, entity, document) of the draft's entities, in file order."""
    return [
        (name, str(doc["x-anjian"]["entity"]), doc)
        for name, doc in sorted(draft.files.items())
        if isinstance(doc, dict) and isinstance(doc.get("x-anjian"), dict) and "entity" in doc["x-anjian"]
    ]


@studio_ui.get("/")
def modules_view() -> Any:
    s = _studio()
    return render("anjian/studio/modules.html", modules=s.modules())


@studio_ui.post("/drafts")
def create_view() -> Any:
    s = _studio()
    raw = request.form.get("from_version", "")
    try:
        module, title = request.form.get("module", "").strip(), request.form.get("title", "").strip()
        draft = s.create_draft(actor(), module, from_version=int(raw) if raw.isdigit() else None, title=title)
    except AnjianError as exc:
        flash(_text(exc), "danger")
        return redirect(url_for(".modules_view"))
    return redirect(url_for(".draft_view", draft_id=draft.id))


def _text(exc: AnjianError) -> str:
    if isinstance(exc, MetadataErrors):
        return "；".join(f"{e.message}。{e.hint or ''}" for e in exc.errors)
    details = exc.details()
    return "；".join(str(d.get("message", "")) for d in details) or str(exc)


@studio_ui.get("/drafts/<int:draft_id>")
def draft_view(draft_id: int) -> Any:
    s = _studio()
    draft = s.drafts.get(draft_id)
    review = s.review(draft)
    problems = review.problems()
    entity = request.args.get("entity") or next((e for _f, e, _d in _entities(draft)), "")
    top, *steps = entity.split("/")  # a path into child tables: "fireworks_flow/lines"
    try:
        current: dict[str, Any] | None = designer.locate(draft.files, entity)[0] if entity else None
    except KeyError:
        current, entity, steps = None, top, []
    by_field = _field_problems(problems, draft, top, steps)
    process = process_context(draft, top, problems, s.states_in_flight(top) if top and not steps else {})
    props = current.get("properties", {}) if isinstance(current, dict) else {}
    entity_fields = [(n, str(p.get("title", n)) if isinstance(p, dict) else n) for n, p in props.items()]
    manifest = draft.files.get("module.json", {})
    role_names = [
        {"name": r["name"], "title": r.get("title", r["name"])}
        for r in (manifest.get("roles", []) if isinstance(manifest, dict) else [])
        if isinstance(r, dict) and isinstance(r.get("name"), str)
    ]
    return render(
        "anjian/studio/draft.html",
        draft=draft,
        entities=_entities(draft),
        entity=entity,
        top=top,
        steps=steps,
        document=current,
        problems=problems,
        by_field=by_field,
        kinds=designer.KINDS,
        standard=designer.STANDARD_TITLES,
        texts={name: json.dumps(doc, ensure_ascii=False, indent=2) for name, doc in sorted(draft.files.items())},
        process=process,
        retired=s.retired_fields(draft, entity) if current is not None and not steps else {},
        dictionaries=_dictionaries(draft, s),
        widgets=entity_forms.WIDGETS,
        functions={k: sorted(v) for k, v in s.platform.host.functions.names().items()},
        entity_names=sorted(
            {n for n, e in s.platform.registry.catalog.entities.items() if not e.is_child} | {e for _f, e, _d in _entities(draft)}
        ),
        entity_fields=entity_fields,
        role_names=role_names,
        choices=process_designer.CHOICES,
        stage_kinds=process_designer.STAGE_KINDS,
        units=process_designer.UNITS,
        roles=s.roles(draft),
        actions=designer.ACTIONS,
    )


def _field_problems(problems: list[dict[str, Any]], draft: Draft, top: str, steps: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Problems by the field of the designed table they concern (a child table's own fields too)."""
    if not steps:
        found: dict[str, list[dict[str, Any]]] = {}
        for p in problems:
            found.setdefault(p.get("field", ""), []).append(p)
        return found
    try:
        file = designer.entity_file(draft.files, top)
    except KeyError:
        return {}
    prefix = "".join(f"/properties/{step}/items" for step in steps) + "/properties/"
    found = {}
    for p in problems:
        if p["file"] == file and p["pointer"].startswith(prefix):
            found.setdefault(p["pointer"][len(prefix) :].split("/")[0], []).append(p)
    return found


def _dictionaries(draft: Draft, s: Studio) -> dict[str, Any]:
    """The draft's own code tables (name -> document) and the names of every published one."""
    own = {str(d["dictionary"]): d for d in draft.files.values() if isinstance(d, dict) and "dictionary" in d}
    return {"own": own, "names": sorted(set(s.platform.registry.catalog.dictionaries) | set(own))}


def _save(draft_id: int, files: dict[str, Any], entity: str, note: str) -> Any:
    s = _studio()
    try:
        s.save_draft(actor(), draft_id, _version(), files=files)
        flash(note, "success")
    except RecordConflict as exc:
        flash(_text(exc), "danger")
    if request.form.get("back") == "publish":
        return redirect(url_for(".publish_view", draft_id=draft_id))
    return redirect(url_for(".draft_view", draft_id=draft_id, entity=entity))


@studio_ui.post("/drafts/<int:draft_id>/edit")
def edit_view(draft_id: int) -> Any:
    """One designer action (add, remove, rename, move a field) or a file's JSON, saved as a new version."""
    s = _studio()
    draft = s.drafts.get(draft_id)
    form = request.form
    entity = form.get("entity", "")
    op = form.get("op", "")
    try:
        if op == "add":
            files = designer.add_field(
                draft.files,
                entity,
                form["name"].strip(),
                form.get("title", "").strip(),
                form["kind"],
                required=bool(form.get("required")),
            )
            note = f"已添加字段 {form['name']}"
        elif op in ("retire", "delete"):
            files = designer.remove_field(draft.files, entity, form["name"], delete=op == "delete")
            note = f"已停用字段 {form['name']}（数据保留）" if op == "retire" else f"字段 {form['name']} 将在发布时删除（需确认）"
        elif op == "rename":
            files = designer.rename_field(draft.files, entity, form["name"], form["new_name"].strip())
            note = f"已将字段 {form['name']} 改名为 {form['new_name']}"
        elif op == "move":
            files = designer.move_fields(draft.files, entity, [n for n in form.get("order", "").split(",") if n])
            note = "已调整字段顺序"
        elif op == "add_entity":
            name = form["name"].strip()
            files = designer.add_entity(draft.files, draft.module, name, form.get("title", "").strip())
            entity, note = name, f"已添加实体 {name}"
        elif op == "add_role":
            permissions = {e: form.getlist(f"perm:{e}") for _f, e, _d in _entities(draft)}
            permissions.update({e: ["read"] for e in form.getlist("read_also")})
            inherits = [r for r in form.get("inherits", "").replace("，", ",").split(",") if r.strip()]
            files = designer.add_role(draft.files, form["name"].strip(), form.get("title", "").strip(), permissions, inherits)
            note = f"已保存角色 {form['name']}"
        elif op == "remove_entity":
            files = designer.remove_entity(draft.files, entity)
            note, entity = f"已撤下实体 {entity}（数据表保留）", ""
        elif op in PROCESS_OPS:
            files, note = apply_process(op, form, draft, entity)
        elif op in ENTITY_OPS:
            files, note = apply_entity(op, form, draft, entity, s)
        elif op == "file":
            files = dict(draft.files)
            name = form["file"].strip()
            text = form.get("text", "").strip()
            if not text:
                files.pop(name, None)
                note = f"已删除文件 {name}"
            else:
                files[name] = json.loads(text)
                note = f"已保存 {name}"
        else:
            return Response("unknown operation", status=400)
    except (KeyError, ValueError) as exc:
        flash(f"操作无效：{exc}", "danger")
        return redirect(url_for(".draft_view", draft_id=draft_id, entity=entity))
    return _save(draft_id, files, entity, note)


@studio_ui.post("/drafts/<int:draft_id>/check-file")
def check_file_view(draft_id: int) -> Any:
    """Check one file's text as typed (nothing saved): the problems of that file, for the editor."""
    s = _studio()
    draft = s.drafts.get(draft_id)
    body = request.get_json(silent=True) or {}
    name, text = str(body.get("file", "")), str(body.get("text", ""))
    try:
        content = json.loads(text)
    except json.JSONDecodeError as exc:
        return jsonify(
            {"problems": [{"pointer": "", "message": f"JSON 语法错误：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}"}]}
        )
    review = s.review(replace(draft, files={**draft.files, name: content}))
    return jsonify({"problems": [p for p in review.problems() if p["file"] == name or not p["file"]]})


@studio_ui.post("/drafts/<int:draft_id>/positions")
def positions_view(draft_id: int) -> Any:
    """Keep where the configurator dragged a process's states (the draft's layout, never the
    declaration); ``positions`` null puts the process back to the automatic layout."""
    s = _studio()
    draft = s.drafts.get(draft_id)
    body = request.get_json(silent=True) or {}
    raw = body.get("positions")
    positions = raw if raw is None or isinstance(raw, dict) else {}
    layout = process_designer.place_states(draft.layout, str(body.get("process", "")), positions)
    try:
        saved = s.save_draft(actor(), draft_id, body.get("version"), layout=layout)
    except RecordConflict as exc:
        return jsonify({"ok": False, "message": _text(exc)}), 409
    return jsonify({"ok": True, "version": saved.version})


@studio_ui.post("/drafts/<int:draft_id>/check-condition")
def check_condition_view(draft_id: int) -> Any:
    """Check a transition's condition as typed, over the fields the draft declares for the entity
    (nothing saved)."""
    s = _studio()
    draft = s.drafts.get(draft_id)
    body = request.get_json(silent=True) or {}
    return jsonify(process_designer.check_condition(draft.files, str(body.get("entity", "")), str(body.get("condition", ""))))


def _around(catalog: Catalog, entity: str) -> Catalog:
    """The catalog cut to what one form shows (the entity, its child tables, what it links to):
    tables are built for these only, which keeps the preview fast in a large catalog."""
    wanted, stack = set(), [entity]
    while stack:
        name = stack.pop()
        if name in wanted or name not in catalog.entities:
            continue
        wanted.add(name)
        spec = catalog.entities[name]
        stack += [f.child for f in spec.fields if f.child] + ([] if name != entity else [f.link for f in spec.fields if f.link])
    return replace(catalog, entities={n: e for n, e in catalog.entities.items() if n in wanted})


@studio_ui.get("/drafts/<int:draft_id>/preview/<entity>")
def preview_view(draft_id: int, entity: str) -> Any:
    """The draft's form for ``entity``, rendered by the officer screens' own macros."""
    s = _studio()
    draft = s.drafts.get(draft_id)
    catalog = s.preview_catalog(draft, entity)
    if catalog is None or entity not in catalog.entities:
        return render("anjian/studio/preview.html", spec=None, problems=s.review(draft).problems())
    p = platform()
    registry = Registry(_around(catalog, entity), 0, p.host.functions)
    spec = registry.entity(entity)
    records = sample_records(spec, registry.catalog.entities, registry.catalog.dictionaries)
    raw = raw_values(registry, spec, records[0], p.codec)
    with p.engine.connect() as conn:
        display = Display(registry, conn, lambda _spec: None)
    return render(
        "anjian/studio/preview.html",
        spec=spec,
        raw=raw,
        records=records,
        columns=[spec.field(n) for n in spec.effective_list_columns if spec.has_field(n)],
        filters=[f for n, f in filterable_fields(spec).items() if not f.link],
        sections=sections(spec),
        registry=registry,
        display=display,
        files={},
        errors={},
        overridable=set(),
        problems=[],
    )


@studio_ui.route("/drafts/<int:draft_id>/publish", methods=["GET", "POST"])
def publish_view(draft_id: int) -> Any:
    s = _studio()
    draft = s.drafts.get(draft_id)
    if request.method == "POST":
        try:
            result = s.publish(actor(), draft_id, _version(), confirm=request.form.get("confirm", "").strip())
        except AnjianError as exc:
            flash(_text(exc), "danger")
            return redirect(url_for(".publish_view", draft_id=draft_id))
        flash(f"已发布为目录版本 {result['version']}", "success")
        if result["exports"]:
            flash("删除前已导出数据：" + "，".join(result["exports"]), "info")
        return redirect(url_for(".publish_view", draft_id=draft_id, published=result["version"]))
    review = s.review(draft)
    plan = dry = None
    if review.ok:
        plan = s.plan(actor(), draft)
        dry = s.dry_run(actor(), draft)
    return render(
        "anjian/studio/publish.html",
        draft=s.drafts.get(draft_id),
        problems=review.problems(),
        plan=plan,
        dry=dry,
        roles=s.roles(draft),
        published=request.args.get("published"),
    )


@studio_ui.post("/modules/<module>/withdraw")
def withdraw_view(module: str) -> Any:
    s = _studio()
    try:
        result = s.withdraw(actor(), module, confirm=request.form.get("confirm", "").strip())
        flash(f"已撤下模块 {module}（目录版本 {result['version']}，数据表和数据保留）", "success")
    except AnjianError as exc:
        flash(_text(exc), "danger")
    return redirect(url_for(".modules_view"))


@studio_ui.post("/drafts/<int:draft_id>/grant")
def grant_view(draft_id: int) -> Any:
    s = _studio()
    form = request.form
    try:
        s.grant(actor(), form.get("username", "").strip(), form.get("role", ""), form.get("region", "").strip())
        flash(f"已授予 {form.get('username')} 角色 {form.get('role')}（{form.get('region')}）", "success")
    except AnjianError as exc:
        flash(_text(exc), "danger")
    return redirect(url_for(".publish_view", draft_id=draft_id))


@studio_ui.get("/drafts/<int:draft_id>/export")
def export_view(draft_id: int) -> Any:
    s = _studio()
    draft = s.drafts.get(draft_id)
    data = s.export(actor(), draft.module, draft.files, draft_id)
    return Response(
        data, mimetype="application/zip", headers={"Content-Disposition": f'attachment; filename="{draft.module}.zip"'}
    )
