"""Semantic checks of a process's obligations (expected filings): every name must resolve.

The meta-schema has checked the shape; here the registry entity, the fields copied and the period
fields must exist, and the condition must parse over the registry's fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import MetadataError
from .messages import say
from .pointer import pointer
from .process_spec import ProcessSpec
from .spec import EntitySpec

__all__ = ["check_obligations"]


def check_obligations(process: ProcessSpec, entities: Mapping[str, EntitySpec]) -> list[MetadataError]:
    from .expr import ExpressionError, parse_condition

    errors: list[MetadataError] = []
    target = entities.get(process.entity)
    for i, ob in enumerate(process.content.get("obligations", ())):
        at: list[Any] = ["obligations", i]

        def error(parts: list[Any], message: str, hint: str, at: list[Any] = at) -> None:
            errors.append(MetadataError(process.source, pointer(at + parts), message, hint))

        registry = entities.get(ob["registry"])
        if registry is None or registry.is_child:
            error(["registry"], say("meta.entity.unknown", name=ob["registry"]), say("meta.obligation.registry.hint"))
            continue
        if target is None:
            continue
        own = set(target.by_name)
        theirs = set(registry.by_name) | {"id"}
        for key, source in ob["copy"].items():
            if key not in own:
                error(["copy", key], no_field(process.entity, key), say("meta.obligation.copy.into.hint"))
            if source not in theirs:
                error(["copy", key], no_field(ob["registry"], source), say("meta.obligation.copy.from.hint"))
        for key, name in ob["period"].items():
            if name not in own:
                error(["period", key], no_field(process.entity, name), say("meta.obligation.period.hint"))
        if ob["every"] == "quarter" and "quarter" not in ob["period"]:
            error(["period"], say("meta.obligation.quarter"), say("meta.obligation.quarter.hint"))
        for key in ob.get("values", {}):
            if key not in own:
                error(["values", key], no_field(process.entity, key), say("meta.obligation.values.hint"))
        if "condition" in ob:
            try:
                parse_condition(ob["condition"], theirs)
            except ExpressionError as exc:
                error(["condition"], str(exc), say("meta.obligation.condition.hint"))
    return errors


def no_field(entity: str, field: str) -> str:
    return say("meta.field.none", entity=entity, field=field)
