"""Statutory statistics: who owes a filing for a period, who filed late or not at all, and the
figures as filed, version by version.

A report with a ``statutory`` option names an obligation of its source's process (the registry
records that owe one filing per quarter or year, due ``due_days`` after the period). The figures
as filed are kept version by version (``statutory_snapshots``): version 1 is captured inside the
filing step's own transaction, so it is exactly what the enterprise signed; a correction (returned,
changed and filed again) becomes the next version, and its difference against the one before is
shown. So the figures a county summed stay what the enterprise signed even if the record changes
later. Before a period is shown (and by the worker's beat) filings made before snapshots were taken
at the step are captured too.

Everything the caller sees passes the caller's scope: the filings through the filing entity's
scope (``read`` and ``report``), the registry through its ``read`` scope. The summary is the roll-up
of the filer list it is shown with (one row per obligated registry record in scope).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from ..audit import Actor
from ..errors import FieldError, RecordValidationError
from ..meta.expr import parse_condition
from ..meta.report_spec import ReportSpec
from ..meta.statutory_spec import StatutorySpec
from ..workflow.obligations import latest_ended_period
from .runner import ReportRunner
from .sql import ancestor_at
from .statutory_snapshots import FilingSnapshots, number
from .tables import statutory_filing
from .values import CHINA, local_today

__all__ = ["STATUS_TITLES", "Filer", "StatutoryFilings", "StatutoryPeriod", "difference", "due_date", "period_end"]

STATUS_TITLES = {"on_time": "按时报送", "late": "逾期报送", "missing": "未报送", "pending": "未到期未报"}
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a period may name (the filing's own bounds)


def period_end(year: int, quarter: int | None) -> dt.date:
    """The last day of a quarter (1–4) or, with ``quarter`` None, of the year."""
    if quarter is None:
        return dt.date(year, 12, 31)
    first_of_next = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, quarter * 3 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def due_date(spec: StatutorySpec, year: int, quarter: int | None) -> dt.date:
    """The last day a filing counts as on time: the period's end plus the obligation's ``due_days``."""
    return period_end(year, quarter) + dt.timedelta(days=spec.due_days)


def difference(before: Mapping[str, Any], after: Mapping[str, Any], names: Iterable[str]) -> dict[str, tuple[Any, Any, Any]]:
    """figure -> (before, after, change) for each figure that changed between two versions."""
    changed = {}
    for name in names:
        old, new = before.get(name), after.get(name)
        if old != new:
            delta = None if old is None or new is None else number(new - old)
            changed[name] = (old, new, delta)
    return changed


@dataclass
class Filer:
    """One registry record that owes (or made) a filing for the period, and how it stands."""

    owner_id: int | None
    owner: str
    region_code: str
    region: str
    status: str  # on_time | late | missing | pending
    record_id: int | None = None
    filed_on: dt.date | None = None
    days_late: int = 0
    version: int = 0
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def status_title(self) -> str:
        return STATUS_TITLES[self.status]


@dataclass
class StatutoryPeriod:
    """A statutory report for one period as one caller sees it."""

    report: ReportSpec
    spec: StatutorySpec
    year: int
    quarter: int | None
    due_on: dt.date
    today: dt.date
    scope: str
    filers: list[Filer]
    summary: list[dict[str, Any]]
    totals: dict[str, Any]

    @property
    def period_title(self) -> str:
        return f"{self.year}年第{self.quarter}季度" if self.quarter else f"{self.year}年度"

    @property
    def late_and_missing(self) -> list[Filer]:
        return [f for f in self.filers if f.status in ("late", "missing")]


class StatutoryFilings:
    """Snapshots, periods and versions of statutory reports, through a ``ReportRunner`` (scope, checks)."""

    def __init__(self, runner: ReportRunner) -> None:
        self.runner = runner
        self.registry = runner.registry
        self.engine = runner.engine
        self.snapshots = FilingSnapshots(lambda: runner.registry, runner.engine)

    # ---- snapshots ----------------------------------------------------------------------------

    def capture_all(self, now: dt.datetime | None = None) -> int:
        """Snapshot every statutory report's filings not captured by their step (the worker's beat)."""
        return self.snapshots.capture_all(now)

    def capture(
        self, report: ReportSpec, year: int | None = None, quarter: int | None = None, now: dt.datetime | None = None
    ) -> int:
        """Add a version for each filing in a filed state whose figures differ from its last version
        (the safety net for filings made before snapshots were taken at the step)."""
        return self.snapshots.capture(report, year, quarter, now)

    # ---- a period -----------------------------------------------------------------------------

    def parse_period(self, report: ReportSpec, args: Mapping[str, str], today: dt.date) -> tuple[int, int | None]:
        """The (year, quarter) asked for (default: the last period that has ended); bad values: 422."""
        spec = report.statutory
        assert spec is not None
        year, quarter = latest_ended_period(spec.every, today)
        errors = []
        unknown = sorted(set(args) - {"year", "quarter"})
        for name in unknown:
            errors.append(FieldError(f"/query/{name}", "未知的参数（可用：year、quarter）", "query"))
        if args.get("year"):
            text = args["year"]
            if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
                errors.append(FieldError("/query/year", f"年度应为 {FIRST_YEAR}–{LAST_YEAR} 的整数", "query"))
            else:
                year = int(text)
        if args.get("quarter"):
            text = args["quarter"]
            if spec.every != "quarter":
                errors.append(FieldError("/query/quarter", "年度报表没有季度", "query"))
            elif text not in ("1", "2", "3", "4"):
                errors.append(FieldError("/query/quarter", "季度应为 1–4", "query"))
            else:
                quarter = int(text)
        if errors:
            raise RecordValidationError(report.name, errors)
        return year, quarter

    def period(self, actor: Actor, name: str, args: Mapping[str, str], today: dt.date | None = None) -> StatutoryPeriod:
        """The county summary, the filers with their status and the figures as filed, for ``actor``."""
        report = self.runner.report(actor, name)
        spec = report.statutory
        if spec is None:
            raise RecordValidationError(name, [FieldError("/query", "该报表不是法定统计报表", "query")])
        today = today or local_today()
        year, quarter = self.parse_period(report, args, today)
        self.capture(report, year, quarter)
        due = due_date(spec, year, quarter)
        with self.engine.connect() as conn:
            filed = self._filed_versions(conn, actor, report, year, quarter)
            owners = self._owners(conn, actor, spec)
            titles = self._titles(conn, actor, spec, {f["owner_id"] for f in filed.values()} - set(owners))
        regions = self.runner.dictionary_labels().get("region", {})
        filers = []
        for owner_id, (title, region_code) in owners.items():
            filers.append(self._filer(owner_id, title, region_code, filed.pop(owner_id, None), due, today, regions))
        for owner_id, version in filed.items():  # filed by a record no longer obliged (closed since)
            filers.append(
                self._filer(owner_id, titles.get(owner_id, f"#{owner_id}"), version["region_code"], version, due, today, regions)
            )
        filers.sort(key=lambda f: (f.region_code, f.owner))
        summary, totals = self._summary(spec, filers, regions)
        return StatutoryPeriod(
            report, spec, year, quarter, due, today, self.runner.scope_text(actor, report), filers, summary, totals
        )

    def _filed_versions(
        self, conn: Connection, actor: Actor, report: ReportSpec, year: int, quarter: int | None
    ) -> dict[Any, dict[str, Any]]:
        """owner id -> {first filed, last version, its figures} of the period's filings in scope."""
        spec = report.statutory
        assert spec is not None
        s = statutory_filing
        table = self.registry.table(report.source)
        stmt = (
            select(s.c.owner_id, s.c.record_id, s.c.region_code, s.c.version, s.c.figures, s.c.filed_at)
            .join(table, table.c.id == s.c.record_id)
            .where(
                s.c.entity == report.source, s.c.obligation == spec.obligation, s.c.year == year, s.c.quarter == (quarter or 0)
            )
            .order_by(s.c.record_id, s.c.version)
        )
        scope = self.runner.scope(actor, report)
        if scope is not None:
            stmt = stmt.where(scope)
        found: dict[Any, dict[str, Any]] = {}
        for r in conn.execute(stmt):
            entry = found.setdefault(r.owner_id, {"owner_id": r.owner_id, "first_filed": r.filed_at})
            entry.update(record_id=r.record_id, region_code=r.region_code, version=r.version, figures=dict(r.figures))
        return found

    def _owners(self, conn: Connection, actor: Actor, spec: StatutorySpec) -> dict[Any, tuple[str, str]]:
        """Registry records in the caller's scope that owe the filing: id -> (title, region code)."""
        entity = self.registry.entity(spec.registry)
        table = self.registry.table(entity.name)
        stmt = select(table)
        scope = self.runner.access.scope(actor, entity, table, "read")
        if scope is not None:
            stmt = stmt.where(scope)
        region_source = spec.copy_fields.get(spec.region_field, entity.scope or "")
        condition = parse_condition(spec.condition) if spec.condition else None
        owners = {}
        for row in conn.execute(stmt):
            record = dict(row._mapping)
            if condition is None or condition(record):
                title = str(record.get(entity.title_field or "id") or f"#{record['id']}")
                owners[record["id"]] = (title, str(record.get(region_source) or ""))
        return owners

    def _titles(self, conn: Connection, actor: Actor, spec: StatutorySpec, ids: set[Any]) -> dict[Any, str]:
        entity = self.registry.entity(spec.registry)
        if not ids or not entity.title_field:
            return {}
        table = self.registry.table(entity.name)
        stmt = select(table.c.id, table.c[entity.title_field]).where(table.c.id.in_(ids))
        scope = self.runner.access.scope(actor, entity, table, "read")
        if scope is not None:
            stmt = stmt.where(scope)
        return {r[0]: str(r[1]) for r in conn.execute(stmt)}

    def _filer(
        self,
        owner_id: Any,
        title: str,
        region_code: str,
        filed: Mapping[str, Any] | None,
        due: dt.date,
        today: dt.date,
        regions: Mapping[str, str],
    ) -> Filer:
        region_code = (filed or {}).get("region_code") or region_code
        filer = Filer(
            owner_id, title, region_code, regions.get(region_code, region_code), "pending" if today <= due else "missing"
        )
        if filed is not None:
            filed_on = filed["first_filed"].replace(tzinfo=dt.UTC).astimezone(CHINA).date()
            filer.status = "on_time" if filed_on <= due else "late"
            filer.days_late = max((filed_on - due).days, 0)
            filer.filed_on, filer.record_id = filed_on, filed["record_id"]
            filer.version, filer.figures = filed["version"], filed["figures"]
        return filer

    def _summary(
        self, spec: StatutorySpec, filers: list[Filer], regions: Mapping[str, str]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Per region at the declared level: expected, filed, on time, late, missing, and the figures' sums."""
        tree = self.registry.catalog.dictionaries.get("region")
        ancestor = ancestor_at(tree, spec.region_level) if tree is not None else {}

        def blank(code: str) -> dict[str, Any]:
            row: dict[str, Any] = {"region_code": code, "region": regions.get(code, code or "（空）")}
            row.update(expected=0, filed=0, on_time=0, late=0, missing=0, pending=0, corrected=0)
            row.update({f: 0 for f in spec.figures})
            return row

        groups: dict[str, dict[str, Any]] = {}
        totals = blank("")
        totals["region"] = "合计"
        for filer in filers:
            code = ancestor.get(filer.region_code, filer.region_code)
            for row in (groups.setdefault(code, blank(code)), totals):
                row["expected"] += 1
                row[filer.status] += 1
                if filer.version:
                    row["filed"] += 1
                    row["corrected"] += filer.version > 1
                    for f in spec.figures:
                        row[f] = number(row[f] + (filer.figures.get(f) or 0))
        for row in (*groups.values(), totals):
            row["filed_rate"] = row["filed"] / row["expected"] if row["expected"] else None
        return [groups[k] for k in sorted(groups)], totals

    # ---- versions of one filing ---------------------------------------------------------------

    def versions(self, actor: Actor, name: str, record_id: int) -> tuple[ReportSpec, list[dict[str, Any]]]:
        """Every version of one filing the caller may see, each with its difference to the one before."""
        report = self.runner.report(actor, name)
        spec = report.statutory
        if spec is None:
            raise RecordValidationError(name, [FieldError("/query", "该报表不是法定统计报表", "query")])
        s = statutory_filing
        table = self.registry.table(report.source)
        stmt = (
            select(s)
            .join(table, table.c.id == s.c.record_id)
            .where(s.c.entity == report.source, s.c.record_id == record_id)
            .order_by(s.c.version)
        )
        scope = self.runner.scope(actor, report)
        if scope is not None:
            stmt = stmt.where(scope)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(stmt)]
        before: dict[str, Any] = {}
        for row in rows:
            row["changes"] = difference(before, row["figures"], spec.figures) if row["version"] > 1 else {}
            before = row["figures"]
        return report, rows
