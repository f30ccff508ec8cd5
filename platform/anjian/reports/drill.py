"""Drill-down: where each number of a report's row leads, as links the screens follow.

A tree dimension's value leads to the report one level deeper (region: county → township); a
measure leads to the list of the records that add up to it, asked with the list screen's own
filters (the report's filters and parameters, the row's dimension values, the measure's
conditions), when the list can ask all of them. Split from ``compiled`` (the SQL): this part only
writes query strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import quote_plus

from ..data.query import filterable_fields
from ..meta.report_spec import STATE_FIELD, ConditionSpec, DimensionSpec, MeasureSpec, ReportSpec
from ..meta.spec import EntitySpec, FieldSpec
from .parameters import ReportQuery
from .sql import bucket_bounds
from .values import as_text

__all__ = ["DrillLinks"]

_UNKNOWN: Any = object()  # not worked out yet (None is an answer: "cannot be asked")


class DrillLinks:
    """The links of one report run's rows; what many rows share is worked out once."""

    def __init__(
        self, report: ReportSpec, query: ReportQuery, entity: EntitySpec, typed: Callable[[FieldSpec, Any], Any]
    ) -> None:
        self.report = report
        self.query = query
        self.entity = entity
        self.typed = typed
        # What many rows share, filled as rows come: a value's next-level link, and what a
        # dimension value adds to the records query (None: the list cannot ask it).
        self._level_links: dict[tuple[str, Any], str] = {}
        self._dimension_parts: dict[tuple[str, Any], dict[str, str] | None] = {}

    def spec_of(self, name: str) -> FieldSpec:
        return self.report.fields[name]  # resolved (and checked) when the report was published

    def links(self, row: Mapping[str, Any]) -> dict[str, str]:
        """Where each number of ``row`` leads: the next level of a tree dimension (``<dimension>``
        keys) and the records that add up to a measure (``<measure>`` keys), when expressible.

        A thousand rows repeat the same few dimension values and the same measure conditions: the
        next-level link of a value and each measure's own part of the list query are worked out once.
        """
        links: dict[str, str] = {}
        for d, deeper in self._deeper_levels:
            value = row.get(d.name)
            if value is None:
                continue
            link = self._level_links.get((d.name, value))
            if link is None:
                args = {**self._base_args, d.name: str(value), f"{d.name}_level": deeper}
                # Empty bounds in the link mean "all", not the default period.
                link = self._level_links[(d.name, value)] = f"/reports/{self.report.name}?" + _query(args)
            links[d.name] = link
        common = self._record_args(row)
        if common is None:
            return links
        records = f"/e/{self.entity.name}/?"
        common_query: str | None = None
        for m, own, own_query in self._measure_args:
            if own is None:
                continue  # the list screen cannot ask this measure's condition
            if not own.keys().isdisjoint(common):  # the row and the measure ask the same field: combine them
                args = dict(common)
                if all(self._express(args, c) for c in m.where):
                    links[m.name] = records + _query(args)
                continue
            if common_query is None:
                common_query = _query(common)
            links[m.name] = records + "&".join(q for q in (common_query, own_query) if q)
        return links

    @cached_property
    def _deeper_levels(self) -> list[tuple[DimensionSpec, str]]:
        """Each tree dimension with a level below the one shown, and that level."""
        found = []
        for d in self.report.dimensions:
            if d.levels:
                position = d.levels.index(self.query.levels[d.name])
                if position + 1 < len(d.levels):
                    found.append((d, d.levels[position + 1]))
        return found

    @cached_property
    def _measure_args(self) -> list[tuple[MeasureSpec, dict[str, str] | None, str]]:
        """Each aggregate measure with the list arguments of its own conditions (None: not
        expressible) and their query text."""
        found: list[tuple[MeasureSpec, dict[str, str] | None, str]] = []
        for m in self.report.measures:
            if m.is_aggregate:
                own: dict[str, str] = {}
                expressible = all(self._express(own, c) for c in m.where)
                found.append((m, own if expressible else None, _query(own) if expressible else ""))
        return found

    @cached_property
    def _base_args(self) -> dict[str, str]:
        return self.query.as_args()

    @cached_property
    def _query_args(self) -> dict[str, str] | None:
        """The part of every row's list query that comes from the report's filters and parameters
        (the same for each of a thousand rows: worked out once)."""
        args: dict[str, str] = {}
        for c in self.report.filters:
            if not self._express(args, c):
                return None
        for p in self.report.parameters:
            if p.kind == "date_range":
                first, last = self.query.periods.get(p.name, (None, None))
                if (first or last) and not self._range(args, p.field, first, last):
                    return None
            elif p.name in self.query.values:
                if not self._put(args, p.field, ",".join(as_text(v) for v in self.query.values[p.name])):
                    return None
        return args

    @cached_property
    def _filterable_names(self) -> frozenset[str]:
        return frozenset(filterable_fields(self.entity))

    def _record_args(self, row: Mapping[str, Any]) -> dict[str, str] | None:
        """The list screen's query for the records behind ``row`` (None: it cannot say so)."""
        fixed = self._query_args
        if fixed is None:
            return None
        args = dict(fixed)
        for d in self.report.dimensions:
            if d.name in row:
                value = row[d.name]
                if value is None:
                    return None  # "（空）" cannot be asked of the list
            elif d.name in self.query.drill:
                value = self.query.drill[d.name]
            else:
                continue
            if not self._separate_fields:
                if not self._ask(args, d, value):
                    return None
                continue
            part = self._dimension_parts.get((d.name, value), _UNKNOWN)
            if part is _UNKNOWN:
                part = self._dimension_parts[(d.name, value)] = self._dimension_part(fixed, d, value)
            if part is None:
                return None
            args.update(part)
        return args

    def _ask(self, args: dict[str, str], d: DimensionSpec, value: Any) -> bool:
        """Add "``d`` is ``value``" to list arguments if the list screen can ask it."""
        if d.bucket:
            first, last = bucket_bounds(str(value), d.bucket)
            return self._range(args, d.field, first, last)
        return self._put(args, d.field, as_text(value), replace=True)

    def _dimension_part(self, fixed: Mapping[str, str], d: DimensionSpec, value: Any) -> dict[str, str] | None:
        """What "``d`` is ``value``" adds to or changes in the fixed arguments (None: it cannot be asked)."""
        args = dict(fixed)
        if not self._ask(args, d, value):
            return None
        return {k: v for k, v in args.items() if fixed.get(k) != v}

    @cached_property
    def _separate_fields(self) -> bool:
        """Whether each dimension asks a field of its own: then what one value asks does not depend
        on the other dimensions, and is worked out once per value rather than once per row."""
        fields = [d.field for d in self.report.dimensions]
        return len(set(fields)) == len(fields)

    def _filterable(self, name: str) -> bool:
        return name == STATE_FIELD or name in self._filterable_names  # joined fields and deadlines are not

    def _put(self, args: dict[str, str], name: str, value: str, replace: bool = False) -> bool:
        key = "_state" if name == STATE_FIELD else name
        if not self._filterable(name):
            return False
        if key in args and args[key] != value and not replace:
            return False
        args[key] = value
        return True

    def _range(self, args: dict[str, str], name: str, first: dt.date | None, last: dt.date | None) -> bool:
        if not self._filterable(name) or name == STATE_FIELD:
            return False
        spec = self.spec_of(name)
        old_first, old_last = args.get(f"{name}__from"), args.get(f"{name}__to")
        if first is not None:
            text = first.isoformat()
            args[f"{name}__from"] = max(text, old_first[:10]) if old_first else text
        if last is not None:
            text = last.isoformat()
            args[f"{name}__to"] = min(text, old_last[:10]) if old_last else text
        if spec.format == "date-time":
            if f"{name}__from" in args:
                args[f"{name}__from"] = args[f"{name}__from"][:10] + "T00:00:00"
            if f"{name}__to" in args:
                args[f"{name}__to"] = args[f"{name}__to"][:10] + "T23:59:59.999999"
        return True

    def _express(self, args: dict[str, str], c: ConditionSpec) -> bool:
        """Add condition ``c`` to list arguments if the list screen can ask it."""
        spec = self.spec_of(c.field)
        if c.op == "eq":
            return self._put(args, c.field, as_text(self.typed(spec, c.value)))
        if c.op == "in" and isinstance(c.value, list):
            return self._put(args, c.field, ",".join(as_text(v) for v in c.value))
        if c.field == STATE_FIELD and c.op in ("ne", "not_in") and spec.enum is not None:
            # Every record of a process entity has a state: "not X" is "one of the others".
            excluded = {str(v) for v in (c.value if isinstance(c.value, list) else [c.value])}
            return self._put(args, c.field, ",".join(str(v) for v in spec.enum if str(v) not in excluded))
        if spec.format == "date" and c.op in ("ge", "gt", "le", "lt"):
            day = self.typed(spec, c.value)
            if c.op in ("ge", "gt"):
                return self._range(args, c.field, day + dt.timedelta(days=1 if c.op == "gt" else 0), None)
            return self._range(args, c.field, None, day - dt.timedelta(days=1 if c.op == "lt" else 0))
        return False


@lru_cache(maxsize=65_536)
def _pair(key: str, value: str) -> str:
    return quote_plus(key) + "=" + quote_plus(value)


def _query(args: Mapping[str, Any]) -> str:
    """``urlencode(args)``, each key and value quoted once per process: a report's thousand drill
    links repeat the same few pairs, and quoting them again was a third of the report API's time."""
    return "&".join(_pair(str(k), str(v)) for k, v in args.items())
