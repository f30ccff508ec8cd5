"""Valid records built from the published specs, for engine, module and plugin tests.

The metadata is the factory: required fields get their declared default, the first enum value,
a dictionary code (the factory's ``region`` for region pickers), a fresh linked record, the rows a
required child table needs, or a value that fits their type, format and length. Fields checked by a named validator that no
schema can describe get a value from ``makers`` (the registry's credit-code check has one; the
citizen ID number check uses the studio's sample generator).
Overrides always win; a required field the factory cannot fill is an error naming the field.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable, Mapping
from typing import Any

from ..audit import Actor
from ..demo import credit_code
from ..meta.spec import EntitySpec, FieldSpec
from ..store.clock import utc_now
from ..studio.samples import id_number

__all__ = ["DEFAULT_MAKERS", "RecordFactory"]

Maker = Callable[[int], Any]


def _credit_code(n: int) -> str:
    return credit_code(random.Random(n))


DEFAULT_MAKERS: Mapping[str, Maker] = {"registry.uscc_check": _credit_code, "registry.id_number_check": id_number}


class RecordFactory:
    """``body(entity, **overrides)`` builds a valid record; ``create`` writes it through the record service."""

    def __init__(
        self,
        platform: Any,
        *,
        actor: Actor | None = None,
        region: str = "350524100000",
        makers: Mapping[str, Maker] | None = None,
    ) -> None:
        self.platform = platform
        self.actor = actor or Actor("admin", is_admin=True)
        self.region = region
        self.makers = {**DEFAULT_MAKERS, **(makers or {})}
        self._counter = itertools.count(1)

    def body(self, entity: str, **overrides: Any) -> dict[str, Any]:
        """A record of ``entity`` that passes validation, with ``overrides`` applied."""
        spec = self.platform.registry.entity(entity)
        record = {f.name: self._value(spec, f) for f in spec.fields if f.required and f.name not in overrides}
        record.update(overrides)
        return record

    def create(self, entity: str, actor: Actor | None = None, **overrides: Any) -> dict[str, Any]:
        """Write ``body(entity, **overrides)`` through the record service; answer the stored record."""
        return dict(self.platform.records.create(entity, self.body(entity, **overrides), actor or self.actor))

    def _value(self, spec: EntitySpec, field: FieldSpec) -> Any:
        n = next(self._counter)
        schema = field.schema_
        for name in field.validators:
            if name in self.makers:
                return self.makers[name](n)
        if field.default is not None:
            return field.default
        if field.enum:
            return field.enum[0]
        if field.link:
            return self.create(field.link)["id"]
        if field.child:  # a required child table: as many rows as it needs, each with its required fields
            rows = self.platform.registry.entity(field.child, child_ok=True)
            count = max(1, int(schema.get("minItems", 1)))
            return [{f.name: self._value(rows, f) for f in rows.fields if f.required} for _ in range(count)]
        if field.dictionary:
            codes = self.platform.registry.dictionary_codes.get(field.dictionary, frozenset())
            if self.region in codes:
                return self.region
            if codes:
                return min(codes)
        if field.type in ("integer", "number"):
            low = schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1)
            return max(low, min(schema.get("maximum", low), 1))
        if field.type == "boolean":
            return False
        if field.type == "string" and "pattern" not in schema:
            return self._text(field, n)
        raise ValueError(
            f"record_factory cannot fill the required field {spec.name}.{field.name}"
            f" ({field.type}{', pattern' if 'pattern' in schema else ''}). Pass it: body({spec.name!r}, {field.name}=...)."
        )

    def _text(self, field: FieldSpec, n: int) -> str:
        now = utc_now()
        if field.format == "date":
            return now.date().isoformat()
        if field.format == "date-time":
            return now.replace(microsecond=0, tzinfo=dt.UTC).isoformat()
        if field.format == "email":
            return f"user{n}@example.org"
        text = f"{field.title or field.name}{n}"
        text = text.ljust(int(field.schema_.get("minLength", 0)), "x")
        return text[: field.max_length] if field.max_length else text
