"""Statutory statistics: who owes a filing for a period, who filed late or not at all, and the
figures as filed, version by version.

A report with a ``statutory`` option names an obligation of its source's process (the registry
records that owe one filing per quarter or year, due ``due_days`` after the period). Filings are
snapshotted when they are found in a filed state with figures that differ from their last
snapshot: the first snapshot is the filing as filed (its moment is the transition into the filed
state, from the workflow history); a correction (returned, changed and filed again) becomes the next
version, and its difference against the one before is shown. Snapshots are taken before a period
is shown and by the worker's beat (``anjian.statutory_capture``), so the figures a county summed
stay what the enterprise signed even if the record changes later.

Everything the caller sees passes the caller's scope: the filings through the filing entity's
scope (``read`` and ``report``), the registry through its ``read`` scope. The summary is the roll-up
of the filer list it is shown with (one row per obligated registry record in scope).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select

from ..audit import Actor
from ..audit.tables import audit_log
from ..data.db import write
from ..errors import FieldError, RecordValidationError
from ..meta.expr import parse_condition
from ..meta.report_spec import ReportSpec
from ..meta.statutory_spec import StatutorySpec
from ..store.clock import utc_now
from ..workflow.obligations import latest_ended_period
from ..workflow.tables import history, instance
from .runner import ReportRunner
from .sql import ancestor_at
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


def _number(value: Any) -> int | float | None:
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, Decimal | float):
        return int(value) if value == int(value) else float(value)
    return float(value)


def difference(before: Mapping[str, Any], after: Mapping[str, Any], names: Iterable[str]) -> dict[str, tuple[Any, Any, Any]]:
    """figure -> (before, after, change) for each figure that changed between two versions."""
    changed = {}
    for name in names:
        old, new = before.get(name), after.get(name)
        if old != new:
            delta = None if old is None or new is None else _number(new - old)
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

    # ---- snapshots ----------------------------------------------------------------------------

    def capture_all(self, now: dt.datetime | None = None) -> int:
        """Snapshot every statutory report's filings newly filed or corrected (the worker's beat)."""
        return sum(self.capture(r, now=now) for r in self.registry.catalog.reports.values() if r.statutory is not None)

    def capture(
        self, report: ReportSpec, year: int | None = None, quarter: int | None = None, now: dt.datetime | None = None
    ) -> int:
        """Add a version for each filing in a filed state whose figures differ from its last version."""
        spec = report.statutory
        assert spec is not None
        table = self.registry.table(report.source)
        c = table.c
        where = [c[k] == v for k, v in spec.values.items()]
        if year is not None:
            where.append(c[spec.period_fields["year"]] == year)
        if quarter is not None and "quarter" in spec.period_fields:
            where.append(c[spec.period_fields["quarter"]] == quarter)
        joined = table.join(instance, and_(instance.c.entity == report.source, instance.c.record_id == c.id))
        columns = [c.id, c[spec.owner_field], c[spec.region_field], c[spec.period_fields["year"]], instance.c.state]
        if "quarter" in spec.period_fields:
            columns.append(c[spec.period_fields["quarter"]])
        stmt = select(*columns, *(c[f] for f in spec.figures)).select_from(joined)
        stmt = stmt.where(instance.c.state.in_(spec.filed), *where)
        added = 0
        with write(self.engine) as conn, conn.begin():
            rows = [dict(r._mapping) for r in conn.execute(stmt)]
            latest = self._latest(conn, report.source, [r["id"] for r in rows])
            for row in rows:
                figures = {f: _number(row[f]) for f in spec.figures}
                version, before = latest.get(row["id"], (0, None))
                if before == figures:
                    continue
                filed_at, filed_by = self._filed(conn, report.source, row["id"], spec.filed, first=not version)
                if not version and filed_at is not None:
                    # Corrected before any snapshot (returned and filed again within the beat's hour):
                    # the figures as first filed are today's with the corrections audited since undone.
                    first = self._as_first_filed(conn, report.source, row["id"], figures, filed_at)
                    if first != figures:
                        self._add(conn, report, row, 1, first, (filed_at, filed_by), now)
                        version, added = 1, added + 1
                        filed_at, filed_by = self._filed(conn, report.source, row["id"], spec.filed, first=False)
                self._add(conn, report, row, version + 1, figures, (filed_at, filed_by), now)
                added += 1
        return added

    def _add(
        self,
        conn: Connection,
        report: ReportSpec,
        row: Mapping[str, Any],
        version: int,
        figures: Mapping[str, Any],
        filed: tuple[dt.datetime | None, str],
        now: dt.datetime | None,
    ) -> None:
        spec = report.statutory
        assert spec is not None
        conn.execute(
            insert(statutory_filing).values(
                entity=report.source,
                obligation=spec.obligation,
                record_id=row["id"],
                owner_id=row[spec.owner_field],
                region_code=row[spec.region_field] or "",
                year=row[spec.period_fields["year"]],
                quarter=row.get(spec.period_fields.get("quarter", "")) or 0,
                version=version,
                state=row["state"],
                figures=dict(figures),
                filed_at=filed[0] or now or utc_now(),
                filed_by=filed[1],
                captured_at=now or utc_now(),
            )
        )

    def _as_first_filed(
        self, conn: Connection, entity: str, record_id: int, figures: Mapping[str, Any], filed_at: dt.datetime
    ) -> dict[str, Any]:
        """``figures`` with every change made by an edit after the first filing undone, newest first
        (the audit log keeps each edit's ``{field: [old, new]}``)."""
        first = dict(figures)
        edits = conn.execute(
            select(audit_log.c.detail)
            .where(audit_log.c.entity == entity, audit_log.c.record_id == str(record_id))
            .where(audit_log.c.action == "update", audit_log.c.at > filed_at)
            .order_by(audit_log.c.id.desc())
        )
        for (detail,) in edits:
            for name, change in ((detail or {}).get("changes") or {}).items():
                if name in first and isinstance(change, list) and len(change) == 2:
                    first[name] = _number(change[0])
        return first

    def _latest(self, conn: Connection, entity: str, ids: list[int]) -> dict[int, tuple[int, dict[str, Any]]]:
        """record id -> (last version, its figures)."""
        if not ids:
            return {}
        s = statutory_filing
        last = (
            select(s.c.record_id, func.max(s.c.version).label("version"))
            .where(s.c.entity == entity, s.c.record_id.in_(ids))
            .group_by(s.c.record_id)
            .subquery()
        )
        stmt = select(s.c.record_id, s.c.version, s.c.figures).join(
            last, and_(s.c.record_id == last.c.record_id, s.c.version == last.c.version)
        )
        return {r.record_id: (r.version, dict(r.figures)) for r in conn.execute(stmt.where(s.c.entity == entity))}

    def _filed(
        self, conn: Connection, entity: str, record_id: int, states: tuple[str, ...], first: bool
    ) -> tuple[dt.datetime | None, str]:
        """When and by whom the filing entered a filed state (its workflow history): the first time
        for its first version (so a correction filed before any snapshot keeps the filing date), the
        last time for a correction."""
        order = (history.c.at, history.c.id) if first else (history.c.at.desc(), history.c.id.desc())
        step = conn.execute(
            select(history.c.at, history.c.actor)
            .where(history.c.entity == entity, history.c.record_id == record_id, history.c.to_state.in_(states))
            .where(history.c.from_state.is_(None) | history.c.from_state.not_in(states))
            .order_by(*order)
            .limit(1)
        ).first()
        return (step.at, step.actor) if step else (None, "")

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
                        row[f] = _number(row[f] + (filer.figures.get(f) or 0))
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
