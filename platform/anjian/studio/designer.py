"""The entity designer's edits, as plain functions on a draft's files (no web, no database).

Each returns new files; the studio saves them as one draft version. A rename writes
``renamed_from`` (published as a rename, never a drop and an add) and follows the field into
every list that names it; removing is "retire" (the column and its data stay) unless ``delete``
adds the field to ``drop_fields`` (the sync's destructive path, confirmed at publish).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = [
    "ACTIONS",
    "KINDS",
    "STANDARD_FIELDS",
    "add_entity",
    "add_field",
    "add_role",
    "entity_file",
    "locate",
    "move_fields",
    "remove_entity",
    "remove_field",
    "rename_field",
]

ACTIONS = ("read", "create", "update", "delete", "export", "import")

# Field kinds the designer offers, each as the JSON Schema it writes.
KINDS: dict[str, tuple[str, dict[str, Any]]] = {
    "text": ("单行文本", {"type": "string", "maxLength": 100}),
    "textarea": ("多行文本", {"type": "string", "maxLength": 2000, "x-anjian": {"widget": "textarea"}}),
    "integer": ("整数", {"type": "integer"}),
    "number": ("数值", {"type": "number"}),
    "boolean": ("是/否", {"type": "boolean"}),
    "date": ("日期", {"type": "string", "format": "date"}),
    "datetime": ("日期时间", {"type": "string", "format": "date-time"}),
    "time": ("时间", {"type": "string", "format": "time"}),
    "email": ("电子邮箱", {"type": "string", "format": "email", "maxLength": 100}),
    "url": ("网址", {"type": "string", "format": "uri", "maxLength": 500}),
    "enum": ("选项", {"type": "string", "enum": ["a", "b"], "x-anjian": {"enum_labels": {"a": "选项一", "b": "选项二"}}}),
    "link": ("关联记录", {"type": "integer", "x-anjian": {"link": "enterprise"}}),
    "dictionary": ("代码表", {"type": "string", "maxLength": 64, "x-anjian": {"dictionary": "industry"}}),
    "attachment": ("附件", {"type": "array", "items": {"type": "string"}, "x-anjian": {"attachment": {"multiple": True}}}),
    "child": (
        "子表",
        {
            "type": "array",
            "items": {"type": "object", "properties": {"name": {"type": "string", "title": "名称", "maxLength": 100}}},
        },
    ),
}

# Standard fields bound to the national codes in one click (with their checks).
STANDARD_FIELDS: dict[str, dict[str, Any]] = {
    "credit_code": {
        "type": "string",
        "title": "统一社会信用代码",
        "minLength": 18,
        "maxLength": 18,
        "x-anjian": {"validators": ["registry.uscc_check"], "normalise": ["strip", "upper"]},
    },
    "region_code": {"type": "string", "title": "行政区划", "maxLength": 12, "x-anjian": {"dictionary": "region"}},
    "industry": {"type": "string", "title": "国民经济行业", "maxLength": 10, "x-anjian": {"dictionary": "industry"}},
    "accident_category": {
        "type": "string",
        "title": "事故类别",
        "maxLength": 10,
        "x-anjian": {"dictionary": "accident_category"},
    },
    "id_number": {
        "type": "string",
        "title": "公民身份号码",
        "minLength": 18,
        "maxLength": 18,
        "pattern": "^\\d{17}[\\dX]$",
        "x-anjian": {"validators": ["registry.id_number_check"], "normalise": ["strip", "upper"]},
    },
    "mobile": {
        "type": "string",
        "title": "手机号码",
        "maxLength": 11,
        "pattern": "^1[3-9]\\d{9}$",
        "x-anjian": {"widget": "tel"},
    },
    "landline": {
        "type": "string",
        "title": "固定电话",
        "maxLength": 20,
        "pattern": "^0\\d{2,3}-?\\d{7,8}$",
        "x-anjian": {"widget": "tel"},
    },
}
STANDARD_TITLES = {
    "credit_code": "统一社会信用代码 (GB 32100)",
    "region_code": "行政区划 (GB/T 2260)",
    "industry": "行业 (GB/T 4754)",
    "accident_category": "事故类别 (GB 6441)",
    "id_number": "身份证号 (GB 11643)",
    "mobile": "手机号码",
    "landline": "固定电话",
}
_LISTS = ("list_columns", "search_fields", "filter_fields", "order_by", "drop_fields")


def entity_file(files: Mapping[str, Any], entity: str) -> str:
    """The draft file that declares ``entity`` (KeyError if none)."""
    for name, content in files.items():
        if isinstance(content, dict) and content.get("x-anjian", {}).get("entity") == entity:
            return name
    raise KeyError(entity)


def locate(files: Mapping[str, Any], entity: str) -> tuple[dict[str, Any], str]:
    """The object schema a designer path names, and the table it is stored in. A path is an
    entity (``fireworks_flow``) or a child table inside it, field by field
    (``fireworks_flow/lines``, ``fireworks_flow/lines/parts``): a child table's child table is
    designed like any entity. KeyError when the path names nothing."""
    top, *steps = entity.split("/")
    doc: dict[str, Any] = files[entity_file(files, top)]
    table = top
    for step in steps:
        field = doc["properties"][step]
        if not (isinstance(field, dict) and isinstance(field.get("items"), dict) and field["items"].get("type") == "object"):
            raise KeyError(entity)
        table = str(field.get("x-anjian", {}).get("child", f"{table}_{step}"))
        doc = field["items"]
    return doc, table


def _copy(files: dict[str, Any], entity: str) -> tuple[dict[str, Any], dict[str, Any]]:
    result = copy.deepcopy(files)
    return result, locate(result, entity)[0]


def add_field(files: dict[str, Any], entity: str, name: str, title: str, kind: str, *, required: bool = False) -> dict[str, Any]:
    """Add a field of a designer kind or a standard field (``std:<name>``) at the end; ValueError
    (shown to the configurator) when the entity already has a field of that name."""
    result, doc = _copy(files, entity)
    if kind.startswith("std:"):
        schema = copy.deepcopy(STANDARD_FIELDS[kind[4:]])
        schema["title"] = title or schema["title"]
    else:
        schema = {"title": title or name, **copy.deepcopy(KINDS[kind][1])}
        schema = {"type": schema.pop("type"), **schema}
    if kind == "child":  # a child table is an entity of its own, named after its parent and field
        schema["x-anjian"] = {"child": f"{locate(result, entity)[1]}_{name}"}
    doc.setdefault("properties", {})
    retired = doc.get("x-anjian", {}).get("drop_fields", [])
    if name in retired:
        retired.remove(name)
    if name in doc["properties"]:  # a second field of the same name would silently replace the first
        raise ValueError(f"字段 {name} 已存在，请换一个字段名，或在该字段的“规则”中修改")
    doc["properties"][name] = schema
    if required and name not in doc.setdefault("required", []):
        doc["required"].append(name)
    return result


def remove_field(files: dict[str, Any], entity: str, name: str, *, delete: bool = False) -> dict[str, Any]:
    """Retire a field (its column and data stay), or with ``delete`` also drop its stored data."""
    result, doc = _copy(files, entity)
    doc.get("properties", {}).pop(name, None)
    if name in doc.get("required", []):
        doc["required"].remove(name)
    if delete:
        drops = doc.setdefault("x-anjian", {}).setdefault("drop_fields", [])
        if name not in drops:
            drops.append(name)
    return result


def rename_field(files: dict[str, Any], entity: str, old: str, new: str) -> dict[str, Any]:
    """Rename a field in place, declared as ``renamed_from`` and followed into lists and sections."""
    result, doc = _copy(files, entity)
    props = doc.get("properties", {})
    if old not in props or new in props:
        return result
    schema = props[old]
    options = schema.setdefault("x-anjian", {})
    options["renamed_from"] = options.get("renamed_from", old)
    if options["renamed_from"] == new:
        options.pop("renamed_from")  # renamed back
        if not options:
            schema.pop("x-anjian")
    doc["properties"] = {(new if k == old else k): v for k, v in props.items()}
    doc["required"] = [new if r == old else r for r in doc.get("required", [])]
    settings = doc.get("x-anjian", {})
    for key in _LISTS[:-1]:
        if key in settings:
            settings[key] = [
                (new if item == old else "-" + new if item == "-" + old else item) if isinstance(item, str) else item
                for item in settings[key]
            ]
    for key in ("title_field", "scope", "owner", "published"):
        if settings.get(key) == old:
            settings[key] = new
    for section in settings.get("sections", []):
        section["fields"] = [new if f == old else f for f in section.get("fields", [])]
    for content in result.values():
        if isinstance(content, dict) and content.get("entity") == entity and "process" in content:
            _rename_in_process(content, old, new)
    return result


def _rename_in_process(process: dict[str, Any], old: str, new: str) -> None:
    for state in process.get("states", {}).values():
        if isinstance(state.get("editable"), list):
            state["editable"] = [new if f == old else f for f in state["editable"]]
    for transition in process.get("transitions", []):
        for key in ("fields", "requires"):
            if key in transition:
                transition[key] = [new if f == old else f for f in transition[key]]


def move_fields(files: dict[str, Any], entity: str, order: list[str]) -> dict[str, Any]:
    """Put the fields in ``order`` (names not given keep their place after the given ones)."""
    result, doc = _copy(files, entity)
    props = doc.get("properties", {})
    ordered = [n for n in order if n in props] + [n for n in props if n not in order]
    doc["properties"] = {n: props[n] for n in ordered}
    return result


def add_entity(files: dict[str, Any], module: str, name: str, title: str) -> dict[str, Any]:
    """A new entity file ``<name>.json`` listed in the manifest and its menu."""
    result = copy.deepcopy(files)
    result[f"{name}.json"] = {
        "title": title or name,
        "type": "object",
        "required": [],
        "properties": {},
        "x-anjian": {"entity": name},
    }
    manifest = result.setdefault("module.json", {"module": module, "title": module})
    if name not in manifest.setdefault("entities", []):
        manifest["entities"].append(name)
    menu = manifest.setdefault("menu", [])
    if not menu:
        menu.append({"title": manifest.get("title", module), "items": []})
    menu[0].setdefault("items", []).append({"title": title or name, "entity": name})
    return result


def add_role(
    files: dict[str, Any], name: str, title: str, permissions: dict[str, list[str]], inherits: list[str] | None = None
) -> dict[str, Any]:
    """A role of the module (replacing one of the same name) with entity × action permissions."""
    result = copy.deepcopy(files)
    manifest = result.setdefault("module.json", {})
    roles = [r for r in manifest.get("roles", []) if not (isinstance(r, dict) and r.get("name") == name)]
    role: dict[str, Any] = {"name": name, "title": title or name}
    if inherits:
        role["inherits"] = inherits
    role["permissions"] = {entity: actions for entity, actions in permissions.items() if actions}
    manifest["roles"] = [*roles, role]
    return result


def remove_entity(files: dict[str, Any], entity: str) -> dict[str, Any]:
    """Withdraw an entity from the module: its file, its process and its menu entries go; the table
    and its data stay (publishing never drops a table). References to it are found by the checks."""
    result = copy.deepcopy(files)
    result.pop(entity_file(result, entity), None)
    for name in [n for n, c in result.items() if isinstance(c, dict) and "process" in c and c.get("entity") == entity]:
        result.pop(name)
    manifest = result.get("module.json", {})
    manifest["entities"] = [e for e in manifest.get("entities", []) if e != entity]
    for group in manifest.get("menu", []):
        group["items"] = [i for i in group.get("items", []) if i.get("entity") != entity]
    for role in manifest.get("roles", []):
        role.get("permissions", {}).pop(entity, None)
    return result
