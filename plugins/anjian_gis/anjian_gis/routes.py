"""HTTP: OGC API - Features (``/ogc/``), WFS and WMS (``/ogc/wfs``, ``/ogc/wms``) and 一张图 (``/gis/``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, url_for

from anjian.errors import AnjianError
from anjian.ui.base import actor, guard, render
from anjian.ui.base import platform as ui_platform

from . import ogcapi, ows, wms
from .layers import visible_layers
from .params import BadParameter
from .styles import legend
from .view import view_text

__all__ = ["ogc", "screens", "services"]

ogc = Blueprint("gis_ogc", __name__, url_prefix="/ogc", template_folder="templates")
services = Blueprint("gis_ows", __name__, url_prefix="/ogc")
screens = Blueprint(
    "gis", __name__, url_prefix="/gis", template_folder="templates", static_folder="static", static_url_path="/static"
)
guard(screens)
ogcapi.register(ogc)
ows.register(services)
wms.register(services)


def _ogc_error(status: int, code: str, description: str) -> Any:
    if ogcapi.wants_html_safely():
        return render("gis/ogc_error.html", status=status, code=code, description=description), status
    response = jsonify({"code": code, "description": description})
    response.status_code = status
    return response


@ogc.errorhandler(BadParameter)
def _bad_parameter(error: BadParameter) -> Any:
    return _ogc_error(400, error.code, error.message)


@ogc.errorhandler(AnjianError)
def _refused(error: AnjianError) -> Any:
    return _ogc_error(error.http_status, type(error).__name__, str(error))


@services.errorhandler(AnjianError)
def _ows_refused(error: AnjianError) -> Any:
    return ows.wfs_exception(BadParameter("", str(error), type(error).__name__), error.http_status)


@ogc.record_once
def _configure_widget(state: Any) -> None:
    """The engine's ``map`` form widget: base tiles, the area and the region-boundary overlay."""
    platform = state.app.extensions.get("anjian")
    settings = platform.host.settings.get("gis") if platform is not None else None
    if settings is None:
        return
    state.app.config.setdefault("ANJIAN_MAP_TILES", settings.tile_url)
    state.app.config.setdefault("ANJIAN_MAP_ATTRIBUTION", settings.tile_attribution)
    state.app.config.setdefault("ANJIAN_MAP_AREA", settings.area)
    state.app.config.setdefault("ANJIAN_MAP_OVERLAY", "/ogc/collections/region_boundary/items?limit=1000&f=json")
    state.app.add_template_global(lambda: view_text(platform), "anjian_map_view")  # where a new record's map opens


# ---- 一张图 --------------------------------------------------------------------------------------


@screens.get("/")
def one_map() -> Any:
    """一张图: every layer the user may read, clustered points, filters, the region boundaries."""
    platform = ui_platform()
    settings = platform.host.settings.get("gis")
    found = visible_layers(platform, actor())
    layers = [
        {
            "id": layer.id,
            "title": layer.title,
            "kind": layer.kind,
            "items": url_for("gis_ogc.items", collection_id=layer.id),
            "detail": url_for("anjian_ui.detail_view", entity=layer.id, record_id=987654321).replace("987654321", "{id}"),
            "title_field": layer.spec.title_field or "",
            "legend": legend(layer),
            "category": next((f.name for f in layer.spec.column_fields if f.name == _category(layer.id)), ""),
            "open_field": _open_field(layer),
        }
        for layer in found
    ]
    return render(
        "gis/map.html",
        layers=layers,
        tiles=settings.tile_url if settings else "",
        attribution=settings.tile_attribution if settings else "",
        area=view_text(platform) if settings else "73.5,3.8,135.1,53.6",
        max_limit=settings.max_limit if settings else 10000,
    )


def _category(layer_id: str) -> str:
    from .styles import CATEGORY_FIELDS

    return CATEGORY_FIELDS.get(layer_id, "")


def _open_field(layer: Any) -> str:
    """A date field that is empty while the record is still open (隐患未销号), for the 'open only' filter."""
    names = {f.name for f in layer.spec.column_fields}
    return "closed_on" if "closed_on" in names else ""
