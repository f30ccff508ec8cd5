"""The live view of one published catalog version: specs, tables and compiled validators."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy import MetaData, Table

from ..data.tables import build_tables
from ..errors import NotFound
from ..hooks import NamedFunctions
from ..meta.compile import Catalog
from ..meta.spec import EntitySpec
from ..meta.validation import RecordValidator, validation_schema

__all__ = ["Registry", "validation_schema"]


class Registry:
    """Everything the engine needs for one catalog version; immutable once built."""

    def __init__(self, catalog: Catalog, version: int, functions: NamedFunctions) -> None:
        self.catalog = catalog
        self.version = version
        self.functions = functions
        self.metadata: MetaData
        self.tables: dict[str, Table]
        self.metadata, self.tables = build_tables(catalog)
        self._validators: dict[str, RecordValidator] = {}

    def entity(self, name: str, *, child_ok: bool = False) -> EntitySpec:
        spec = self.catalog.entities.get(name)
        if spec is None or (spec.is_child and not child_ok):
            raise NotFound(f"no entity {name!r} is published")
        return spec

    def table(self, name: str) -> Table:
        return self.tables[name]

    def validator(self, name: str) -> RecordValidator:
        """The entity's one compiled validator (single writes, imports, screens, workflow, plugins)."""
        if name not in self._validators:
            self._validators[name] = RecordValidator(validation_schema(self.catalog.entities[name]))
        return self._validators[name]

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
