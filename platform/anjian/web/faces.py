"""The portal's faces: packages under ``portals/`` that the application registers at start.

A face is installed like a module: a distribution names it in the entry-point group
``anjian.portals`` and its object is a :class:`Face` (a blueprint, the endpoint of its home page,
the blueprints that take JSON from machines and so carry no CSRF token). What a face shows is
metadata (``*.portal.json``), read at request time, so publishing a portal declaration needs no
restart; registering the blueprints happens once, because Flask allows it only before the first
request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, current_app

from ..errors import PluginError
from ..hooks import installed_entry_points

__all__ = ["GROUP", "Face", "face_url", "faces", "install_faces"]

GROUP = "anjian.portals"


@dataclass(frozen=True)
class Face:
    """One face of the portal: ``public`` (公共服务平台), ``office`` (业务办公平台) or ``decision`` (辅助决策平台)."""

    name: str
    title: str
    blueprint: Blueprint
    home: str  # endpoint of the face's home page
    machine_blueprints: tuple[Blueprint, ...] = field(default=())  # JSON APIs: exempt from CSRF
    user_types: tuple[str, ...] = ()  # account types that see the face in the navigation; () = everyone
    openapi_paths: Callable[[], dict[str, Any]] | None = None  # its machine API's paths, for /api/v1/openapi.json


def install_faces(app: Flask, csrf: object) -> dict[str, Face]:
    """Register every installed face's blueprints; remember them in ``app.extensions``."""
    found: dict[str, Face] = {}
    for entry in sorted(installed_entry_points(GROUP), key=lambda e: e.name):
        try:
            face = entry.load()
        except Exception as exc:  # an import error inside a face must name the face
            raise PluginError(entry.name, f"failed to import the portal face: {exc!r}") from exc
        if not isinstance(face, Face):
            raise PluginError(entry.name, "the anjian.portals entry point must name an anjian.web.faces.Face")
        app.register_blueprint(face.blueprint)
        for blueprint in face.machine_blueprints:
            app.register_blueprint(blueprint)
            csrf.exempt(blueprint)  # type: ignore[attr-defined]
        found[face.name] = face
    app.extensions["anjian_faces"] = found
    # the API layer may not import this module: it merges these paths from app.extensions
    app.extensions["anjian_openapi_paths"] = [f.openapi_paths for f in found.values() if f.openapi_paths]
    app.jinja_env.globals["anjian_faces"] = lambda: found  # the navbar's 门户 menu links the faces
    return found


def faces() -> dict[str, Face]:
    result: dict[str, Face] = current_app.extensions.get("anjian_faces", {})
    return result


def face_url(name: str, default: str = "/e/") -> str:
    """The home page of a face, or ``default`` when that face is not installed."""
    from flask import url_for

    face = faces().get(name)
    return url_for(face.home) if face else default
