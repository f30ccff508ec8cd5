"""Dashboards: the one for a user, its KPI cards (a report measure's total, with a link to the
records behind it) and its widgets (reports with their charts), each run in the viewer's scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ..audit import Actor
from ..errors import AnjianError
from ..meta.dashboard_spec import PRESETS, DashboardSpec, KpiSpec
from .parameters import default_period
from .runner import ReportResult, ReportRunner, local_today

__all__ = ["Kpi", "dashboard_for", "kpis", "report_args", "widgets"]


@dataclass(frozen=True)
class Kpi:
    spec: KpiSpec
    value: Any
    format: str
    link: str


def report_args(runner: ReportRunner, report_name: str, parameters: Mapping[str, str], today: dt.date) -> dict[str, str]:
    """A dashboard's parameters as the report's query string (a date range given as a preset expanded)."""
    report = runner.registry.catalog.reports[report_name]
    periods = {p.name for p in report.parameters if p.kind == "date_range"}
    args: dict[str, str] = {}
    for key, value in parameters.items():
        if key in periods and value in PRESETS:
            first, last = default_period(value, today)
            args[f"{key}_from"] = first.isoformat() if first else ""
            args[f"{key}_to"] = last.isoformat() if last else ""
        else:
            args[key] = value
    return args


def dashboard_for(runner: ReportRunner, actor: Actor) -> DashboardSpec | None:
    """The first dashboard (by order) for one of the user's roles; administrators get the first."""
    dashboards = sorted(runner.registry.catalog.dashboards.values(), key=lambda d: (d.order, d.name))
    if actor.is_admin:
        return dashboards[0] if dashboards else None
    held = {g.role for g in runner.access.grants_of(actor.username)}
    return next((d for d in dashboards if held & set(d.roles)), None)


def _runs(runner: ReportRunner, actor: Actor, parts: Iterable[Any], today: dt.date | None) -> Iterator[tuple[Any, ReportResult]]:
    """(card or widget, its report's result) for each one whose report the user may run; a report
    that cannot run now (e.g. refused parameters after a republish) leaves its part out."""
    today = today or local_today()
    for part in parts:
        if not runner.may_run(actor, runner.registry.catalog.reports[part.report]):
            continue
        try:
            yield part, runner.run(actor, part.report, report_args(runner, part.report, part.parameters, today), today)
        except AnjianError:
            continue


def kpis(runner: ReportRunner, actor: Actor, dashboard: DashboardSpec, today: dt.date | None = None) -> list[Kpi]:
    """The cards the user may see (reports they may not run are left out), with their totals."""
    cards = []
    for spec, result in _runs(runner, actor, dashboard.kpis, today):
        value = result.totals[spec.measure] if result.totals is not None else None
        link = result.total_links.get(spec.measure) or f"/reports/{spec.report}?" + urlencode(result.query.as_args())
        cards.append(Kpi(spec, value, result.report.by_measure[spec.measure].format, link))
    return cards


def widgets(
    runner: ReportRunner, actor: Actor, dashboard: DashboardSpec, today: dt.date | None = None
) -> list[tuple[Any, ReportResult]]:
    """(widget, result) for each widget whose report the user may run."""
    return list(_runs(runner, actor, dashboard.widgets, today))
