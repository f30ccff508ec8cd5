"""HTTP: the ingest and alarm API (``/api/v1/monitoring``) and the screens (``/monitoring``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, jsonify, request, send_file

from anjian.api import LIMITS, Limit, current_actor, json_response
from anjian.api import platform as api_platform
from anjian.errors import FieldError, RecordValidationError
from anjian.ui.base import actor, guard, render
from anjian.ui.base import platform as ui_platform

from .ingest import decode_body, ingest
from .settings import MonitoringSettings
from .views import alarm_list, live_points, point_for, trend

__all__ = ["api", "screens"]

HERE = Path(__file__).parent
api = Blueprint("monitoring_api", __name__, url_prefix="/api/v1/monitoring")
screens = Blueprint(
    "monitoring",
    __name__,
    url_prefix="/monitoring",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
guard(screens)
# A batch of 20,000 points is about 1.5 MB of JSON; the compressed body is bounded here and the
# inflated one by ANJIAN_MONITORING_MAX_BODY_BYTES in decode_body.
LIMITS["monitoring_api.ingest"] = Limit(8 * 1024 * 1024, 8)


def _settings(platform: Any) -> MonitoringSettings:
    found: MonitoringSettings = platform.host.settings.get("monitoring") or MonitoringSettings()
    return found


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise RecordValidationError("query", [FieldError(f"/{name}", f"应为 {low} 到 {high} 之间的整数", "range")])
    return int(raw)


@api.post("/ingest")
def ingest_batch() -> Any:
    """Store a batch of data points of the caller's enterprise; counts accepted and refused per reason."""
    platform = api_platform()
    settings = _settings(platform)
    document = decode_body(request.get_data(cache=False), request.headers.get("Content-Encoding", ""), settings.max_body_bytes)
    report = ingest(platform, current_actor(), document, settings)
    return jsonify(report.as_dict())


@api.get("/alarms")
def alarms() -> Any:
    """Alarms within the caller's scope, newest first (``?open=1`` for those not yet 闭环; ``?forwarded=1``
    for the alarm records lower deployments forwarded, each marked with its sender)."""
    limit = _int_arg("limit", 100, 1, 1000)
    offset = _int_arg("offset", 0, 0, 10**9)
    open_only = request.args.get("open", "") in ("1", "true")
    if request.args.get("forwarded", "") in ("1", "true"):  # those lower deployments forwarded (alarm_forward.py)
        from .alarm_forward import received_alarm_list

        return jsonify(received_alarm_list(api_platform(), current_actor(), open_only=open_only, limit=limit, offset=offset))
    return jsonify(alarm_list(api_platform(), current_actor(), open_only=open_only, limit=limit, offset=offset))


@api.get("/points")
def points() -> Any:
    """Latest value and state of every point within the caller's scope."""
    return jsonify({"items": live_points(api_platform(), current_actor())})


@api.get("/points/<int:point_id>/trend")
def point_trend(point_id: int) -> Any:
    return json_response(trend(api_platform(), current_actor(), point_id, _int_arg("hours", 24, 1, 24 * 400)))


# ---- screens ------------------------------------------------------------------------------------


@screens.get("/")
def panel() -> Any:
    """实时监测: each enterprise's points with their latest values, coloured by state."""
    rows = live_points(ui_platform(), actor())
    by_enterprise: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        by_enterprise.setdefault(row["enterprise_id"], []).append(row)
    names = _enterprise_names(list(by_enterprise))
    alarms = alarm_list(ui_platform(), actor(), open_only=True, limit=50)["items"]
    return render("monitoring/panel.html", groups=by_enterprise, names=names, alarms=alarms)


@screens.get("/points/<int:point_id>")
def trend_page(point_id: int) -> Any:
    point = point_for(ui_platform(), actor(), point_id)
    return render("monitoring/trend.html", point=point, hours=_int_arg("hours", 24, 1, 24 * 400))


@screens.get("/points/<int:point_id>/trend.json")
def trend_data(point_id: int) -> Any:
    return json_response(trend(ui_platform(), actor(), point_id, _int_arg("hours", 24, 1, 24 * 400)))


@screens.get("/vendor/plotly.min.js")
def plotly_js() -> Response:
    """plotly.js as shipped inside the pinned plotly package (MIT licence): offline, no CDN."""
    import plotly  # only its bundled plotly.min.js is used

    return send_file(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", mimetype="text/javascript", max_age=86400)


def _enterprise_names(ids: list[Any]) -> dict[Any, str]:
    from sqlalchemy import select

    platform = ui_platform()
    table = platform.registry.table("enterprise")
    with platform.engine.connect() as conn:
        return {r.id: r.name for r in conn.execute(select(table.c.id, table.c.name).where(table.c.id.in_(ids)))}
