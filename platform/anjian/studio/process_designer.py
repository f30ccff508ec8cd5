"""The process designer's edits, as plain functions on a draft's files (no web, no database).

States, transitions, deadlines and the migration mapping are edited through forms; each function
returns new files that the studio saves as one draft version. Nothing here judges the result: the
draft's checks (``anjian check``'s, stage order and condition syntax included) report what is
wrong, on the state, transition or deadline it concerns. Diagram positions are not written here:
they live in the draft's layout, apart from the declaration.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from ..meta.expr import ExpressionError, parse_condition
from .designer import entity_file
from .messages import say

__all__ = [
    "CHOICES",
    "MAX_POSITION",
    "STAGE_KINDS",
    "UNITS",
    "add_process",
    "check_condition",
    "place_states",
    "process_file",
    "processes",
    "remove_deadline",
    "remove_state",
    "remove_transition",
    "set_deadline",
    "set_migration",
    "set_state",
    "set_transition",
]

CHOICES = {"none": "无", "optional": "可选", "required": "必须"}  # comments and attachments on a transition
STAGE_KINDS = {"reminder": "提醒", "warning": "预警", "supervision": "督办", "overdue": "逾期"}
UNITS = {"workdays": "工作日", "days": "自然日", "hours": "小时"}
MAX_POSITION = 4000  # diagram coordinates are kept within 0..MAX_POSITION


def processes(files: Mapping[str, Any]) -> dict[str, str]:
    """process name → the draft file that declares it."""
    return {
        str(doc["process"]): name
        for name, doc in sorted(files.items())
        if isinstance(doc, dict) and "process" in doc and isinstance(doc.get("states"), dict)
    }


def process_file(files: Mapping[str, Any], process: str) -> str:
    """The draft file that declares ``process`` (KeyError if none)."""
    return processes(files)[process]


def _copy(files: Mapping[str, Any], process: str) -> tuple[dict[str, Any], dict[str, Any]]:
    result = copy.deepcopy(dict(files))
    return result, result[process_file(result, process)]


def _names(values: Sequence[str]) -> list[str]:
    """Names as given, trimmed, empties and repeats dropped (order kept)."""
    seen: list[str] = []
    for value in values:
        for part in str(value).replace("，", ",").split(","):
            part = part.strip()
            if part and part not in seen:
                seen.append(part)
    return seen


def add_process(files: Mapping[str, Any], entity: str, name: str, title: str) -> dict[str, Any]:
    """A new process ``<entity>.process.json`` with one start state; transitions are added next."""
    result = copy.deepcopy(dict(files))
    result[f"{entity}.process.json"] = {
        "process": name,
        "entity": entity,
        "title": title or name,
        "start": "draft",
        "states": {"draft": {"title": "填报中"}},
        "transitions": [],
    }
    return result


def set_state(
    files: Mapping[str, Any],
    process: str,
    name: str,
    *,
    title: str,
    editable: str | Sequence[str] = "all",
    end: bool = False,
    locked: bool = False,
    start: bool = False,
) -> dict[str, Any]:
    """Add or replace a state. ``editable`` is "all", "none" or the fields editable in it."""
    result, doc = _copy(files, process)
    state: dict[str, Any] = {"title": title or name}
    if isinstance(editable, str) and editable in ("all", "none"):
        if editable == "none":
            state["editable"] = "none"
    else:
        state["editable"] = _names(editable)
    if locked:
        state["locked"] = True
    if end:
        state["end"] = True
    old = doc.setdefault("states", {}).get(name, {})
    if isinstance(old, dict) and "description" in old:
        state = {"title": state.pop("title"), "description": old["description"], **state}
    doc["states"][name] = state
    if start or not doc.get("start"):
        doc["start"] = name
    return result


def remove_state(files: Mapping[str, Any], process: str, name: str) -> dict[str, Any]:
    """Remove a state. Transitions and deadlines that name it stay, so the checks list them."""
    result, doc = _copy(files, process)
    doc.get("states", {}).pop(name, None)
    return result


def set_transition(
    files: Mapping[str, Any],
    process: str,
    name: str,
    *,
    title: str,
    sources: Sequence[str],
    to: str,
    roles: Sequence[str],
    condition: str = "",
    fields: Sequence[str] = (),
    requires: Sequence[str] = (),
    comment: str = "none",
    attachment: str = "none",
) -> dict[str, Any]:
    """Add or replace (same name, same place) a transition; keys the form does not show are kept."""
    result, doc = _copy(files, process)
    transitions = doc.setdefault("transitions", [])
    at = next((i for i, t in enumerate(transitions) if isinstance(t, dict) and t.get("name") == name), None)
    old = transitions[at] if at is not None else {}
    source_list = _names(sources)
    new: dict[str, Any] = {
        "name": name,
        "title": title or name,
        "from": source_list[0] if len(source_list) == 1 else source_list,
        "to": to.strip(),
        "roles": _names(roles),
    }
    if condition.strip():
        new["condition"] = condition.strip()
    for key, values in (("fields", _names(fields)), ("requires", _names(requires))):
        if values:
            new[key] = values
    for key, value in (("comment", comment), ("attachment", attachment)):
        if value in ("optional", "required"):
            new[key] = value
    for key, value in old.items():  # sets, check, style, allow_creator: kept as declared
        if key not in new and key not in ("condition", "fields", "requires", "comment", "attachment"):
            new[key] = value
    if at is None:
        transitions.append(new)
    else:
        transitions[at] = new
    return result


def remove_transition(files: Mapping[str, Any], process: str, name: str) -> dict[str, Any]:
    result, doc = _copy(files, process)
    doc["transitions"] = [t for t in doc.get("transitions", []) if not (isinstance(t, dict) and t.get("name") == name)]
    return result


def set_deadline(
    files: Mapping[str, Any],
    process: str,
    name: str,
    *,
    title: str,
    starts: str,
    amount: int,
    unit: str = "workdays",
    ends: Sequence[str] = (),
    stages: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Add or replace a deadline: starts on entering a state, due ``amount`` ``unit`` later, with
    escalation stages as given (their order is the configurator's; the checks say if it is wrong).
    Each stage is ``{"kind", "before"|"after": amount, "unit", "notify": [...]}``."""
    result, doc = _copy(files, process)
    deadline: dict[str, Any] = {
        "name": name,
        "title": title or name,
        "starts": {"state": starts.strip()},
        "due": {"amount": amount, "unit": unit},
    }
    if _names(ends):
        deadline["ends"] = _names(ends)
    built = []
    for stage in stages:
        item: dict[str, Any] = {"kind": stage["kind"]}
        if stage.get("title"):
            item["title"] = stage["title"]
        for side in ("before", "after"):
            if stage.get(side):
                item[side] = {"amount": int(stage[side]), "unit": stage.get("unit", unit)}
        notify = _names(stage.get("notify", []))
        if notify:
            item["notify"] = notify
        built.append(item)
    if built:
        deadline["stages"] = built
    deadlines = doc.setdefault("deadlines", [])
    at = next((i for i, d in enumerate(deadlines) if isinstance(d, dict) and d.get("name") == name), None)
    if at is None:
        deadlines.append(deadline)
    else:
        kept = {k: v for k, v in deadlines[at].items() if k in ("basis", "pauses", "extension", "when")}
        deadlines[at] = {**deadline, **kept}
    return result


def remove_deadline(files: Mapping[str, Any], process: str, name: str) -> dict[str, Any]:
    result, doc = _copy(files, process)
    doc["deadlines"] = [d for d in doc.get("deadlines", []) if not (isinstance(d, dict) and d.get("name") == name)]
    if not doc["deadlines"]:
        doc.pop("deadlines")
    return result


def set_migration(files: Mapping[str, Any], process: str, mapping: Mapping[str, str]) -> dict[str, Any]:
    """Where records in flight in a state that disappears go: ``{"old": "new"}`` merged into the
    process's ``migration.states`` (an empty target removes that entry)."""
    result, doc = _copy(files, process)
    states = dict(doc.get("migration", {}).get("states", {}))
    for old, new in mapping.items():
        if new:
            states[old] = new
        else:
            states.pop(old, None)
    if states:
        doc["migration"] = {"states": states}
    else:
        doc.pop("migration", None)
    return result


def check_condition(files: Mapping[str, Any], entity: str, text: str) -> dict[str, Any]:
    """Judge a transition's condition as typed, in the sandboxed expression language, over the
    fields the draft declares for ``entity`` (the screens and the API give the same answer)."""
    if not text.strip():
        return {"ok": True, "message": say("studio.condition.none")}
    try:
        doc = files[entity_file(files, entity)]
    except KeyError:
        return {"ok": False, "message": say("studio.condition.entity", entity=entity)}
    props = doc.get("properties", {})
    names = {n for n, p in props.items() if not (isinstance(p, dict) and p.get("type") == "array")} | {"id"}
    try:
        condition = parse_condition(text, names)
    except ExpressionError as exc:
        return {"ok": False, "message": exc.message, **({"offset": exc.offset} if exc.offset is not None else {})}
    reads = sorted(condition.names)
    return {"ok": True, "message": say("studio.condition.ok", names="、".join(reads)), "reads": reads}


def place_states(layout: Mapping[str, Any], process: str, positions: Mapping[str, Any] | None) -> dict[str, Any]:
    """A new draft layout with ``positions`` ({state: [x, y]}) merged into ``process``'s diagram;
    None puts the process back to the automatic layout. Positions live in the layout, never in
    the declaration; entries that are not two numbers are passed over, coordinates clamped."""
    result = copy.deepcopy(dict(layout))
    kept = dict(result.get("positions", {}))
    if positions is None:
        kept.pop(process, None)
    else:
        merged = dict(kept.get(process, {}))
        for state, at in positions.items():
            if isinstance(at, list) and len(at) == 2 and all(_coordinate(v) for v in at):
                merged[str(state)] = [max(0, min(MAX_POSITION, int(v))) for v in at]
        kept[process] = merged
    result["positions"] = kept
    return result


def _coordinate(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value and abs(value) != float("inf")
