"""Dashboard declarations (``*.dashboard.json``): KPI cards and report widgets for some roles.

A dashboard holds no query of its own: every card is the total of a declared report's measure,
every widget a declared report, each run in the viewer's scope. The checks here make sure the
reports, measures, parameter names and roles it names exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import MetadataError
from ..messages import register
from .frozen import FrozenSpec
from .loader import Document
from .messages import known, say
from .pointer import pointer
from .report_spec import ReportSpec

__all__ = ["PRESETS", "DashboardSpec", "KpiSpec", "WidgetSpec", "build_dashboard", "parameter_names"]

PRESETS = ("this_month", "this_quarter", "this_year", "last_30_days", "last_365_days", "all")

register(
    {
        "meta.kind.dashboard": ("仪表盘", "dashboard"),
        "meta.dashboard.report": ("未知的报表 {name!r}", "unknown report {name!r}"),
        "meta.dashboard.measure": ("报表 {report} 没有指标 {name!r}", "report {report} has no measure {name!r}"),
        "meta.dashboard.parameter": ("报表 {report} 没有参数 {name!r}", "report {report} has no parameter {name!r}"),
        "meta.dashboard.names.hint": ("可用：{names}。", "Known: {names}."),
    }
)


class KpiSpec(FrozenSpec):
    name: str
    title: str
    report: str
    measure: str
    parameters: dict[str, str] = {}
    tone: str = "info"


class WidgetSpec(FrozenSpec):
    report: str
    title: str = ""
    parameters: dict[str, str] = {}
    width: int = 6


class DashboardSpec(FrozenSpec):
    name: str
    title: str
    description: str = ""
    order: int = 100
    roles: tuple[str, ...] = ()
    kpis: tuple[KpiSpec, ...] = ()
    widgets: tuple[WidgetSpec, ...] = ()
    path: str = ""


def parameter_names(report: ReportSpec) -> list[str]:
    """The query-string names a report takes (a date range also by its own name, with a preset)."""
    names = []
    for p in report.parameters:
        names += [p.name, f"{p.name}_from", f"{p.name}_to"] if p.kind == "date_range" else [p.name]
    for d in report.dimensions:
        names += [d.name, f"{d.name}_level"] if d.levels else [d.name]
    return [*names, "sort", "limit"]


def build_dashboard(
    document: Document, reports: Mapping[str, ReportSpec], roles: Iterable[str], failed: Iterable[str] = ()
) -> tuple[DashboardSpec | None, list[MetadataError]]:
    """The dashboard of a meta-schema-valid document, or None with every problem found.

    ``failed`` names reports that are declared but did not compile: a card or widget naming one is
    not a second problem (one mistake, one message), so it is passed over; the report's own
    problems say what to fix.
    """
    c = document.content
    errors: list[MetadataError] = []
    known_roles = set(roles)
    broken = set(failed) - set(reports)
    declared = ", ".join(sorted(set(reports) | broken)) or "—"

    def error(parts: list[Any], key: str, hint: str, **values: Any) -> None:
        errors.append(MetadataError(document.path, pointer(parts), say(key, **values), hint))

    for i, role in enumerate(c.get("roles", ())):
        if role not in known_roles:
            error(["roles", i], "meta.role.unknown", known("roles", known_roles), name=role)

    def check(item: Mapping[str, Any], at: list[Any], measure: str | None) -> None:
        report = reports.get(item["report"])
        if report is None:
            if item["report"] not in broken:
                hint = say("meta.dashboard.names.hint", names=declared)
                error(at + ["report"], "meta.dashboard.report", hint, name=item["report"])
            return
        if measure is not None and measure not in report.by_measure:
            names = ", ".join(report.by_measure)
            error(
                at + ["measure"],
                "meta.dashboard.measure",
                say("meta.dashboard.names.hint", names=names),
                report=report.name,
                name=measure,
            )
        allowed = parameter_names(report)
        for key in item.get("parameters", {}):
            if key not in allowed:
                hint = say("meta.dashboard.names.hint", names=", ".join(allowed))
                error(at + ["parameters", key], "meta.dashboard.parameter", hint, report=report.name, name=key)

    for i, kpi in enumerate(c.get("kpis", ())):
        check(kpi, ["kpis", i], kpi["measure"])
    for i, widget in enumerate(c.get("widgets", ())):
        check(widget, ["widgets", i], None)
    if errors:
        return None, errors
    return (
        DashboardSpec(
            name=c["dashboard"],
            title=c["title"],
            description=c.get("description", ""),
            order=c.get("order", 100),
            roles=tuple(c.get("roles", ())),
            kpis=tuple(KpiSpec(**k) for k in c.get("kpis", ())),
            widgets=tuple(WidgetSpec(**w) for w in c.get("widgets", ())),
            path=document.path,
        ),
        [],
    )
