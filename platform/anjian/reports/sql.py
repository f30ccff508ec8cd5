"""SQL pieces of a report: time buckets and tree-dictionary levels, on SQLite and PostgreSQL.

Both render to plain SQL expressions over one column, so grouping happens in the database.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, String, case, func, literal, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..meta.spec import DictionarySpec

__all__ = ["BUCKETS", "ancestor_at", "bucket_bounds", "bucket_of", "level_expression", "time_bucket", "year_later"]

BUCKETS = ("day", "week", "month", "quarter", "year")


class time_bucket(FunctionElement[str]):  # noqa: N801 (reads as a SQL function)
    """The bucket of a date or timestamp as text: 2026-03-05, 2026-03-02 (the week's Monday),
    2026-03, 2026-Q1, 2026."""

    type = String()
    inherit_cache = True
    name = "time_bucket"

    def __init__(self, column: Any, unit: str) -> None:
        self.unit = unit
        super().__init__(column)


@compiles(time_bucket, "sqlite")
def _sqlite_bucket(element: Any, compiler: Any, **kw: Any) -> str:
    # Dates and timestamps are stored as ISO text (YYYY-MM-DD[ HH:MM:SS]), so day, month, quarter and
    # year are prefixes of it: substr costs a fraction of strftime, which dominated a 1M-row GROUP BY.
    column = compiler.process(element.clauses, **kw)
    return {
        "day": f"substr({column}, 1, 10)",
        "week": f"date({column}, 'weekday 0', '-6 days')",
        "month": f"substr({column}, 1, 7)",
        "quarter": f"(substr({column}, 1, 4) || '-Q' || ((CAST(substr({column}, 6, 2) AS INTEGER) + 2) / 3))",
        "year": f"substr({column}, 1, 4)",
    }[element.unit]


@compiles(time_bucket)
def _postgres_bucket(element: Any, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return {
        "day": f"to_char({column}, 'YYYY-MM-DD')",
        "week": f"to_char(date_trunc('week', {column}), 'YYYY-MM-DD')",
        "month": f"to_char({column}, 'YYYY-MM')",
        "quarter": f"to_char({column}, 'YYYY-\"Q\"Q')",
        "year": f"to_char({column}, 'YYYY')",
    }[element.unit]


class year_later(FunctionElement[Any]):  # noqa: N801 (reads as a SQL function)
    """The date or timestamp one year later (a comparison row of 同比 moved onto this year's buckets)."""

    inherit_cache = True
    name = "year_later"

    def __init__(self, column: Any, timestamp: bool) -> None:
        self.timestamp = timestamp
        super().__init__(column)


@compiles(year_later, "sqlite")
def _sqlite_year_later(element: Any, compiler: Any, **kw: Any) -> str:
    function = "datetime" if element.timestamp else "date"
    return f"{function}({compiler.process(element.clauses, **kw)}, '+1 year')"


@compiles(year_later)
def _postgres_year_later(element: Any, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} + interval '1 year')"


def bucket_of(value: dt.date, unit: str) -> str:
    """The bucket text of a date (what ``time_bucket`` gives in SQL)."""
    if unit == "day":
        return value.isoformat()
    if unit == "week":
        return (value - dt.timedelta(days=value.weekday())).isoformat()
    if unit == "month":
        return f"{value.year:04d}-{value.month:02d}"
    if unit == "quarter":
        return f"{value.year:04d}-Q{(value.month + 2) // 3}"
    return f"{value.year:04d}"


@lru_cache(maxsize=4096)  # a report's drill links ask it once per group, of a few hundred buckets
def bucket_bounds(text: str, unit: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a bucket given as its text (ValueError if it is not one)."""
    if unit in ("day", "week"):
        first = dt.date.fromisoformat(text)
        if unit == "week" and first.weekday() != 0:
            raise ValueError(text)
        return first, first + dt.timedelta(days=0 if unit == "day" else 6)
    if unit == "year":
        if len(text) != 4 or not text.isdigit():
            raise ValueError(text)
        return dt.date(int(text), 1, 1), dt.date(int(text), 12, 31)
    year, sep, rest = text.partition("-")
    if not sep or not year.isdigit() or len(year) != 4:
        raise ValueError(text)
    if unit == "quarter":
        if not (rest.startswith("Q") and rest[1:] in ("1", "2", "3", "4")):
            raise ValueError(text)
        first_month = 3 * int(rest[1:]) - 2
        start, months = dt.date(int(year), first_month, 1), 3
    else:
        if not (rest.isdigit() and len(rest) == 2 and 1 <= int(rest) <= 12):
            raise ValueError(text)
        start, months = dt.date(int(year), int(rest), 1), 1
    month = start.month - 1 + months
    following = dt.date(start.year + month // 12, month % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


def ancestor_at(dictionary: DictionarySpec, level: str) -> dict[str, str]:
    """Each code of a tree dictionary mapped to its ancestor at ``level`` (codes at or above it: absent)."""
    parent = {item.code: item.parent for item in dictionary.items}
    level_of = {item.code: item.level for item in dictionary.items}
    mapping = {}
    for code in parent:
        current: str | None = code
        while current is not None and level_of.get(current) != level:
            current = parent.get(current)
        if current is not None and current != code:
            mapping[code] = current
    return mapping


def _prefix_rule(dictionary: DictionarySpec, level: str) -> tuple[int, str] | None:
    """(n, pad) when the ancestor of every code is its first n characters + pad (GB/T 2260 regions)."""
    mapping = ancestor_at(dictionary, level)
    if not mapping:
        return None
    ancestors = set(mapping.values()) | {i.code for i in dictionary.items if i.level == level}
    for n in range(1, max(len(a) for a in ancestors) + 1):
        pads = {a[n:] for a in ancestors}
        if len(pads) != 1:
            continue
        pad = pads.pop()
        width = n + len(pad)

        def rule(code: str, n: int = n, pad: str = pad, width: int = width) -> str:
            return code[:n] + pad if len(code) >= width else code

        if all(rule(code) == mapping.get(code, code) for code in dictionary.codes()):
            return n, pad
    return None


def level_is_prefix(dictionary: DictionarySpec, level: str) -> bool:
    """Whether ``level_expression`` is all inline constants (a prefix rule or the code itself), so an
    index on the same expression can serve it (reports.indexes)."""
    return _prefix_rule(dictionary, level) is not None or not ancestor_at(dictionary, level)


def level_expression(column: Any, dictionary: DictionarySpec, level: str) -> ColumnElement[Any]:
    """SQL giving the ancestor at ``level`` of the code in ``column`` (the code itself at or above it)."""
    rule = _prefix_rule(dictionary, level)
    if rule is not None:
        n, pad = rule
        # Constants inline (never bound parameters), so the text matches a report index on the same
        # expression (reports.indexes): SQLite then groups by walking the index instead of sorting.
        cut = func.substr(column, literal_column("1"), literal_column(str(n)))
        padding = literal_column(f"'{pad}'") if pad.isalnum() else literal(pad)
        head = cut.op("||")(padding) if pad else cut
        return case((func.length(column) >= literal_column(str(n + len(pad))), head), else_=column)
    mapping = ancestor_at(dictionary, level)
    if not mapping:
        return column  # type: ignore[no-any-return]
    return case(mapping, value=column, else_=column)
