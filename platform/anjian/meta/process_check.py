"""Semantic checks of process declarations against the entities and roles they name.

The meta-schema has checked the shape; here every name must resolve: states, fields, roles,
condition functions; every state must be reachable from the start and every state that is not
an end must have a way out; deadline stages must be in time order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import MetadataError
from .messages import known, say
from .pointer import pointer
from .process_spec import Duration, ProcessSpec
from .spec import EntitySpec

__all__ = ["check_process"]

UNIT_SECONDS = {"hours": 3600, "days": 86400, "workdays": 86400 * 7 / 5}


def check_process(
    process: ProcessSpec,
    entities: Mapping[str, EntitySpec],
    roles: set[str],
    conditions: frozenset[str] | None,
) -> list[MetadataError]:
    """Every problem of one process; ``conditions`` None skips named-function checks."""
    from .expr import ExpressionError, parse_condition

    errors: list[MetadataError] = []

    def error(parts: list[Any], message: str, hint: str) -> None:
        errors.append(MetadataError(process.source, pointer(parts), message, hint))

    entity = entities.get(process.entity)
    if entity is None or entity.is_child:
        tops = [n for n, e in entities.items() if not e.is_child]
        error(["entity"], say("meta.entity.unknown", name=process.entity), known("entities", tops))
        return errors
    fields = {f.name for f in entity.column_fields}
    states = process.by_state
    state_list = ", ".join(states)

    def need_field(parts: list[Any], name: str) -> None:
        if name not in fields:
            error(parts, field_problem(name, entity.name), say("meta.one.of.hint", names=", ".join(sorted(fields))))

    every = fields | {f.name for f in entity.fields}  # child tables too: they may be edited and required

    def need_any_field(parts: list[Any], name: str) -> None:
        if name not in every:
            error(parts, field_problem(name, entity.name), say("meta.one.of.hint", names=", ".join(sorted(every))))

    def need_state(parts: list[Any], name: str) -> None:
        if name not in states:
            error(parts, say("meta.state.unknown", name=name), say("meta.state.unknown.hint", names=state_list))

    def check_target(parts: list[Any], target: str) -> None:
        """A notify target: a role the modules declare, a link to an agency."""
        role = target[5:].split("@", 1)[0]
        if target.startswith("role:") and role not in roles:
            error(parts, say("meta.role.unknown", name=role), known("roles", roles))
        link = entity.by_name.get(target[7:]) if target.startswith("agency:") else None
        if target.startswith("agency:") and (link is None or link.link != "agency"):
            error(parts, say("meta.agency.link", name=target[7:]), say("meta.agency.link.hint"))

    need_state(["start"], process.start)
    for name, state in states.items():
        if isinstance(state.editable, tuple):
            for i, fname in enumerate(state.editable):
                need_any_field(["states", name, "editable", i], fname)
    raw = process.content.get("transitions", [])
    seen: set[str] = set()
    for i, t in enumerate(process.transitions):
        at = ["transitions", i]
        if t.name in seen:
            error(at + ["name"], say("meta.transition.twice", name=t.name), say("meta.transition.twice.hint"))
        seen.add(t.name)
        from_at = at + ["from"] if isinstance(raw[i]["from"], str) else None
        for j, source in enumerate(t.sources):
            need_state(from_at or at + ["from", j], source)
            if source in states and states[source].end:
                error(from_at or at + ["from", j], say("meta.state.end.source", name=source), say("meta.state.end.source.hint"))
        if t.to:  # a step without one stays in its state
            need_state(at + ["to"], t.to)
        for j, role in enumerate(t.roles):
            if role not in roles:
                error(at + ["roles", j], say("meta.role.unknown", name=role), known("roles", roles))
        for j, fname in enumerate(t.requires):
            need_any_field(at + ["requires", j], fname)
        for j, fname in enumerate(t.fields):
            need_field(at + ["fields", j], fname)
        for fname in t.sets:
            need_field(at + ["sets", fname], fname)
        if t.condition is not None:
            try:
                parse_condition(t.condition, fields | {"id"})
            except ExpressionError as exc:
                error(
                    at + ["condition"],
                    say("meta.condition.invalid", condition=t.condition, problem=exc),
                    say("meta.condition.invalid.hint"),
                )
        if t.check is not None and conditions is not None and t.check not in conditions:
            error(at + ["check"], say("meta.condition.unknown", name=t.check), known("conditions", conditions))
        for j, target in enumerate(t.notify):
            check_target(at + ["notify", j], target)
    # Reachability, and a way out of every state that is not an end.
    reached, stack = {process.start}, [process.start]
    while stack:
        for t in process.leaving(stack.pop()):
            if t.to and t.to not in reached:
                reached.add(t.to)
                stack.append(t.to)
    for name, state in states.items():
        if process.start in states and name not in reached:
            error(
                ["states", name],
                say("meta.state.unreachable", name=name, start=process.start),
                say("meta.state.unreachable.hint"),
            )
        if not state.end and not process.leaving(name):
            error(["states", name], say("meta.state.stuck", name=name), say("meta.state.stuck.hint"))
    if not process.end_states:
        error(["states"], say("meta.state.no.end"), say("meta.state.no.end.hint"))
    for i, d in enumerate(process.deadlines):
        at = ["deadlines", i]
        if d.start_state:
            need_state(at + ["starts", "state"], d.start_state)
        if d.start_transition and d.start_transition not in process.by_transition:
            error(
                at + ["starts", "transition"],
                say("meta.transition.unknown", name=d.start_transition),
                say("meta.one.of.hint", names=", ".join(process.by_transition)),
            )
        if d.when is not None:
            try:
                parse_condition(d.when, fields | {"id"})
            except ExpressionError as exc:
                problem = say("meta.condition.invalid", condition=d.when, problem=exc)
                error(at + ["when"], problem, say("meta.condition.invalid.hint"))
        declared = process.content["deadlines"][i]["due"]
        if "amount" not in declared and "unit" not in declared and d.due_field is None:
            error(at + ["due"], say("meta.due.missing"), say("meta.due.missing.hint"))
        if ("amount" in declared) != ("unit" in declared):
            error(at + ["due"], say("meta.due.pair"), say("meta.due.pair.hint"))
        if d.due_field:
            need_field(at + ["due", "field"], d.due_field)
            if d.due_field in fields and entity.field(d.due_field).format not in ("date", "date-time"):
                error(
                    at + ["due", "field"],
                    say("meta.due.field", name=d.due_field),
                    say("meta.due.field.hint"),
                )
        for j, name in enumerate(d.ends):
            if name not in process.by_transition:  # a step that ends the clock, else a state
                need_state(at + ["ends", j], name)
        for j, name in enumerate(d.pauses):
            need_state(at + ["pauses", j], name)
        last = None
        for j, stage in enumerate(d.stages):
            if stage.before and stage.after:
                error(at + ["stages", j], say("meta.stage.side"), say("meta.stage.side.hint"))
            offset = _offset(stage.before, -1) if stage.before else _offset(stage.after, 1)
            if last is not None and offset < last:
                error(at + ["stages", j], say("meta.stage.order"), say("meta.stage.order.hint"))
            last = offset
            for k, target in enumerate(stage.notify):
                check_target(at + ["stages", j, "notify", k], target)
        if d.repeat and d.due is None:
            error(at + ["repeat"], say("meta.repeat.duration"), say("meta.repeat.duration.hint"))
    if process.amendment_field:
        link = entity.by_name.get(process.amendment_field)
        if link is None or link.link != entity.name:
            error(
                ["amendment", "field"],
                say("meta.amendment.link", name=process.amendment_field, entity=entity.name),
                say("meta.amendment.link.hint", entity=entity.name),
            )
        for j, role in enumerate(process.amendment_roles):
            if role not in roles:
                error(["amendment", "roles", j], say("meta.role.unknown", name=role), known("roles", roles))
    for old, new in (process.migration or {}).items():
        need_state(["migration", "states", old], new)
    return errors


def _offset(duration: Duration | None, sign: int) -> float:
    return 0.0 if duration is None else sign * duration.amount * UNIT_SECONDS[duration.unit]


def field_problem(name: str, entity: str) -> str:
    return say("meta.option.field", name=name, what=say("meta.what.stored"), entity=entity)
