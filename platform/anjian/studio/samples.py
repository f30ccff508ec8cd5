"""Sample records generated from a draft's schema, for the live preview's list and detail pages.

Nothing is stored: each value is made from the field's declaration (enum, dictionary, range,
length, format, the national standard checks) so the preview shows what officers will see with
data in it. Links and attachments stay empty (there is nothing to point at yet); child tables get
two rows of their own samples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..meta.spec import DictionarySpec, EntitySpec, FieldSpec

__all__ = ["id_number", "sample_records"]

_DAY = dt.date(2026, 3, 2)
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


def id_number(n: int) -> str:
    """A well-formed 公民身份号码 of a 安溪 resident (GB 11643 check character holds)."""
    first17 = f"350524{1970 + n % 40:04d}{1 + n % 12:02d}{1 + n % 28:02d}{100 + n % 900:03d}"
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


# Issued codes whose GB 32100 and GB 11714 check characters hold (FACTS.md §3.5's test vectors).
_CREDIT_CODES = ("91350200MA2YJ1XR9G", "91350213678251743X", "9135021359498494XQ", "91330100716105852F")


def _credit_code(n: int) -> str:
    return _CREDIT_CODES[(n - 1) % len(_CREDIT_CODES)]


_BY_VALIDATOR = {"registry.uscc_check": _credit_code, "registry.id_number_check": id_number}
_BY_PATTERN = {
    "^1[3-9]\\d{9}$": lambda n: f"1{3 + n % 7}{n:09d}"[:11],
    "^0\\d{2,3}-?\\d{7,8}$": lambda n: f"0595-{2300000 + n}",
    "^\\d{17}[\\dX]$": id_number,
}


def _pick(dictionary: DictionarySpec, n: int) -> str | None:
    """The n-th code, the deepest level first for a tree (a village, not a province)."""
    items = dictionary.items
    if not items:
        return None
    if dictionary.hierarchical:
        longest = max(len(i.code) for i in items)
        leaves = [i for i in items if len(i.code) == longest][:50]
        return leaves[n % len(leaves)].code
    return items[n % len(items)].code


def _number(field: FieldSpec, n: int) -> int | float:
    schema = field.schema_
    low = schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1 if "exclusiveMinimum" in schema else 0)
    high = schema.get("maximum", low + 1000)
    value = min(high, low + 3 * n + 1)
    return value if field.type == "integer" else float(value) + 0.5 if value + 0.5 <= high else float(value)


def _text(field: FieldSpec, n: int) -> str | None:
    schema = field.schema_
    fmt = field.format
    if fmt == "date":
        return (_DAY + dt.timedelta(days=n)).isoformat()
    if fmt == "date-time":
        return f"{(_DAY + dt.timedelta(days=n)).isoformat()}T09:{10 + n:02d}:00+08:00"
    if fmt == "time":
        return f"09:{10 + n:02d}:00"
    if fmt == "email":
        return f"user{n}@example.org"
    if fmt in ("uri", "url"):
        return f"https://example.org/{n}"
    pattern = schema.get("pattern")
    if pattern is not None:
        maker = _BY_PATTERN.get(pattern)
        return maker(n) if maker else None
    text = f"{field.title or field.name}{n}"
    text = text.ljust(int(schema.get("minLength", 0)), "0")
    return text[: field.max_length] if field.max_length else text


def _value(field: FieldSpec, n: int, dictionaries: Mapping[str, DictionarySpec], children: Mapping[str, EntitySpec]) -> Any:
    for name in field.validators:
        if name in _BY_VALIDATOR:
            return _BY_VALIDATOR[name](n)
    if field.child:
        child = children.get(field.child)
        return [] if child is None else [_record(child, n * 10 + k, dictionaries, children) for k in (1, 2)]
    if field.computed or field.link or field.attachment is not None:
        return None if field.attachment is None else []
    if field.enum:
        return field.enum[(n - 1) % len(field.enum)]
    if field.dictionary:
        dictionary = dictionaries.get(field.dictionary)
        return _pick(dictionary, n) if dictionary is not None else None
    if n == 1 and field.default is not None:
        return field.default
    if field.type in ("integer", "number"):
        return _number(field, n)
    if field.type == "boolean":
        return n % 2 == 1
    if field.type == "string":
        return _text(field, n)
    return None


def _record(
    spec: EntitySpec, n: int, dictionaries: Mapping[str, DictionarySpec], children: Mapping[str, EntitySpec]
) -> dict[str, Any]:
    record: dict[str, Any] = {f.name: _value(f, n, dictionaries, children) for f in spec.fields}
    record["id"] = n
    return record


def sample_records(
    spec: EntitySpec, entities: Mapping[str, EntitySpec], dictionaries: Mapping[str, DictionarySpec], count: int = 3
) -> list[dict[str, Any]]:
    """``count`` records of ``spec`` made from its declaration (ids 1…count, nothing stored)."""
    now = f"{_DAY.isoformat()}T09:00:00+08:00"
    records = []
    for n in range(1, count + 1):
        record = _record(spec, n, dictionaries, entities)
        record.update({"created_at": now, "updated_at": now, "created_by": "sample", "overrides": {}})
        records.append(record)
    return records
