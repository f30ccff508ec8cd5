"""The live view of one published catalog version: specs, tables and compiled validators."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator
from sqlalchemy import MetaData, Table

from ..data.tables import build_tables
from ..errors import NotFound
from ..hooks import NamedFunctions
from ..meta.compile import Catalog
from ..meta.spec import EntitySpec

__all__ = ["Registry"]

FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER


def validation_schema(entity: EntitySpec) -> dict[str, Any]:
    """The entity's JSON Schema as records are validated: x-anjian removed, system fields allowed."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            result = {k: strip(v) for k, v in node.items() if k not in ("x-anjian", "$schema", "$id")}
            if isinstance(node.get("x-anjian"), dict) and node["x-anjian"].get("child"):
                # Child rows may name the id they were read with, so an update keeps it.
                items = result.setdefault("items", {})
                items["properties"] = {"id": {"type": "integer"}, **items.get("properties", {})}
            return result
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    schema: dict[str, Any] = strip(entity.schema_)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


class Registry:
    """Everything the engine needs for one catalog version; immutable once built."""

    def __init__(self, catalog: Catalog, version: int, functions: NamedFunctions) -> None:
        self.catalog = catalog
        self.version = version
        self.functions = functions
        self.metadata: MetaData
        self.tables: dict[str, Table]
        self.metadata, self.tables = build_tables(catalog)
        self._validators: dict[str, Draft202012Validator] = {}
        self._fast: dict[str, Any] = {}

    def entity(self, name: str, *, child_ok: bool = False) -> EntitySpec:
        spec = self.catalog.entities.get(name)
        if spec is None or (spec.is_child and not child_ok):
            raise NotFound(f"no entity {name!r} is published")
        return spec

    def table(self, name: str) -> Table:
        return self.tables[name]

    def validator(self, name: str) -> Draft202012Validator:
        if name not in self._validators:
            self._validators[name] = Draft202012Validator(
                validation_schema(self.catalog.entities[name]), format_checker=FORMAT_CHECKER
            )
        return self._validators[name]

    def fast_validator(self, name: str) -> Any:
        """A compiled validator for bulk paths; it must agree with ``validator`` (tests check)."""
        if name not in self._fast:
            self._fast[name] = fastjsonschema.compile(validation_schema(self.catalog.entities[name]), formats=_FAST_FORMATS)
        return self._fast[name]

    @cached_property
    def dictionary_codes(self) -> dict[str, frozenset[str]]:
        return {name: spec.codes() for name, spec in self.catalog.dictionaries.items()}

    @cached_property
    def dictionary_labels(self) -> dict[str, dict[str, str]]:
        return {name: {i.code: i.label for i in spec.items} for name, spec in self.catalog.dictionaries.items()}

    @cached_property
    def _dictionary_children(self) -> dict[str, dict[str, list[str]]]:
        tree: dict[str, dict[str, list[str]]] = {}
        for name, spec in self.catalog.dictionaries.items():
            children = tree.setdefault(name, {})
            for item in spec.items:
                children.setdefault(item.parent or "", []).append(item.code)
        return tree

    def with_descendants(self, dictionary: str, codes: tuple[str, ...]) -> list[str]:
        """The codes and every code below them in a hierarchical dictionary (for filters)."""
        children = self._dictionary_children.get(dictionary, {})
        result, stack = [], list(codes)
        while stack:
            code = stack.pop()
            result.append(code)
            stack.extend(children.get(code, ()))
        return result

    def referrers(self, target: str) -> list[tuple[EntitySpec, str]]:
        """(entity, field) pairs whose link points at ``target``."""
        return [(e, f.name) for e in self.catalog.entities.values() for f in e.column_fields if f.link == target]


def _is_date(value: str) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _is_datetime(value: str) -> bool:
    return bool(FORMAT_CHECKER.conforms(value, "date-time"))


def _is_email(value: str) -> bool:
    return bool(FORMAT_CHECKER.conforms(value, "email"))


def _is_uri(value: str) -> bool:
    return bool(FORMAT_CHECKER.conforms(value, "uri"))


# fastjsonschema's own format regexes differ from jsonschema's checkers; use the same checkers.
_FAST_FORMATS = {"date": _is_date, "date-time": _is_datetime, "email": _is_email, "uri": _is_uri}
