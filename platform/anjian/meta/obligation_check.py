"""Semantic checks of a process's obligations (expected filings): every name must resolve.

The meta-schema has checked the shape; here the registry entity, the fields copied and the period
fields must exist, and the condition must parse over the registry's fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import MetadataError
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
            error(["registry"], f"unknown entity {ob['registry']!r}", "Name the entity whose records owe the filing.")
            continue
        if target is None:
            continue
        own = set(target.by_name)
        theirs = set(registry.by_name) | {"id"}
        for key, source in ob["copy"].items():
            if key not in own:
                error(["copy", key], f"{process.entity!r} has no field {key!r}", "Copy into a field of the filing.")
            if source not in theirs:
                error(["copy", key], f"{ob['registry']!r} has no field {source!r}", "Copy from a field of the registry, or id.")
        for key, name in ob["period"].items():
            if name not in own:
                error(["period", key], f"{process.entity!r} has no field {name!r}", "Name the filing's year/quarter field.")
        if ob["every"] == "quarter" and "quarter" not in ob["period"]:
            error(["period"], "a quarterly obligation needs the quarter field", 'Add "quarter": "<field>".')
        for key in ob.get("values", {}):
            if key not in own:
                error(["values", key], f"{process.entity!r} has no field {key!r}", "Set a field of the filing.")
        if "condition" in ob:
            try:
                parse_condition(ob["condition"], theirs)
            except ExpressionError as exc:
                error(["condition"], str(exc), "Write a condition over the registry's fields.")
    return errors
