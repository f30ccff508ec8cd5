"""Statutory filings as filed: one ``anjian_statutory_filing`` row per version of a filing.

The figures as filed are captured inside the filing step's own transaction (``on_step``, a
workflow step listener the runtime registers): when a step moves a record of a statutory report's
source entity from a state that does not count as filed into one that does, the record's figures
become its next version, filed at the step's moment by the step's actor. So version 1 is exactly
what the enterprise signed, and a crash cannot leave a filing without it. A correction (returned,
changed and filed again) becomes the next version; filed again unchanged, it adds none.

``capture`` and ``capture_all`` (before a period is shown, and the worker's hourly beat
``anjian.statutory_capture``) are a safety net for filings made before snapshots were taken at the
step: they add a version for any filing in a filed state whose figures differ from its last one.
Only for such a legacy filing, corrected before any snapshot, are the figures as first filed
rebuilt from the audit log (``_as_first_filed``); a filing made since has its version 1 from its step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, and_, func, insert, select
from sqlalchemy.exc import IntegrityError

from ..audit.tables import audit_log
from ..data.db import write
from ..meta.report_spec import ReportSpec
from ..store.clock import utc_now
from ..workflow.steps import MIGRATE, StepTaken
from ..workflow.tables import history, instance
from .tables import statutory_filing

__all__ = ["FilingSnapshots", "number"]

Filed = tuple[dt.datetime | None, str]  # when and by whom a version was filed (None: no filing in the history)
ByStep = tuple[dt.datetime, str]  # the moment and actor of the step that files a record


def number(value: Any) -> int | float | None:
    """A figure as stored in a version: integral values as int, others as float."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, Decimal | float):
        return int(value) if value == int(value) else float(value)
    return float(value)


class FilingSnapshots:
    """Versions of statutory filings: taken by the filing step (``on_step``), or by the safety net."""

    def __init__(self, registry: Callable[[], Any], engine: Engine) -> None:
        self._registry = registry
        self.engine = engine
        self._sources: tuple[int, dict[str, list[ReportSpec]]] | None = None

    def statutory_reports(self, entity: str) -> list[ReportSpec]:
        """The statutory reports over ``entity``, from the catalog alone (indexed once per version)."""
        registry = self._registry()
        if self._sources is None or self._sources[0] != registry.version:
            sources: dict[str, list[ReportSpec]] = {}
            for report in registry.catalog.reports.values():
                if report.statutory is not None:
                    sources.setdefault(report.source, []).append(report)
            self._sources = (registry.version, sources)
        return self._sources[1].get(entity, [])

    # ---- at the step --------------------------------------------------------------------------

    def on_step(self, step: StepTaken) -> None:
        """The workflow's step listener: a step into a filed state captures the record's figures in
        the step's transaction (an error rolls the step back with it). Any other step, and every
        step of an entity without a statutory report, returns before touching the database."""
        if not step.moved or step.transition == MIGRATE:
            return  # a migration renames where a record stands: nobody filed anything
        for report in self.statutory_reports(step.entity.name):
            spec = report.statutory
            assert spec is not None
            if step.to_state not in spec.filed or step.from_state in spec.filed:
                continue
            if any(step.record.get(k) != v for k, v in spec.values.items()):
                continue  # another obligation's filing (the annual one, not the quarterly)
            filed = (step.now, step.actor.username)
            self.capture_records(step.connection, report, [int(step.record["id"])], step.now, filed)

    def capture_records(
        self, conn: Connection, report: ReportSpec, ids: Iterable[int], now: dt.datetime, filed: ByStep | None = None
    ) -> int:
        """In ``conn``: a version for each of these records in a filed state whose figures differ
        from its last version; ``filed`` is the filing step's (moment, actor) when a step files them."""
        assert report.statutory is not None
        table = self._registry().table(report.source)
        return self._capture(conn, report, [table.c.id.in_(list(ids))], now, filed)

    # ---- the safety net -----------------------------------------------------------------------

    def capture_all(self, now: dt.datetime | None = None) -> int:
        """Snapshot every statutory report's filings not yet captured (the worker's beat)."""
        reports = self._registry().catalog.reports.values()
        return sum(self.capture(r, now=now) for r in reports if r.statutory is not None)

    def capture(
        self, report: ReportSpec, year: int | None = None, quarter: int | None = None, now: dt.datetime | None = None
    ) -> int:
        """A version for each filing of the period in a filed state whose figures differ from its last
        version (filings made before snapshots were taken at the step; for the rest it adds none)."""
        spec = report.statutory
        assert spec is not None
        c = self._registry().table(report.source).c
        where: list[ColumnElement[bool]] = []
        if year is not None:
            where.append(c[spec.period_fields["year"]] == year)
        if quarter is not None and "quarter" in spec.period_fields:
            where.append(c[spec.period_fields["quarter"]] == quarter)
        try:
            with write(self.engine) as conn, conn.begin():
                return self._capture(conn, report, where, now or utc_now(), None)
        except IntegrityError:
            # Two safety-net captures of one older filing at once (two views, or a view and the
            # beat): the unique version refused the second; the first one's versions stand.
            return 0

    # ---- the versions ---------------------------------------------------------------------------

    def _capture(
        self, conn: Connection, report: ReportSpec, where: list[ColumnElement[bool]], now: dt.datetime, filed: ByStep | None
    ) -> int:
        spec = report.statutory
        assert spec is not None
        table = self._registry().table(report.source)
        c = table.c
        joined = table.join(instance, and_(instance.c.entity == report.source, instance.c.record_id == c.id))
        columns = [c.id, c[spec.owner_field], c[spec.region_field], c[spec.period_fields["year"]], instance.c.state]
        if "quarter" in spec.period_fields:
            columns.append(c[spec.period_fields["quarter"]])
        stmt = select(*columns, *(c[f] for f in spec.figures)).select_from(joined)
        stmt = stmt.where(instance.c.state.in_(spec.filed), *(c[k] == v for k, v in spec.values.items()), *where)
        rows = [dict(r._mapping) for r in conn.execute(stmt)]
        latest = self._latest(conn, report.source, [r["id"] for r in rows])
        return sum(self._snapshot(conn, report, row, latest.get(row["id"], (0, None)), now, filed) for row in rows)

    def _snapshot(
        self,
        conn: Connection,
        report: ReportSpec,
        row: Mapping[str, Any],
        last: tuple[int, dict[str, Any] | None],
        now: dt.datetime,
        step: ByStep | None,
    ) -> int:
        """Add the record's next version unless its figures are its last version's; how many were added."""
        spec = report.statutory
        assert spec is not None
        figures = {f: number(row[f]) for f in spec.figures}
        version, before = last
        if before == figures:
            return 0
        added = 0
        filed: Filed
        if version:
            filed = step or self._filed(conn, report.source, row["id"], spec.filed, first=False)  # a correction
        else:
            filed = self._filed(conn, report.source, row["id"], spec.filed, first=True)
            legacy = filed[0] is not None and (step is None or filed[0] < step[0])
            if legacy:  # first filed before snapshots were taken at the step, perhaps corrected since
                assert filed[0] is not None
                first = self._as_first_filed(conn, report.source, row["id"], figures, filed[0])
                if first != figures:
                    self._add(conn, report, row, 1, first, filed, now)
                    version, added = 1, 1
                    filed = step or self._filed(conn, report.source, row["id"], spec.filed, first=False)
            elif step is not None:
                filed = step
        self._add(conn, report, row, version + 1, figures, filed, now)
        return added + 1

    def _add(
        self,
        conn: Connection,
        report: ReportSpec,
        row: Mapping[str, Any],
        version: int,
        figures: Mapping[str, Any],
        filed: Filed,
        now: dt.datetime,
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
                filed_at=filed[0] or now,
                filed_by=filed[1],
                captured_at=now,
            )
        )

    def _as_first_filed(
        self, conn: Connection, entity: str, record_id: int, figures: Mapping[str, Any], filed_at: dt.datetime
    ) -> dict[str, Any]:
        """Legacy filings only: ``figures`` with every change made by an edit after the first filing
        undone, newest first (the audit log keeps each edit's ``{field: [old, new]}``)."""
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
                    first[name] = number(change[0])
        return first

    def _latest(self, conn: Connection, entity: str, ids: list[int]) -> dict[int, tuple[int, dict[str, Any] | None]]:
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

    def _filed(self, conn: Connection, entity: str, record_id: int, states: tuple[str, ...], first: bool) -> Filed:
        """When and by whom the filing entered a filed state (its workflow history): the first time
        for its first version (so a correction keeps the filing date), the last time for a correction."""
        order = (history.c.at, history.c.id) if first else (history.c.at.desc(), history.c.id.desc())
        step = conn.execute(
            select(history.c.at, history.c.actor)
            .where(history.c.entity == entity, history.c.record_id == record_id, history.c.to_state.in_(states))
            .where(history.c.from_state.is_(None) | history.c.from_state.not_in(states))
            .order_by(*order)
            .limit(1)
        ).first()
        return (step.at, step.actor) if step else (None, "")
