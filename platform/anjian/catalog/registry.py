"""The live view of one published catalog version: specs, tables and compiled validators.

Compiling a catalog and building its tables costs tens of milliseconds; every process that opens
a database compiles the version it finds there. The compiled parts depend only on the documents
(their digest, stored with each version) and the named functions available, so a process keeps
the last few and shares them between registries of the same content (a test session opens
hundreds of copies of one catalog; a process following publishes compiles each version once).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import MetaData, Table

from ..data.tables import build_tables
from ..errors import NotFound
from ..hooks import NamedFunctions
from ..meta.compile import Catalog
from ..meta.spec import EntitySpec
from ..meta.validation import RecordValidator, validation_schema

__all__ = ["Registry", "validation_schema"]

SHARED_KEPT = 8  # compiled catalogs a process keeps (each a few MB)


@dataclass
class _Compiled:
    """What a catalog's documents compile to, whoever opens them: specs, tables, validators."""

    catalog: Catalog
    metadata: MetaData
    tables: dict[str, Table]
    validators: dict[str, RecordValidator] = field(default_factory=dict)

    @classmethod
    def of(cls, catalog: Catalog) -> _Compiled:
        metadata, tables = build_tables(catalog)
        return cls(catalog, metadata, tables)


_shared: OrderedDict[tuple[str, tuple[tuple[str, frozenset[str]], ...]], _Compiled] = OrderedDict()
_shared_lock = threading.Lock()


class Registry:
    """Everything the engine needs for one catalog version; immutable once built."""

    def __init__(self, catalog: Catalog, version: int, functions: NamedFunctions, *, compiled: _Compiled | None = None) -> None:
        compiled = compiled or _Compiled.of(catalog)
        self.catalog = compiled.catalog
        self.version = version
        self.functions = functions
        self.metadata: MetaData = compiled.metadata
        self.tables: dict[str, Table] = compiled.tables
        self._validators = compiled.validators

    @classmethod
    def shared(
        cls,
        digest: str,
        names: Mapping[str, frozenset[str]],
        compile_documents: Callable[[], Catalog],
        version: int,
        functions: NamedFunctions,
    ) -> Registry:
        """The registry of a stored version, compiling its documents only if this process has not yet."""
        key = (digest, tuple(sorted(names.items())))
        with _shared_lock:
            compiled = _shared.get(key)
            if compiled is not None:
                _shared.move_to_end(key)
        if compiled is None:
            compiled = _Compiled.of(compile_documents())
            with _shared_lock:
                _shared[key] = compiled
                while len(_shared) > SHARED_KEPT:
                    _shared.popitem(last=False)
        return cls(compiled.catalog, version, functions, compiled=compiled)

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
