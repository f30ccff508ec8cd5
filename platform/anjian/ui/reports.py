"""Report screens (统计报表): the list of reports a user may run, a report page with its parameter
form, chart, table, drill-down, exports and print view; plotly.js served from the installed package.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, request, send_file
from sqlalchemy import func, select

from ..api.reports import export_response
from ..authz.sql import in_areas
from ..data.system import account
from ..errors import FieldError, RecordValidationError
from ..messages import register
from ..reports import ReportRunner
from ..reports.charts import crosstab, figure
from ..reports.dashboards import dashboard_for, kpis, widgets
from ..reports.export import context_lines
from ..store.clock import utc_now
from .admin import admin_areas
from .base import actor, guard, platform, render

__all__ = ["query_args", "reports_ui"]

register({"ui.menu_reports": ("统计报表", "Reports"), "ui.menu_user_statistics": ("用户登录统计", "User statistics")})
reports_ui = Blueprint("anjian_reports", __name__, url_prefix="/reports")
guard(reports_ui)
USER_STATISTICS_LIMIT = 50  # the most active users; the users screen lists them all
PLOTLY_MAX_AGE = 365 * 24 * 3600  # the file changes only with the pinned plotly version (in its URL)


def runner() -> ReportRunner:
    p = platform()
    return ReportRunner(p.registry, p.access, p.engine)


def query_args() -> dict[str, str]:
    """The query string as one value per name: repeated names (checkboxes) joined by commas."""
    return {key: ",".join(v for v in request.args.getlist(key) if v.strip()) for key in request.args}


def plotly_path() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def plotly_version() -> str:
    import plotly

    return str(plotly.__version__)


@reports_ui.get("/_plotly.min.js", endpoint="static")  # a static file: cacheable, no per-session no-store
def plotly_js() -> Response:
    """plotly.js from the installed plotly package: offline, cached by the browser for a year
    (the page asks for it with the plotly version in the URL, so an upgrade is fetched anew)."""
    import plotly

    response = send_file(plotly_path(), mimetype="text/javascript", max_age=PLOTLY_MAX_AGE, conditional=True)
    response.headers["X-Plotly-Version"] = plotly.__version__
    return response


@reports_ui.get("/")
def index() -> Any:
    reports = runner().available(actor())
    modules = platform().registry.catalog.modules
    groups: dict[str, list[Any]] = {}
    for report in reports:
        module = modules.get(report.module or "")
        title = module.title if module is not None else "其他"
        groups.setdefault(title, []).append(report)
    return render("anjian/reports.html", groups=groups)


def _form(report: Any, result: Any) -> dict[str, Any]:
    """What the parameter form shows: each parameter's choices and the values in force."""
    p = platform()
    labels = p.registry.dictionary_labels
    fields = []
    for param in report.parameters:
        source = report.fields.get(param.field)
        choices: list[tuple[str, str]] = []
        if source is not None and param.kind == "values":
            if source.enum is not None:
                choices = [(str(v), source.label_of(v)) for v in source.enum]
            elif source.dictionary:
                choices = [(code, f"{code} {label}") for code, label in labels.get(source.dictionary, {}).items()]
            elif source.type == "boolean":
                choices = [("true", "是"), ("false", "否")]
        fields.append({"spec": param, "choices": choices, "many": len(choices) <= 12})
    return {"fields": fields}


@reports_ui.get("/<name>")
def report_view(name: str) -> Any:
    reports = runner()
    me = actor()
    report = reports.report(me, name)
    args = query_args()
    errors: list[FieldError] = []
    try:
        result = reports.run(me, name, args)
    except RecordValidationError as exc:
        errors = list(exc.errors)
        result = reports.run(me, name, {})
    shown = result.query.as_args()
    template = "anjian/report_print.html" if request.args.get("print") == "1" else "anjian/report.html"
    return render(
        template,
        report=report,
        result=result,
        figure=figure(result),
        crosstab=crosstab(result),
        form=_form(report, result),
        args=shown,
        errors=errors,
        context=context_lines(result, me.username, utc_now()),
        plotly_version=plotly_version(),
        subscriptions=report_subscriptions.mine(me, report),
        subscribe_args={} if errors else args,  # what the user chose, not the defaults resolved today
    )


def dashboard_context() -> dict[str, Any]:
    """The signed-in user's dashboard for the office home: its KPI cards and widgets (or nothing)."""
    reports = runner()
    me = actor()
    dashboard = dashboard_for(reports, me)
    if dashboard is None:
        return {"dashboard": None, "dashboard_widgets": []}
    shown = [(w, r, figure(r), crosstab(r)) for w, r in widgets(reports, me, dashboard)]
    return {
        "dashboard": dashboard,
        "dashboard_kpis": kpis(reports, me, dashboard),
        "dashboard_widgets": shown,
        "plotly_version": plotly_version(),
    }


@reports_ui.get("/_users")
def user_statistics() -> Any:
    """FAB's user statistics (logins and failed logins per user), drawn offline with plotly, for
    the users the signed-in administrator manages (a region administrator: those of their areas)."""
    import plotly.graph_objects as go

    areas = admin_areas()
    users = current_app.appbuilder.sm.user_model.__table__  # type: ignore[attr-defined]
    clauses: list[Any] = []
    scope = in_areas(account.c.region_code, areas)
    if areas is not None:
        clauses.append(account.c.username.is_not(None))  # accounts without a region are the administrators' only
    if scope is not None:
        clauses.append(scope)
    logins = func.coalesce(users.c.login_count, 0)
    query = (
        select(
            users.c.username,
            users.c.first_name,
            logins.label("logins"),
            func.coalesce(users.c.fail_login_count, 0).label("failed"),
            users.c.last_login,
        )
        .select_from(users.outerjoin(account, account.c.username == users.c.username))
        .where(*clauses)
        .order_by(logins.desc(), users.c.username)
        .limit(USER_STATISTICS_LIMIT)
    )
    with platform().engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    names = [row["username"] for row in rows]
    chart = go.Figure(
        data=[
            go.Bar(x=names, y=[row["logins"] for row in rows], name="登录次数", marker={"color": "#337ab7"}),
            go.Bar(x=names, y=[row["failed"] for row in rows], name="登录失败次数", marker={"color": "#d9534f"}),
        ],
        layout=go.Layout(
            barmode="group", height=360, margin={"l": 48, "r": 16, "t": 16, "b": 80}, legend={"orientation": "h", "y": -0.3}
        ),
    )
    return render("anjian/user_statistics.html", rows=rows, figure=json.loads(chart.to_json()), plotly_version=plotly_version())


@reports_ui.get("/<name>/export")
def export_view(name: str) -> Any:
    args = query_args()
    fmt = args.pop("format", "xlsx")
    if fmt not in ("csv", "xlsx"):
        raise RecordValidationError(name, [FieldError("/query/format", "格式应为 csv 或 xlsx", "query")])
    return export_response(runner(), actor(), name, args, fmt)


from . import report_statutory, report_subscriptions  # noqa: E402,F401  # their routes join this blueprint
