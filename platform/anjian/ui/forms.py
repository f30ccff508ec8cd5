"""HTML forms for entity records: input names, parsing posted values, placing field errors.

Inputs are named after the record's JSON pointer with "-" for "/": ``name``,
``safety_staff-0-name``, ``safety_staff-0-certificates-1-number``. So a field error from the
record service (pointer ``/safety_staff/0/name``) lands next to its input, and the raw text a
user typed is shown again after an error: nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from ..errors import FieldError
from ..meta.spec import EntitySpec, FieldSpec

__all__ = ["FormData", "input_name", "parse_form", "raw_values"]

ROW_MARK = "__row"
OVERRIDE = "_override:"


def input_name(pointer: str) -> str:
    """``/safety_staff/0/name`` -> ``safety_staff-0-name``."""
    return pointer.strip("/").replace("/", "-")


@dataclass
class FormData:
    """A parsed form: the record for the service, raw texts to show again, and parse errors."""

    record: dict[str, Any]
    raw: dict[str, Any]
    errors: list[FieldError] = field(default_factory=list)
    files: list[tuple[str, EntitySpec, FieldSpec, Any]] = field(default_factory=list)  # pointer, owner, field, upload


def _parse(field: FieldSpec, text: str, zone: Any) -> Any:
    text = text.strip()
    if text == "":
        return None
    if field.type == "integer" or field.link:
        return int(text)
    if field.type == "number":
        return float(text)
    if field.enum is not None:
        return next((v for v in field.enum if str(v) == text), text)
    if field.format == "date-time":
        moment = dt.datetime.fromisoformat(text)
        return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).isoformat()
    if field.type in ("object", "array"):
        return json.loads(text)
    return text


def _messages(field: FieldSpec) -> str:
    if field.type == "integer":
        return "应为整数"
    if field.type == "number":
        return "应为数字"
    if field.format == "date-time":
        return "应为日期时间"
    if field.type in ("object", "array"):
        return "应为 JSON"
    return "格式无效"


def parse_form(
    registry: Any,
    spec: EntitySpec,
    form: MultiDict[str, str],
    files: MultiDict[str, Any],
    zone: Any,
    prefix: str = "",
    only: frozenset[str] | None = None,
) -> FormData:
    """Read the inputs of ``spec`` (under ``prefix`` for child rows) into a FormData.

    ``only``: the fields the form offered (None: all); the others are not read, so a field the
    page did not show is never sent back as a change.
    """
    data = FormData({}, {})
    for f in spec.fields:
        name = f"{prefix}{f.name}"
        pointer = f"/{f.name}"  # relative to this record; callers prefix the row's position
        if f.computed or (only is not None and f.name not in only):
            continue
        if f.child:
            child = registry.entity(f.child, child_ok=True)
            rows, raws = [], []
            indexes = sorted(
                {
                    int(key[len(name) + 1 :].split("-")[0])
                    for key in form
                    if key.startswith(name + "-") and key.endswith("-" + ROW_MARK)
                }
            )
            for position, index in enumerate(indexes):
                row = parse_form(registry, child, form, files, zone, f"{name}-{index}-")
                row_id = form.get(f"{name}-{index}-id", "")
                if row_id.isdigit():
                    row.record["id"] = int(row_id)
                    row.raw["id"] = row_id
                # Rows are numbered by position, as the record service and the re-rendered form count them.
                at = f"/{f.name}/{position}"
                data.errors += [FieldError(at + e.pointer, e.message, e.code) for e in row.errors]
                data.files += [(at + where, owner, fld, upload) for where, owner, fld, upload in row.files]
                rows.append(row.record)
                raws.append(row.raw)
            data.record[f.name] = rows
            data.raw[f.name] = raws
            continue
        if f.attachment is not None:
            # Files kept from before: each once, and the raw texts a list of its own (uploads are
            # appended to both later; one shared list would name every new file twice).
            kept = list(dict.fromkeys(v for v in form.getlist(name) if v))
            data.raw[f.name] = list(kept)
            data.files += [
                (pointer, spec, f, upload) for upload in files.getlist(f"{name}__upload") if upload and upload.filename
            ]
            if f.type == "array":
                data.record[f.name] = kept or None  # no file is no value, as an empty text is
            else:
                data.record[f.name] = kept[0] if kept else None
            continue
        if f.type == "boolean":
            checked = form.get(name) in ("on", "true", "1")
            data.raw[f.name] = checked
            data.record[f.name] = checked
            continue
        text = form.get(name, "")
        data.raw[f.name] = text
        try:
            data.record[f.name] = _parse(f, text, zone)
        except (ValueError, json.JSONDecodeError):
            data.errors.append(FieldError(pointer, _messages(f), "type"))
    if not prefix:
        overrides = {
            key[len(OVERRIDE) :]: value.strip() for key, value in form.items() if key.startswith(OVERRIDE) and value.strip()
        }
        if overrides:
            data.record["_overrides"] = overrides
            data.raw["_overrides"] = overrides
        if form.get("row_version", "").isdigit():
            data.record["row_version"] = int(form["row_version"])
            data.raw["row_version"] = form["row_version"]
    return data


def raw_values(registry: Any, spec: EntitySpec, record: Mapping[str, Any], codec: Any) -> dict[str, Any]:
    """A stored record as the texts its form inputs show."""
    raw: dict[str, Any] = {"id": record.get("id"), "row_version": record.get("row_version")}
    for f in spec.fields:
        value = record.get(f.name)
        if f.child:
            child = registry.entity(f.child, child_ok=True)
            raw[f.name] = [raw_values(registry, child, row, codec) for row in value or ()]
        elif f.attachment is not None:
            listed = value if isinstance(value, list) else ([value] if value else [])
            raw[f.name] = list(dict.fromkeys(listed))
        elif f.type == "boolean":
            raw[f.name] = bool(value)
        elif value is None:
            raw[f.name] = ""
        elif f.format == "date-time":
            raw[f.name] = str(value)[:16]
        elif f.type in ("object", "array"):
            raw[f.name] = json.dumps(value, ensure_ascii=False)
        else:
            raw[f.name] = str(value)
    return raw
