"""One report with one query for one scope, compiled to SQLAlchemy Core statements; its rows
derived (ratios, shares, changes); their drill-down links come from ``drill``.

Split from ``runner`` (which decides who may run what and labels the rows): this part only turns
a declaration and parsed parameters into SQL and numbers.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Mapping
from functools import cached_property
from typing import Any

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
from .drill import DrillLinks
from .parameters import ReportQuery
from .sql import bucket_bounds, level_expression, time_bucket, year_later
from .values import as_number, comparison_period, divide, plain

__all__ = ["CompiledReport"]

YEAR_DAYS = 365  # a period this long or longer has no 同比: last year's period would overlap it
WINDOW_TOTALS: dict[str, Any] = {"count": func.sum, "sum": func.sum, "min": func.min, "max": func.max}  # add up by group
TOTAL_SUFFIX = "__total"


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

    @cached_property
    def drill(self) -> DrillLinks:
        """The drill-down links of this report's rows (anjian.reports.drill)."""
        return DrillLinks(self.report, self.query, self.entity, self.typed)

    def links(self, row: Mapping[str, Any]) -> dict[str, str]:
        return self.drill.links(row)

    def columns(self) -> list[dict[str, Any]]:
        cols: list[dict[str, Any]] = [
            {"name": d.name, "title": d.title, "kind": "dimension", "level": self.query.levels.get(d.name), "bucket": d.bucket}
            for d in self.report.dimensions
        ]
        cols += [{"name": m.name, "title": m.title, "kind": "measure", "format": m.format} for m in self.report.measures]
        return cols
