"""The studio's designer forms read into designer edits: processes (states, transitions,
deadlines, migration) and an entity's rules and layout. Each returns the new files and the note
shown after saving; the studio screen saves them as one draft version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from ..studio import Draft, Studio
from ..studio import entity_forms as ef
from ..studio import process_designer as pd
from ..studio.diagram import process_svg

__all__ = ["ENTITY_OPS", "PROCESS_OPS", "apply_entity", "apply_process", "process_context"]

ENTITY_OPS = frozenset({"rules", "layout", "dictionary", "remove_dictionary", "restore"})

PROCESS_OPS = frozenset(
    {"add_process", "state", "remove_state", "transition", "remove_transition", "deadline", "remove_deadline", "migration"}
)


def _stages(form: MultiDict[str, str]) -> list[dict[str, Any]]:
    rows = zip(
        form.getlist("stage_kind"),
        form.getlist("stage_side"),
        form.getlist("stage_amount"),
        form.getlist("stage_unit"),
        form.getlist("stage_notify"),
        strict=False,
    )
    stages = []
    for kind, side, amount, unit, notify in rows:
        if not kind:
            continue
        stage: dict[str, Any] = {"kind": kind, "unit": unit or "workdays", "notify": [notify]}
        if amount.strip():
            stage[side if side in ("before", "after") else "before"] = int(amount)
        stages.append(stage)
    return stages


def apply_process(op: str, form: MultiDict[str, str], draft: Draft, entity: str) -> tuple[dict[str, Any], str]:
    """One process designer action on the draft's files (KeyError/ValueError on a malformed form)."""
    files = draft.files
    process = form.get("process", "")
    name = form["name"].strip() if op != "migration" else ""
    if op == "add_process":
        return pd.add_process(files, entity, name, form.get("title", "").strip()), f"已添加流程 {name}"
    if op == "state":
        editable: str | list[str] = form.get("editable", "all")
        if editable not in ("all", "none"):
            editable = form.getlist("editable_fields")
        changed = pd.set_state(
            files,
            process,
            name,
            title=form.get("title", "").strip(),
            editable=editable,
            end=bool(form.get("end")),
            locked=bool(form.get("locked")),
            start=bool(form.get("start")),
        )
        return changed, f"已保存状态 {name}"
    if op == "remove_state":
        return pd.remove_state(files, process, name), f"已删除状态 {name}"
    if op == "transition":
        changed = pd.set_transition(
            files,
            process,
            name,
            title=form.get("title", "").strip(),
            sources=form.getlist("from"),
            to=form.get("to", ""),
            roles=[*form.getlist("roles"), form.get("roles_other", "")],
            condition=form.get("condition", ""),
            fields=form.getlist("fields"),
            requires=form.getlist("requires"),
            comment=form.get("comment", "none"),
            attachment=form.get("attachment", "none"),
        )
        return changed, f"已保存流转 {name}"
    if op == "remove_transition":
        return pd.remove_transition(files, process, name), f"已删除流转 {name}"
    if op == "deadline":
        changed = pd.set_deadline(
            files,
            process,
            name,
            title=form.get("title", "").strip(),
            starts=form.get("starts", ""),
            amount=int(form.get("amount", "0")),
            unit=form.get("unit", "workdays"),
            ends=form.getlist("ends"),
            stages=_stages(form),
        )
        return changed, f"已保存时限 {name}"
    if op == "remove_deadline":
        return pd.remove_deadline(files, process, name), f"已删除时限 {name}"
    mapping = {k[len("map:") :]: v for k, v in form.items() if k.startswith("map:")}
    return pd.set_migration(files, process, mapping), "已保存在办记录的状态迁移"


def process_context(
    draft: Draft, entity: str, problems: list[dict[str, Any]], in_flight: Mapping[str, int]
) -> dict[str, Any] | None:
    """What the process designer shows for ``entity``'s process: its document, diagram, and the
    problems of its file placed on their state, transition (index) or deadline (index)."""
    for name, file in pd.processes(draft.files).items():
        doc = draft.files[file]
        if doc.get("entity") != entity:
            continue
        places: dict[str, dict[str, list[dict[str, Any]]]] = {"state": {}, "transition": {}, "deadline": {}}
        rest: list[dict[str, Any]] = []
        for p in problems:
            if p.get("file") != file:
                continue
            key = next((k for k in places if k in p), None)
            if key is None:
                rest.append(p)
            else:
                places[key].setdefault(str(p[key]), []).append(p)
        positions = draft.layout.get("positions", {}).get(name, {})
        return {
            "name": name,
            "file": file,
            "doc": doc,
            "svg": Markup(process_svg(doc, positions)),  # noqa: S704  (every text escaped inside)
            "by_state": places["state"],
            "by_transition": places["transition"],
            "by_deadline": places["deadline"],
            "problems": {"": rest},
            "in_flight": dict(in_flight),
        }
    return None


def apply_entity(op: str, form: MultiDict[str, str], draft: Draft, entity: str, studio: Studio) -> tuple[dict[str, Any], str]:
    """One rules, layout, dictionary or restore action (KeyError/ValueError on a malformed form)."""
    files = draft.files
    if op == "rules":
        name = form["name"]
        values: dict[str, Any] = {k: v for k, v in form.items() if k not in ("csrf_token", "version", "op", "entity", "name")}
        if "validators_shown" in form:
            values["validators"] = form.getlist("validators")
        return ef.set_field_rules(files, entity, name, values), f"已保存字段 {name} 的规则"
    if op == "layout":
        values = {
            k: v
            for k, v in form.items()
            if k in ef.LAYOUT_KEYS or k.endswith(("_columns", "_fields")) or k in ("order_by", "unique", "indexes")
        }
        values["sections"] = list(
            zip(form.getlist("section_title"), form.getlist("section_columns"), form.getlist("section_fields"), strict=False)
        )
        return ef.set_layout(files, entity, values), "已保存布局"
    if op == "dictionary":
        name = form["name"].strip()
        items = ef.parse_items(form.get("items", ""))
        changed = ef.set_dictionary(
            files, name, title=form.get("title", "").strip(), hierarchical=bool(form.get("hierarchical")), items=items
        )
        return changed, f"已保存字典 {name}（{len(items)} 项）"
    if op == "remove_dictionary":
        return ef.remove_dictionary(files, form["name"]), f"已删除字典 {form['name']}"
    name = form["name"]
    retired = studio.retired_fields(draft, entity)
    return ef.restore_field(files, entity, name, retired[name]), f"已恢复字段 {name}（原数据保留，发布后重新显示）"
