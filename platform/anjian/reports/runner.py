"""Run a declared report: one scoped SQL aggregate (plus its totals), then ratios, shares and changes.

The caller's region scope is a condition of the same WHERE clause as the report's filters, so a
count never sees a row the caller could not list; rows are never loaded into Python to be
counted. Measures with conditions (``where``) and comparison periods (环比, 同比) are conditional
aggregates of that one statement. What comes back is small: one row per group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    select,
)

from ..access import Access
from ..audit import Actor
from ..data.ranges import RangeScope
from ..errors import NotFound, PermissionDenied
from ..meta.report_spec import (
    DimensionSpec,
    ReportSpec,
)
from ..meta.spec import FieldSpec
from .compiled import CompiledReport
from .parameters import ReportQuery, parse_parameters
from .values import comparison_period, local_today

__all__ = ["ReportResult", "ReportRunner", "comparison_period", "local_today"]

EMPTY_LABEL = "（空）"


@dataclass
class ReportResult:
    """What a report answered: columns, rows with labels and drill links, totals, parameters, scope."""

    report: ReportSpec
    query: ReportQuery
    columns: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    totals: dict[str, Any] | None
    scope: str
    labels: list[dict[str, str]] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    total_links: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        rows = [
            {**row, "_labels": labels, "_links": links}
            for row, labels, links in zip(self.rows, self.labels, self.links, strict=True)
        ]
        totals = None if self.totals is None else {**self.totals, "_links": self.total_links}
        return {
            "report": self.report.name,
            "title": self.report.title,
            "columns": self.columns,
            "rows": rows,
            "totals": totals,
            "parameters": self.query.as_args(),
            "scope": self.scope,
        }


class ReportRunner:
    """Reports of one registry version, run for one caller at a time through ``Access``."""

    def __init__(self, registry: Any, access: Access, engine: Engine) -> None:
        self.registry = registry
        self.access = access
        self.engine = engine
        self._labels: dict[str, dict[str, str]] | None = None

    # ---- which reports ---------------------------------------------------------------------

    def may_run(self, actor: Actor, report: ReportSpec) -> bool:
        try:
            self.access.check(actor, self.registry.entity(report.source), "report")
        except PermissionDenied:
            return False
        return True

    def available(self, actor: Actor) -> list[ReportSpec]:
        """The reports ``actor`` may run (the action ``report`` on their source entity), by title."""
        reports = self.registry.catalog.reports.values()
        return sorted((r for r in reports if self.may_run(actor, r)), key=lambda r: (r.module or "", r.title))

    def report(self, actor: Actor, name: str) -> ReportSpec:
        """The report named ``name`` if ``actor`` may run it (NotFound / PermissionDenied otherwise)."""
        report: ReportSpec | None = self.registry.catalog.reports.get(name)
        if report is None:
            raise NotFound(f"报表 {name} 不存在")
        self.access.check(actor, self.registry.entity(report.source), "report")
        return report

    # ---- running ---------------------------------------------------------------------------

    def parse(self, report: ReportSpec, args: Mapping[str, str], today: dt.date | None = None) -> ReportQuery:
        entity = self.registry.entity(report.source)
        process = self.registry.catalog.process_of(entity.name)
        return parse_parameters(report, entity, process, self.registry.catalog.dictionaries, args, today or local_today())

    def scope(self, actor: Actor, report: ReportSpec) -> ColumnElement[bool] | None:
        """The records the caller may both read (list) and report on, as one SQL condition."""
        entity = self.registry.entity(report.source)
        table = self.registry.table(entity.name)
        conditions = [
            c for c in (self.access.scope(actor, entity, table, action) for action in ("read", "report")) if c is not None
        ]
        if len(conditions) == 2 and conditions[0].compare(conditions[1]):
            del conditions[1]  # the usual case: both grants cover the same regions; test them once per row
        if not conditions:
            return None
        return conditions[0] if len(conditions) == 1 else and_(*conditions)

    def _needed(self, conn: Connection, report: ReportSpec, scope: ColumnElement[bool] | None) -> ColumnElement[bool] | None:
        """The scope, or None when no row of the source lies outside it (a province over its own
        deployment): then testing it on each of a million rows changes nothing. A few index probes
        decide, in the same transaction as the aggregate, so no row can slip in between."""
        if not isinstance(scope, RangeScope):
            return scope
        table = self.registry.table(report.source)
        return scope if conn.execute(scope.outside_probe(table.c.id, 1)).first() is not None else None

    def run(self, actor: Actor, name: str, args: Mapping[str, str], today: dt.date | None = None) -> ReportResult:
        """Check, parse, compile and run ``name`` for ``actor``; labels and drill links included."""
        report = self.report(actor, name)
        today = today or local_today()
        query = self.parse(report, args, today)
        with self.engine.connect() as conn:  # one read transaction: the probe and the aggregate see one snapshot
            scope = self._needed(conn, report, self.scope(actor, report))
            compiled = CompiledReport(self.registry, report, query, scope, today)
            rows, totals = compiled.execute(conn)
            link_titles = self._link_titles(conn, actor, report, rows)
        result = ReportResult(report, query, compiled.columns(), rows, totals, self.scope_text(actor, report))
        shown: dict[tuple[str, Any], str] = {}  # a thousand rows repeat a few values of each dimension
        result.labels = [self._row_labels(report, row, link_titles, shown) for row in rows]
        result.links = [compiled.links(row) for row in rows]
        result.total_links = compiled.links({}) if totals is not None else {}
        return result

    def scope_text(self, actor: Actor, report: ReportSpec) -> str:
        """The caller's scope in words (printed above exports): regions or the enterprise."""
        if actor.is_admin:
            return "全部区划（管理员）"
        account = self.access.account(actor.username)
        if account is not None and account.user_type == "enterprise":
            return f"本企业（{account.org_name}）"
        regions = self.access.regions(actor.username, report.source, "report")
        names = self.dictionary_labels().get("region", {})
        return "、".join(sorted({"全部区划" if r == "*" else f"{names.get(r, r)}（{r}）" for r in regions})) or "无"

    # ---- labels ----------------------------------------------------------------------------

    def dictionary_labels(self) -> dict[str, dict[str, str]]:
        if self._labels is None:
            self._labels = dict(self.registry.dictionary_labels)
        return self._labels

    def _link_titles(
        self, conn: Connection, actor: Actor, report: ReportSpec, rows: list[dict[str, Any]]
    ) -> dict[str, dict[Any, str]]:
        """Titles of linked records named by link dimensions (only those the caller may read)."""
        found: dict[str, dict[Any, str]] = {}
        for d in report.dimensions:
            spec = report.fields.get(d.field)
            if spec is None or not spec.link:
                continue
            target = self.registry.entity(spec.link)
            ids = {row[d.name] for row in rows if row.get(d.name) is not None}
            if not ids or not target.title_field:
                continue
            table = self.registry.table(target.name)
            stmt = select(table.c.id, table.c[target.title_field]).where(table.c.id.in_(ids))
            scope = self.access.scope(actor, target, table)
            if scope is not None:
                stmt = stmt.where(scope)
            found[d.name] = {key: str(title) for key, title in conn.execute(stmt)}
        return found

    def _row_labels(
        self,
        report: ReportSpec,
        row: Mapping[str, Any],
        titles: Mapping[str, Mapping[Any, str]],
        shown: dict[tuple[str, Any], str],
    ) -> dict[str, str]:
        labels = {}
        for d in report.dimensions:
            value = row.get(d.name)
            label = shown.get((d.name, value))
            if label is None:
                spec = report.fields.get(d.field)
                label = shown[(d.name, value)] = self.label(spec, d, value, titles.get(d.name, {}))
            labels[d.name] = label
        return labels

    def label(self, spec: FieldSpec | None, dimension: DimensionSpec, value: Any, titles: Mapping[Any, str]) -> str:
        if value is None:
            return EMPTY_LABEL
        if spec is None or dimension.bucket:
            return str(value)
        if spec.dictionary:
            return self.dictionary_labels().get(spec.dictionary, {}).get(str(value), str(value))
        if spec.enum is not None:
            return spec.label_of(value)
        if spec.type == "boolean":
            return "是" if value in (True, 1) else "否"
        if spec.link:
            return titles.get(value, f"#{value}")
        return str(value)
