"""The one record validator: an entity's JSON Schema compiled once, used by every write path.

Single writes, imports, screens, workflow step forms and plugin writes all reach records through
the record service, which asks ``RecordValidator`` for its verdict: jsonschema-rs (draft 2020-12,
formats asserted as the JSON Schema Test Suite defines them, ``pattern`` as ECMA-262 in linear
time, see ``ecma``). ``validation_schema`` is also the contract the OpenAPI document shows: the
declaration plus the limits storage imposes (64-bit integers, the default text length).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from .ecma import LINEAR, to_linear
from .spec import EntitySpec

__all__ = [
    "DEFAULT_TEXT_MAX_LENGTH",
    "INT32",
    "INT64",
    "RecordValidator",
    "Violation",
    "compile_validator",
    "validation_schema",
]

# A text field without maxLength holds at most this many characters (declare maxLength for more).
DEFAULT_TEXT_MAX_LENGTH = 20_000
INT64 = (-(2**63), 2**63 - 1)  # BIGINT columns (SQLite INTEGER)
INT32 = (-(2**31), 2**31 - 1)  # link columns and record ids (INTEGER on PostgreSQL)
DOUBLE = 1.7976931348623157e308
_DROPPED = ("x-anjian", "$schema", "$id")


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (path parts), which keyword, and the keyword's value (a limit, a list)."""

    path: tuple[str | int, ...]
    keyword: str
    value: Any = None


def _bounded(schema: dict[str, Any], low: float, high: float) -> None:
    if "minimum" not in schema:
        schema["minimum"] = low
    if "maximum" not in schema:
        schema["maximum"] = high


def _limits(node: dict[str, Any], *, column: bool, link: bool) -> None:
    """Add what storage imposes to one property schema (in place)."""
    kinds = node.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or ())
    if "string" in kinds and "maxLength" not in node and "enum" not in node and "const" not in node:
        node["maxLength"] = DEFAULT_TEXT_MAX_LENGTH
    if column and "integer" in kinds:
        _bounded(node, *(INT32 if link else INT64))
    elif column and "number" in kinds:
        _bounded(node, -DOUBLE, DOUBLE)


def validation_schema(entity: EntitySpec) -> dict[str, Any]:
    """The entity's JSON Schema as records are validated: x-anjian removed, system fields and storage limits added."""

    def strip(node: Any, column: bool) -> Any:
        if isinstance(node, list):
            return [strip(v, False) for v in node]
        if not isinstance(node, dict):
            return node
        found = node.get("x-anjian")
        options: dict[str, Any] = found if isinstance(found, dict) else {}
        child = bool(options.get("child"))
        result: dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROPPED:
                continue
            if key == "properties" and isinstance(value, dict):
                # Properties of the entity and of child rows are columns; deeper ones live in JSON.
                result[key] = {name: strip(sub, column) for name, sub in value.items()}
            elif key == "items":
                result[key] = strip(value, child)
            elif key in ("enum", "const", "default", "examples"):
                result[key] = value
            else:
                result[key] = strip(value, False)
        if child:
            # Child rows may name the id they were read with, so an update keeps it.
            items = result.setdefault("items", {})
            items["properties"] = {
                "id": {"type": "integer", "minimum": INT32[0], "maximum": INT32[1]},
                **items.get("properties", {}),
            }
        if "type" in result:
            _limits(result, column=column, link=bool(options.get("link")))
        return result

    schema: dict[str, Any] = strip(dict(entity.schema_), True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def _linear_patterns(node: Any) -> Any:
    """The schema with every pattern rewritten for the linear engine (see ``ecma.to_linear``)."""
    if isinstance(node, list):
        return [_linear_patterns(v) for v in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "pattern" and isinstance(value, str):
            result[key] = to_linear(value)
        elif key in ("enum", "const", "default", "examples"):
            result[key] = value
        elif key == "properties" and isinstance(value, dict):
            result[key] = {name: _linear_patterns(sub) for name, sub in value.items()}
        else:
            result[key] = _linear_patterns(value)
    return result


def compile_validator(schema: Mapping[str, Any]) -> jsonschema_rs.Validator:
    """jsonschema-rs for ``schema`` with the engine's options (formats asserted, linear patterns)."""
    return jsonschema_rs.Draft202012Validator(_linear_patterns(dict(schema)), validate_formats=True, pattern_options=LINEAR)


_SCALARS = frozenset({int, float, bool, type(None)})


def _is_text(record: Any) -> bool:
    """Whether every string in ``record`` is valid Unicode (quick for flat records: one encode of
    all their strings together, since a lone surrogate stays one wherever it stands)."""
    values = record.values() if isinstance(record, Mapping) else record if isinstance(record, list) else (record,)
    strings = []
    for value in values:
        kind = type(value)
        if kind is str:
            strings.append(value)
        elif kind not in _SCALARS and isinstance(value, Mapping | list) and not _is_text(value):
            return False
    joined = "".join(strings)
    if not joined.isascii():
        try:
            joined.encode("utf-8")
        except UnicodeEncodeError:
            return False
    return True


def _bad_text(value: Any, at: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    """Paths of strings holding lone surrogates (valid JSON escapes, but not text)."""
    if isinstance(value, str):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                yield at
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _bad_text(item, (*at, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _bad_text(item, (*at, i))


class RecordValidator:
    """An entity's compiled validator: a fast yes, and every violation when the answer is no."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = dict(schema)
        self._compiled = compile_validator(schema)

    def violations(self, record: Any) -> list[Violation]:
        """Every broken rule of ``record`` ([] when it is valid)."""
        try:
            if self._compiled.is_valid(record):
                # Some keywords never look at a string's bytes; storage will, so check them here.
                return [] if _is_text(record) else [Violation(path, "encoding") for path in _bad_text(record, ())]
            return [v for error in self._compiled.iter_errors(record) for v in _violations(error)]
        except UnicodeEncodeError:
            return [Violation(path, "encoding") for path in _bad_text(record, ())]

    def is_valid(self, record: Any) -> bool:
        return not self.violations(record)


def _violations(error: jsonschema_rs.ValidationError) -> list[Violation]:
    kind: Any = error.kind
    path = tuple(error.instance_path)
    name = kind.name
    if name == "required":
        return [Violation((*path, kind.property), "required")]
    if name == "additionalProperties":
        return [Violation((*path, extra), "additionalProperties", extra) for extra in kind.unexpected]
    value: Callable[[], Any] | None = {
        "type": lambda: list(kind.types),
        "enum": lambda: list(kind.options),
        "const": lambda: kind.expected_value,
        "format": lambda: kind.format,
        "pattern": lambda: kind.pattern,
        "multipleOf": lambda: kind.multiple_of,
    }.get(name)
    if value is not None:
        return [Violation(path, name, value())]
    return [Violation(path, name, getattr(kind, "limit", None))]
