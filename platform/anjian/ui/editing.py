"""Create and edit screens: forms from the declaration, errors next to their fields."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for

from ..errors import FieldError, RecordValidationError
from ..meta.process_spec import StateSpec
from ..meta.spec import EntitySpec
from .forms import FormData, input_name, parse_form, raw_values
from .i18n import t
from .views import actor, entity_for, platform, render, scope_for, sections, ui

__all__ = ["edit_view", "new_view", "offered_fields"]


def _errors_by_input(spec: EntitySpec, errors: list[FieldError]) -> tuple[dict[str, list[str]], set[str], list[str]]:
    """(input name -> messages, pointers whose error may be overridden, form-level messages)."""
    by_input: dict[str, list[str]] = {}
    overridable: set[str] = set()
    general = []
    for error in errors:
        if not error.pointer or not spec.has_field(error.pointer.strip("/").split("/")[0]):
            general.append(error.message)
            continue
        name = input_name(error.pointer)
        by_input.setdefault(name, []).append(error.message)
        if error.overridable:
            overridable.add(error.pointer)
    return by_input, overridable, general


def _store_uploads(spec: EntitySpec, data: FormData) -> None:
    """Save uploaded files first, so a failed save keeps them (their ids go back into the form)."""
    p = platform()
    for pointer, owner, field, upload in data.files:
        try:
            stored = p.files.save(owner, field, upload.filename, upload.mimetype, upload.stream, actor(), pointer)
        except RecordValidationError as exc:
            data.errors += exc.errors
            continue
        finally:
            upload.close()
        target_record, target_raw = data.record, data.raw
        parts = pointer.strip("/").split("/")
        for part in parts[:-1]:
            key: Any = int(part) if part.isdigit() else part
            target_record, target_raw = target_record[key], target_raw[key]
        name = parts[-1]
        target_raw.setdefault(name, []).append(stored["id"])
        if field.type == "array":
            target_record[name] = [*(target_record.get(name) or []), stored["id"]]
        else:
            target_record[name] = stored["id"]
            target_raw[name] = [stored["id"]]


def offered_fields(spec: EntitySpec, record_id: int | None) -> frozenset[str] | None:
    """The fields a create or edit form offers: what the process state allows (None: every field).

    A new record offers its process's first state's fields (and the required ones); a record in a
    process offers its current state's editable fields. Other fields are neither shown nor posted.
    """
    p = platform()
    process = p.registry.catalog.process_of(spec.name)
    if process is None:
        return None
    extra: set[str] = set()
    state: StateSpec | None = process.state(process.start)
    if record_id is None:
        extra = {f.name for f in spec.fields if f.required}
    else:
        with p.engine.connect() as conn:
            inst = p.workflow.instance(conn, spec.name, record_id)
            if inst is None:
                return None
            state = p.workflow.process_of(conn, inst).by_state.get(inst["state"])
    if state is None:
        return None
    if state.editable == "all" and not state.locked:
        return None
    return frozenset(f.name for f in spec.fields if state.may_edit(f.name) or f.name in extra)


def _form(
    spec: EntitySpec,
    raw: dict[str, Any],
    errors: list[FieldError],
    record_id: int | None,
    offered: frozenset[str] | None = None,
) -> Any:
    p = platform()
    by_input, overridable, general = _errors_by_input(spec, errors)
    if errors:
        flash(t("fix_errors"), "danger")
    files = p.files.describe(_raw_file_ids(raw))
    with p.engine.connect() as conn:
        from .display import Display

        display = Display(p.registry, conn, scope_for)
        display.load_links(
            spec,
            [
                {
                    k: int(v)
                    for k, v in raw.items()
                    if isinstance(v, str) and v.isdigit() and spec.has_field(k) and spec.field(k).link
                }
            ],
        )
    status = 422 if errors else 200
    return render(
        "anjian/form.html",
        spec=spec,
        raw=raw,
        errors=by_input,
        overridable=overridable,
        general=general,
        record_id=record_id,
        sections=[(title, fs) for title, fs in sections(spec) if offered is None or any(f.name in offered for f in fs)],
        offered=offered,
        registry=p.registry,
        files=files,
        display=display,
    ), status


def _raw_file_ids(raw: Any) -> list[str]:
    ids: list[str] = []
    if isinstance(raw, dict):
        for value in raw.values():
            if isinstance(value, list):
                ids += [v for v in value if isinstance(v, str)]
                ids += _raw_file_ids(value)
    elif isinstance(raw, list):
        for item in raw:
            ids += _raw_file_ids(item)
    return ids


def _save(spec: EntitySpec, record_id: int | None) -> Any:
    p = platform()
    offered = offered_fields(spec, record_id)
    data = parse_form(p.registry, spec, request.form, request.files, p.codec.zone, only=offered)
    _store_uploads(spec, data)
    partial = record_id is not None and offered is not None  # fields not offered keep their values
    try:
        if data.errors:
            # Ask the record service about the other fields too, so every problem shows at once.
            old = None
            if record_id is not None:
                with p.engine.connect() as conn:
                    old = p.reader.fetch(conn, spec, record_id, scope_for(spec))
            typed = {k: v for k, v in data.record.items() if not any(e.pointer == f"/{k}" for e in data.errors)}
            p.records.prepare(spec, typed, actor(), old, partial=partial)
            raise RecordValidationError(spec.name, data.errors)
        if record_id is None:
            saved = p.records.create(spec.name, data.record, actor())
        else:
            saved = p.records.update(spec.name, record_id, data.record, actor(), partial=partial)
    except RecordValidationError as exc:
        known = {e.pointer for e in data.errors}
        errors = data.errors + [e for e in exc.errors if e.pointer not in known]
        return _form(spec, data.raw, errors, record_id, offered)
    flash(t("saved"), "success")
    return redirect(url_for(".detail_view", entity=spec.name, record_id=saved["id"]))


@ui.route("/<entity>/new", methods=["GET", "POST"])
def new_view(entity: str) -> Any:
    spec = entity_for(entity, "create")
    if request.method == "POST":
        return _save(spec, None)
    p = platform()
    raw = raw_values(p.registry, spec, {f.name: f.default for f in spec.fields} | _own_defaults(spec), p.codec)
    return _form(spec, raw, [], None, offered_fields(spec, None))


def _own_defaults(spec: EntitySpec) -> dict[str, Any]:
    """An enterprise user files for their own enterprise, in its region: fill both in."""
    found = platform().access.account(actor().username)
    if found is None or found.user_type != "enterprise" or not spec.owner:
        return {}
    defaults: dict[str, Any] = {spec.owner: found.enterprise_id}
    if spec.scope:
        defaults[spec.scope] = found.region
    return defaults


@ui.route("/<entity>/<int:record_id>/edit", methods=["GET", "POST"])
def edit_view(entity: str, record_id: int) -> Any:
    spec = entity_for(entity, "update")
    if request.method == "POST":
        return _save(spec, record_id)
    p = platform()
    with p.engine.connect() as conn:
        record = p.reader.fetch(conn, spec, record_id, scope_for(spec))
    return _form(spec, raw_values(p.registry, spec, record, p.codec), [], record_id, offered_fields(spec, record_id))
