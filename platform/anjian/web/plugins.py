"""Plugin blueprints, registered when the application starts (hook ``anjian_blueprints``).

Only enabled plugins contribute, so a disabled plugin has no routes at all. API blueprints
(``url_prefix`` under ``/api/``) are adopted into the API's contract and exempt from CSRF (they
authenticate by token or API key); screens keep CSRF and guard themselves with ``ui.base.guard``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

from ..api import adopt
from ..errors import PluginError
from ..runtime import Platform

__all__ = ["register_plugin_blueprints"]


def register_plugin_blueprints(app: Flask, platform: Platform, csrf: Any) -> list[str]:
    """Register every enabled plugin's blueprints on ``app``; return their names."""
    names = []
    for blueprint in platform.host.blueprints():
        if not isinstance(blueprint, Blueprint):
            raise PluginError(repr(blueprint), "anjian_blueprints() must return flask.Blueprint objects.")
        if (blueprint.url_prefix or "").startswith("/api/"):
            adopt(blueprint)
            csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
        names.append(blueprint.name)
    return names
