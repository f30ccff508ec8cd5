"""The entity designer's rule, layout and dictionary forms, as plain functions on a draft's files.

Rules are a field's JSON Schema keywords (lengths, ranges, pattern) and options (dictionary,
link, widget, enum labels), plus the entity's ``unique`` and ``indexes``; layout is the entity's
``x-anjian`` lists (sections with columns, list, search and filter columns, default order, title,
scope, owner and publication columns); dictionaries are code-table files of the module. An empty
input removes the key, so the declaration keeps only what the configurator set. The draft's
checks judge the result (a pattern that does not compile, a list naming an unknown field).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from .designer import locate

__all__ = [
    "LAYOUT_KEYS",
    "WIDGETS",
    "parse_enum",
    "parse_items",
    "remove_dictionary",
    "restore_field",
    "set_dictionary",
    "set_field_rules",
    "set_layout",
]

WIDGETS = {
    "": "默认",
    "textarea": "多行文本",
    "select": "下拉选择",
    "radio": "单选按钮",
    "switch": "开关",
    "richtext": "富文本",
    "tel": "电话",
    "email": "邮箱",
    "url": "网址",
    "password": "密码",
    "map": "地图",
}
LAYOUT_KEYS = ("title_field", "scope", "owner", "published")
_RULES = ("minLength", "maxLength", "minimum", "maximum", "pattern")


def _copy(files: Mapping[str, Any], entity: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A copy of the files and, inside it, the schema the designer path names (child tables too)."""
    result = copy.deepcopy(dict(files))
    return result, locate(result, entity)[0]


def _set(target: dict[str, Any], key: str, value: Any) -> None:
    if value is None or value is False or (isinstance(value, str | list | dict) and not value):  # 0 is a value
        target.pop(key, None)
    else:
        target[key] = value


def _number(raw: str | None, integer: bool) -> int | float | None:
    """A typed limit: an integer where one is expected; ValueError on text that is no number."""
    text = (raw or "").strip()
    if not text:
        return None
    value = float(text)
    return int(value) if integer or value.is_integer() else value


def _names(raw: str | Sequence[str]) -> list[str]:
    parts = raw.replace("，", ",").replace("、", ",").split(",") if isinstance(raw, str) else list(raw)
    seen: list[str] = []
    for part in parts:
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


def parse_enum(text: str) -> tuple[list[str], dict[str, str]]:
    """Options typed one per line as ``value 标签`` (the label defaults to the value)."""
    values, labels = [], {}
    for line in text.splitlines():
        parts = line.strip().split(None, 1)
        if not parts or parts[0] in values:
            continue
        values.append(parts[0])
        labels[parts[0]] = parts[1].strip() if len(parts) > 1 else parts[0]
    return values, labels


def set_field_rules(files: Mapping[str, Any], entity: str, name: str, form: Mapping[str, Any]) -> dict[str, Any]:
    """A field's title, required, rules and options as the rules form gives them (strings)."""
    result, doc = _copy(files, entity)
    schema = doc["properties"][name]
    options = schema.setdefault("x-anjian", {})
    _set(schema, "title", str(form.get("title", "")).strip() or name)
    _set(schema, "description", str(form.get("description", "")).strip())
    integer = schema.get("type") == "integer"
    for key in _RULES:
        raw = str(form.get(key, ""))
        value: Any = raw.strip() if key == "pattern" else _number(raw, integer or key.endswith("Length"))
        _set(schema, key, value)
    if "enum_text" in form and "enum" in schema:
        values, labels = parse_enum(str(form["enum_text"]))
        schema["enum"] = values
        options["enum_labels"] = labels
    for key in ("dictionary", "link", "widget", "placeholder", "computed"):
        if key in form:
            _set(options, key, str(form[key]).strip())
    if "validators" in form:  # named checks registered by modules, e.g. registry.id_number_check
        _set(options, "validators", _names(form["validators"]))
    for key in ("readonly", "hidden"):
        _set(options, key, bool(form.get(key)))
    if isinstance(options.get("attachment"), dict) and "attachment_accept" in form:
        attachment: dict[str, Any] = {}
        size = _number(str(form.get("attachment_max_mb", "")), False)
        if size is not None:
            attachment["max_size"] = int(size * 1024 * 1024)  # typed in MiB, declared in bytes
        _set(attachment, "accept", _names(str(form["attachment_accept"])))
        _set(attachment, "multiple", bool(form.get("attachment_multiple")))
        options["attachment"] = attachment
    if not options:
        schema.pop("x-anjian")
    required = doc.setdefault("required", [])
    if form.get("required") and name not in required:
        required.append(name)
    elif not form.get("required") and name in required:
        required.remove(name)
    settings = doc.setdefault("x-anjian", {})
    for key, wanted in (("unique", bool(form.get("unique"))), ("indexes", bool(form.get("index")))):
        groups = [g for g in settings.get(key, []) if g != [name]]
        if wanted:
            groups.append([name])
        _set(settings, key, groups)
    if not settings:
        doc.pop("x-anjian")  # a child table's items carry no options unless some are set
    return result


def set_layout(files: Mapping[str, Any], entity: str, form: Mapping[str, Any]) -> dict[str, Any]:
    """The entity's layout: ``list_columns`` etc. as comma lists, ``order_by`` with ``-`` for
    descending, ``unique`` and ``indexes`` as one group of fields a line, ``sections`` as
    (title, columns, fields) triples in order."""
    result, doc = _copy(files, entity)
    settings = doc.setdefault("x-anjian", {})
    for key in ("list_columns", "search_fields", "filter_fields", "order_by"):
        if key in form:
            _set(settings, key, _names(form[key]))
    for key in ("unique", "indexes"):  # groups of fields, one a line: "credit_code" or "region_code, year"
        if key in form:
            _set(settings, key, [_names(line) for line in str(form[key]).splitlines() if _names(line)])
    for key in LAYOUT_KEYS:
        if key in form:
            _set(settings, key, str(form[key]).strip())
    if "sections" in form:
        sections = []
        for title, columns, fields in form["sections"]:
            if not str(title).strip() and not _names(fields):
                continue
            section: dict[str, Any] = {"title": str(title).strip(), "fields": _names(fields)}
            if str(columns).strip():
                section["columns"] = int(columns)
            sections.append(section)
        _set(settings, "sections", sections)
    return result


def parse_items(text: str) -> list[dict[str, str]]:
    """Code-table items typed one per line: ``code 标签`` or, in a tree, ``code 标签 parent``."""
    items = []
    for line in text.splitlines():
        parts = line.strip().split()
        if not parts:
            continue
        item = {"code": parts[0], "label": parts[1] if len(parts) > 1 else parts[0]}
        if len(parts) > 2:
            item["parent"] = parts[2]
        items.append(item)
    return items


def set_dictionary(
    files: Mapping[str, Any], name: str, *, title: str, hierarchical: bool, items: Sequence[Mapping[str, str]]
) -> dict[str, Any]:
    """Add or replace the module's code table ``<name>.json`` (attributes and notes of items kept)."""
    result = copy.deepcopy(dict(files))
    file = next((f for f, d in result.items() if isinstance(d, dict) and d.get("dictionary") == name), f"{name}.json")
    old = {i.get("code"): i for i in result.get(file, {}).get("items", []) if isinstance(i, dict)}
    built = []
    for item in items:
        kept = {k: v for k, v in old.get(item["code"], {}).items() if k not in ("code", "label", "parent")}
        built.append({**item, **kept})
    doc: dict[str, Any] = {"dictionary": name, "title": title or name}
    if hierarchical:
        doc["hierarchical"] = True
    doc["items"] = built
    previous = result.get(file, {})
    for key in ("description", "standard"):
        if key in previous:
            doc[key] = previous[key]
    result[file] = doc
    return result


def remove_dictionary(files: Mapping[str, Any], name: str) -> dict[str, Any]:
    """Remove the code table; fields bound to it are then reported by the checks."""
    return {f: copy.deepcopy(d) for f, d in files.items() if not (isinstance(d, dict) and d.get("dictionary") == name)}


def restore_field(files: Mapping[str, Any], entity: str, name: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    """Bring back a retired field with its last declaration: the column and its data were kept,
    so publishing declares it again and the values reappear (it leaves ``drop_fields``)."""
    result, doc = _copy(files, entity)
    restored = copy.deepcopy(dict(schema))
    restored.get("x-anjian", {}).pop("renamed_from", None)  # its old name was published long ago
    if restored.get("x-anjian") == {}:
        restored.pop("x-anjian")
    doc.setdefault("properties", {})[name] = restored
    settings = doc.get("x-anjian", {})
    if name in settings.get("drop_fields", []):
        settings["drop_fields"].remove(name)
        if not settings["drop_fields"]:
            settings.pop("drop_fields")
    return result
