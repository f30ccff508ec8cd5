"""Statutory statistics screens (法定统计): a period's county summary with the late and missing
filers, and one filing's versions as filed with the differences of each correction.

Routes on the report blueprint; they only call ``anjian.reports.statutory``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import FieldError, RecordValidationError
from ..reports.statutory import STATUS_TITLES, StatutoryFilings
from ..reports.values import CHINA
from .base import actor, render
from .reports import query_args, reports_ui, runner

__all__ = ["filings_view", "versions_view"]


def filings() -> StatutoryFilings:
    return StatutoryFilings(runner())


@reports_ui.get("/<name>/filings")
def filings_view(name: str) -> Any:
    """The period's summary by region, then every filer with its status, figures and version."""
    me, statutory = actor(), filings()
    args = query_args()
    errors: list[FieldError] = []
    try:
        period = statutory.period(me, name, args)
    except RecordValidationError as exc:
        if not all(e.pointer.startswith("/query/") for e in exc.errors):
            raise  # not a statutory report: the error page
        errors = list(exc.errors)  # a bad period: shown above the form, the last ended period shown instead
        period = statutory.period(me, name, {})
    entity = statutory.registry.entity(period.report.source)
    return render(
        "anjian/report_filings.html",
        period=period,
        figures=[(f, entity.field(f).title) for f in period.spec.figures],
        decimals={f for f in period.spec.figures if entity.field(f).type == "number"},
        statuses=STATUS_TITLES,
        errors=errors,
        years=range(period.today.year, period.today.year - 6, -1),
    )


@reports_ui.get("/<name>/filings/<int:record_id>")
def versions_view(name: str, record_id: int) -> Any:
    """Every version of one filing the caller may see; each correction with what it changed."""
    statutory = filings()
    report, versions = statutory.versions(actor(), name, record_id)
    assert report.statutory is not None
    entity = statutory.registry.entity(report.source)
    titles = {f: entity.field(f).title for f in report.statutory.figures}
    decimals = {f for f in report.statutory.figures if entity.field(f).type == "number"}
    for v in versions:  # stored in UTC; shown in China's time like every screen
        v["filed_local"] = v["filed_at"].replace(tzinfo=dt.UTC).astimezone(CHINA)
    return render(
        "anjian/report_filing_versions.html",
        report=report,
        versions=versions,
        titles=titles,
        decimals=decimals,
        record_id=record_id,
    )
