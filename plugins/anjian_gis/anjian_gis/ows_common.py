"""What the WFS (``ows.py``), the WMS (``wms.py``) and OGC API - Features (``ogcapi.py``) share.

The running platform and the plugin's settings, key-value arguments, XML answers, the check for
parameters an operation does not take, and finding a layer the caller may see.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, request

from anjian.audit import Actor

from .layers import Layer, visible_layers
from .params import BadParameter

__all__ = [
    "COMMON_PARAMETERS",
    "check_known",
    "current_platform",
    "find_layer",
    "gis_settings",
    "kvp_args",
    "xml_response",
]

# Parameters every OWS operation takes (lower case; KVP names are case-insensitive).
COMMON_PARAMETERS = {"service", "version", "request", "namespaces", "namespace"}


def current_platform() -> Any:
    from anjian.api import platform

    return platform()


def gis_settings() -> Any:
    """The plugin's settings as the engine checked them at start (defaults if it has none)."""
    from .settings import GisSettings

    found = current_platform().host.settings.get("gis")
    return found if found is not None else GisSettings()


def kvp_args() -> dict[str, str]:
    """KVP parameter names are case-insensitive (OGC 06-121r9 §11.5.2)."""
    return {k.lower(): v for k, v in request.args.items()}


def xml_response(body: str, status: int = 200, mimetype: str = "text/xml") -> Response:
    return Response('<?xml version="1.0" encoding="UTF-8"?>\n' + body, status=status, mimetype=mimetype)


def check_known(args: Mapping[str, str], allowed: set[str], service: str) -> None:
    """A parameter the operation does not take is a 400 naming it and the ones it does."""
    extra = sorted(set(args) - allowed - COMMON_PARAMETERS)
    if extra:
        names = "、".join(sorted(allowed | {"service", "version", "request"}))
        raise BadParameter(extra[0], f"{service} 此操作不认识参数 {extra[0][:40]}；可用参数：{names}", "InvalidParameterValue")


def find_layer(actor: Actor | None, name: str, locator: str) -> Layer:
    """The layer ``name`` (with or without its namespace prefix) if the caller may see it."""
    wanted = name.split(":", 1)[-1]
    for layer in visible_layers(current_platform(), actor):
        if layer.id == wanted:
            return layer
    raise BadParameter(locator, f"没有名为 {name[:60]} 的图层，或您无权查看", "InvalidParameterValue")
