"""One report with one query for one scope, compiled to SQLAlchemy Core statements; its rows
derived (ratios, shares, changes) and given their drill-down links.

Split from ``runner`` (which decides who may run what and labels the rows): this part only turns
a declaration and parsed parameters into SQL and numbers.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Mapping
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import quote_plus

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Integer,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
)

from ..data.query import filterable_fields
from ..meta.report_spec import (
    DEADLINE_PREFIXES,
    STATE_FIELD,
    ConditionSpec,
    DimensionSpec,
    MeasureSpec,
    ReportSpec,
    relative_date,
)
from ..meta.spec import EntitySpec, FieldSpec
from ..store.clock import utc_now
from ..workflow.tables import deadline, instance
from .parameters import ReportQuery
from .sql import bucket_bounds, level_expression, time_bucket, year_later
from .values import as_number, as_text, comparison_period, divide, plain

__all__ = ["CompiledReport"]

YEAR_DAYS = 365  # a period this long or longer has no 同比: last year's period would overlap it
WINDOW_TOTALS: dict[str, Any] = {"count": func.sum, "sum": func.sum, "min": func.min, "max": func.max}  # add up by group
TOTAL_SUFFIX = "__total"
_UNKNOWN: Any = object()  # not worked out yet (None is an answer: "cannot be asked")


class CompiledReport:
    """One report with one query for one scope, as SQLAlchemy Core statements."""

    def __init__(
        self, registry: Any, report: ReportSpec, query: ReportQuery, scope: ColumnElement[bool] | None, today: dt.date
    ) -> None:
        self.registry = registry
        self.report = report
        self.query = query
        self.scope = scope
        self.today = today
        self.entity: EntitySpec = registry.entity(report.source)
        self.process = registry.catalog.process_of(self.entity.name)
        self.table = registry.table(self.entity.name)
        named = self._named_fields()
        source: Any = self.table
        if STATE_FIELD in named:
            source = source.outerjoin(
                instance, and_(instance.c.entity == self.entity.name, instance.c.record_id == self.table.c.id)
            )
        self.joins: dict[str, Any] = {}
        for link in sorted({n.partition(".")[0] for n in named if "." in n and not n.startswith(DEADLINE_PREFIXES)}):
            target = registry.table(self.entity.field(link).link).alias(f"linked_{link}")
            self.joins[link] = target
            source = source.outerjoin(target, target.c.id == self.table.c[link])
        self.source = source

    def _named_fields(self) -> set[str]:
        r = self.report
        names = {p.field for p in r.parameters} | {d.field for d in r.dimensions} | {c.field for c in r.filters}
        names |= {c.field for m in r.measures for c in m.where} | {m.field for m in r.measures if m.field}
        return names

    # ---- pieces ----------------------------------------------------------------------------

    def spec_of(self, name: str) -> FieldSpec:
        return self.report.fields[name]  # resolved (and checked) when the report was published

    def column(self, name: str) -> Any:
        """The SQL expression of a named field: a column, a joined column, the state, a deadline test."""
        if name == STATE_FIELD:
            return instance.c.state
        if name.startswith(DEADLINE_PREFIXES):
            kind, _, rule = name.partition(".")
            clock = select(deadline.c.id).where(
                deadline.c.entity == self.entity.name, deadline.c.record_id == self.table.c.id, deadline.c.rule == rule
            )
            if kind == "_on_time":
                clock = clock.where(deadline.c.status == "met", deadline.c.ended_at <= deadline.c.due_at)
            else:
                now = utc_now().replace(tzinfo=None)
                clock = clock.where(deadline.c.status.in_(("open", "paused")), deadline.c.due_at < now)
            return clock.exists()
        if "." in name:
            link, _, target = name.partition(".")
            return self.joins[link].c[target]
        return self.table.c[name]

    def typed(self, spec: FieldSpec, value: Any) -> Any:
        value = relative_date(value, self.today)
        if spec.format in ("date", "date-time") and isinstance(value, str):
            return dt.date.fromisoformat(value[:10])
        return value

    def condition(self, c: ConditionSpec) -> ColumnElement[bool]:
        spec, column = self.spec_of(c.field), self.column(c.field)
        if c.op == "is_null":
            return column.is_(None)  # type: ignore[no-any-return]
        if c.op == "not_null":
            return column.is_not(None)  # type: ignore[no-any-return]
        if c.op in ("in", "not_in"):
            values = [self.typed(spec, v) for v in (c.value if isinstance(c.value, list) else [c.value])]
            return column.in_(values) if c.op == "in" else or_(column.not_in(values), column.is_(None))
        value = self.typed(spec, c.value)
        if c.op == "ne":
            return or_(column != value, column.is_(None))
        if c.op == "eq":
            return column.is_(value) if isinstance(value, bool) and c.field.startswith(DEADLINE_PREFIXES) else column == value  # type: ignore[no-any-return]
        compare = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}[c.op]
        return compare(column, value)  # type: ignore[no-any-return]

    def within(self, name: str, first: dt.date | None, last: dt.date | None) -> ColumnElement[bool]:
        """``field`` lies in [first, last] (whole days, for date and date-time fields alike)."""
        column = self.column(name)
        spec = self.spec_of(name)
        clauses = []
        if first is not None:
            clauses.append(column >= (dt.datetime.combine(first, dt.time()) if spec.format == "date-time" else first))
        if last is not None:
            following = last + dt.timedelta(days=1)
            clauses.append(column < (dt.datetime.combine(following, dt.time()) if spec.format == "date-time" else following))
        return and_(*clauses) if clauses else literal(True)

    def dimension(self, d: DimensionSpec) -> Any:
        column = self.column(d.field)
        if d.bucket:
            current, comparisons = self.periods()
            period = self.report.period
            if "last_year" in comparisons and period is not None and period.field == d.field:
                # Last year's rows count in this year's buckets (同比 per month, quarter...).
                shifted = year_later(column, self.spec_of(d.field).format == "date-time")
                return case((current, time_bucket(column, d.bucket)), else_=time_bucket(shifted, d.bucket))  # type: ignore[arg-type]
            return time_bucket(column, d.bucket)
        if d.levels and d.dictionary:
            return level_expression(column, self.registry.catalog.dictionaries[d.dictionary], self.query.levels[d.name])
        return column

    def drill_condition(self, d: DimensionSpec, value: Any) -> ColumnElement[bool]:
        column = self.column(d.field)
        if d.bucket:
            first, last = bucket_bounds(str(value), d.bucket)
            return self.within(d.field, first, last)
        dictionary = self.registry.catalog.dictionaries.get(d.dictionary or "")
        if dictionary is not None and dictionary.hierarchical:
            return column.in_(self.registry.with_descendants(dictionary.name, (str(value),)))  # type: ignore[no-any-return]
        return column == value  # type: ignore[no-any-return]

    def base_where(self) -> list[ColumnElement[bool]]:
        """Scope, filters, value parameters and drill values: what every counted row meets."""
        clauses: list[ColumnElement[bool]] = [] if self.scope is None else [self.scope]
        clauses += [self.condition(c) for c in self.report.filters]
        for p in self.report.parameters:
            if p.kind == "values" and p.name in self.query.values:
                clauses.append(self.column(p.field).in_(self.query.values[p.name]))
        for d in self.report.dimensions:
            if d.name in self.query.drill:
                clauses.append(self.drill_condition(d, self.query.drill[d.name]))
        return clauses

    def periods(self) -> tuple[ColumnElement[bool] | None, dict[str, ColumnElement[bool]]]:
        """The current period's condition and each comparison's ({against: condition})."""
        period = self.report.period
        if period is None:
            return None, {}
        first, last = self.query.periods.get(period.name, (None, None))
        if first is None and last is None:
            return None, {}
        current = self.within(period.field, first, last)
        comparisons = {}
        if first is not None and last is not None:
            for m in self.report.measures:
                if m.kind == "change" and m.against:
                    if m.against == "last_year" and (last - first).days >= YEAR_DAYS:
                        continue  # a year earlier would overlap this period: no 同比 (shown as —)
                    a, b = comparison_period(first, last, m.against)
                    comparisons[m.against] = self.within(period.field, a, b)
        return current, comparisons

    def aggregate(self, m: MeasureSpec, extra: ColumnElement[bool] | None) -> Any:
        conditions = [self.condition(c) for c in m.where] + ([extra] if extra is not None else [])
        when = and_(*conditions) if conditions else None
        target = self.column(m.field) if m.field else None
        if m.kind == "count":
            if target is None:
                return func.count() if when is None else func.count(case((when, 1)))
            return func.count(target if when is None else case((when, target)))
        value: Any = target if when is None else case((when, target))
        if m.kind == "count_distinct":
            return func.count(value.distinct())
        if m.kind == "sum":
            return func.coalesce(func.sum(value), 0)
        if m.kind == "avg":
            return func.avg(value)
        return func.min(value) if m.kind == "min" else func.max(value)

    def selected(self) -> list[Any]:
        """The aggregate columns: each aggregate measure, and each change's comparison figure."""
        current, comparisons = self.periods()
        items = []
        for m in self.report.measures:
            if m.is_aggregate:
                items.append(self.aggregate(m, current if comparisons else None).label(m.name))
        for m in self.report.measures:
            if m.kind == "change" and m.against in comparisons:
                base = self.report.by_measure[m.of or ""]
                items.append(self.aggregate(base, comparisons[m.against]).label(f"{m.name}__base"))
        return items

    def where(self) -> list[ColumnElement[bool]]:
        clauses = self.base_where()
        current, comparisons = self.periods()
        if current is not None:
            clauses.append(or_(current, *comparisons.values()) if comparisons else current)
        return clauses

    def statements(self) -> tuple[Any, Any]:
        """(the grouped aggregate, the totals aggregate or None): the same WHERE.

        When every aggregate adds up across groups (count, sum, min, max), the totals ride on the
        grouped statement as window functions over all groups (``sum(count(*)) OVER ()``, computed
        before ORDER BY and LIMIT): one scan instead of two. Otherwise (count distinct, avg) a second
        statement computes them.
        """
        dims = [self.dimension(d).label(d.name) for d in self.report.dimensions]
        measures = self.selected()
        where = self.where()
        windows = self.window_totals(measures) if dims and self.wants_totals() else None
        grouped = select(*dims, *measures, *(windows or ())).select_from(self.source).where(*where)
        if dims:
            # By position: PostgreSQL would not see two renderings of an expression with bound
            # parameters (a level's substr, a bucket's CASE) as the same expression.
            grouped = grouped.group_by(*(literal_column(str(n)) for n in range(1, len(dims) + 1)))
        grouped = grouped.order_by(*self.order(grouped)).limit(self.query.limit)
        totals = None if windows is not None else select(*measures).select_from(self.source).where(*where)
        return grouped, totals

    def wants_totals(self) -> bool:
        return self.report.totals or self._needs_totals()

    def window_totals(self, measures: list[Any]) -> list[Any] | None:
        """``<name>__total`` over all groups for each aggregate column, or None if one does not add up."""
        kinds = {m.name: m.kind for m in self.report.measures}
        for m in self.report.measures:
            if m.kind == "change":
                kinds[f"{m.name}__base"] = kinds.get(m.of or "", "")
        windows = []
        for column in measures:
            kind = kinds.get(column.name)
            if kind not in WINDOW_TOTALS:
                return None
            inner = column.element
            total = WINDOW_TOTALS[kind](inner).over()
            if kind in ("count", "sum"):  # PostgreSQL sums a bigint to numeric: keep the column's own type
                total = cast(total, BigInteger if isinstance(inner.type, Integer) else inner.type)
            windows.append(total.label(f"{column.name}{TOTAL_SUFFIX}"))
        return windows

    def order(self, grouped: Any) -> list[Any]:
        columns = {c.name: c for c in grouped.selected_columns}
        keys = []
        for item in (*self.query.sort, *(d.name for d in self.report.dimensions)):
            name = item.lstrip("-")
            expression = self._sort_expression(name, columns)
            if expression is None:
                continue
            keys.append(expression.desc() if item.startswith("-") else expression.asc())
        return keys

    def _sort_expression(self, name: str, columns: Mapping[str, Any]) -> Any:
        measure = self.report.by_measure.get(name)
        if measure is None or measure.is_aggregate:
            return columns.get(name)
        if measure.kind == "share":
            return columns.get(measure.of or "")
        if measure.kind == "ratio":
            numerator, denominator = columns[measure.numerator or ""], columns[measure.denominator or ""]
            return numerator * 1.0 / func.nullif(denominator, 0)
        base = columns.get(f"{name}__base")
        if base is None:
            return null()
        return (columns[measure.of or ""] - base) * 1.0 / func.nullif(base, 0)

    # ---- running ---------------------------------------------------------------------------

    def execute(self, conn: Connection) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        grouped, totals_stmt = self.statements()
        result = conn.execute(grouped)
        keys = list(result.keys())
        rows = [dict(zip(keys, row, strict=True)) for row in result.all()]  # no mapping view per group
        totals = None
        if totals_stmt is not None and self.wants_totals():
            totals = dict(conn.execute(totals_stmt).mappings().one())
        elif totals_stmt is None:  # carried by every grouped row; no group at all: nothing counted
            names = [c.name for c in self.selected()]
            first = rows[0] if rows else {}
            totals = {n: first.get(f"{n}{TOTAL_SUFFIX}", self.empty_total(n)) for n in names}
        for row in rows:
            self.derive(row, totals)
        if totals is not None:
            self.derive(totals, totals)
        shown = [self.output(row) for row in rows]
        return shown, (self.output(totals) if totals is not None and self.report.totals else None)

    def empty_total(self, name: str) -> Any:
        """The total of a measure over no records: 0 for counts and sums (as the totals statement), else None."""
        measure = self.report.by_measure.get(name.removesuffix("__base"))
        if name.endswith("__base") and measure is not None:
            measure = self.report.by_measure.get(measure.of or "")
        return 0 if measure is not None and measure.kind in ("count", "sum") else None

    def _needs_totals(self) -> bool:
        return any(m.kind == "share" for m in self.report.measures)

    @cached_property
    def _derived(self) -> list[MeasureSpec]:
        return [m for m in self.report.measures if m.kind in ("ratio", "share", "change")]

    def derive(self, row: dict[str, Any], totals: Mapping[str, Any] | None) -> None:
        """Ratios, shares and changes from the aggregates (numbers, not rows)."""
        for m in self._derived:
            if m.kind == "ratio":
                row[m.name] = divide(row.get(m.numerator or ""), row.get(m.denominator or ""))
            elif m.kind == "share":
                row[m.name] = divide(row.get(m.of or ""), (totals or {}).get(m.of or ""))
            else:
                base = row.get(f"{m.name}__base")
                current = row.get(m.of or "")
                row[m.name] = None if base is None or current is None else divide(current - base, base)

    @cached_property
    def _shown(self) -> tuple[list[str], list[tuple[str, Any]]]:
        """The names a row shows, and those whose values need converting for JSON: a date that is
        not bucketed (to ISO text), a sum, average, minimum or maximum (Decimal to float, no NaN).
        Counts are integers and ratios, shares and changes floats already."""
        names = [d.name for d in self.report.dimensions] + [m.name for m in self.report.measures]
        converted: list[tuple[str, Any]] = []
        for d in self.report.dimensions:
            spec = self.report.fields.get(d.field)
            if not d.bucket and (spec is None or spec.format in ("date", "date-time")):
                converted.append((d.name, plain))
        converted += [(m.name, as_number) for m in self.report.measures if m.kind in ("sum", "avg", "min", "max")]
        return names, converted

    def output(self, row: Mapping[str, Any]) -> dict[str, Any]:
        names, converted = self._shown
        result = {name: row.get(name) for name in names}
        for name, convert in converted:
            result[name] = convert(result[name])
        return result

    def columns(self) -> list[dict[str, Any]]:
        cols: list[dict[str, Any]] = [
            {"name": d.name, "title": d.title, "kind": "dimension", "level": self.query.levels.get(d.name), "bucket": d.bucket}
            for d in self.report.dimensions
        ]
        cols += [{"name": m.name, "title": m.title, "kind": "measure", "format": m.format} for m in self.report.measures]
        return cols

    # ---- drill-down ------------------------------------------------------------------------

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
        for m, own in self._measure_args:
            if own is None:
                continue  # the list screen cannot ask this measure's condition
            if not own.keys().isdisjoint(common):  # the row and the measure ask the same field: combine them
                args = dict(common)
                if all(self._express(args, c) for c in m.where):
                    links[m.name] = records + _query(args)
                continue
            if common_query is None:
                common_query = _query(common)
            own_query = _query(own)
            links[m.name] = records + ("&".join(q for q in (common_query, own_query) if q))
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
    def _level_links(self) -> dict[tuple[str, Any], str]:
        return {}

    @cached_property
    def _measure_args(self) -> list[tuple[MeasureSpec, dict[str, str] | None]]:
        """Each aggregate measure with the list arguments of its own conditions (None: not expressible)."""
        found: list[tuple[MeasureSpec, dict[str, str] | None]] = []
        for m in self.report.measures:
            if m.is_aggregate:
                own: dict[str, str] = {}
                found.append((m, own if all(self._express(own, c) for c in m.where) else None))
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

    @cached_property
    def _dimension_parts(self) -> dict[tuple[str, Any], dict[str, str] | None]:
        return {}

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
