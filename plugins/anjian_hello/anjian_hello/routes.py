"""An API route and a screen: the two kinds of blueprint a plugin adds.

The API blueprint's prefix is under ``/api/``, so the engine adopts it into the API's contract:
the caller is authenticated (token or API key) before the view runs and errors are JSON.
The screen blueprint guards itself (login) and renders inside the platform's layout.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from anjian.api import current_actor
from anjian.api import platform as api_platform
from anjian.store.clock import utc_now
from anjian.ui.base import actor, guard, render
from anjian.ui.base import platform as ui_platform

from .store import record_visit

__all__ = ["api", "screens"]

api = Blueprint("hello_api", __name__, url_prefix="/api/v1/hello")
screens = Blueprint("hello", __name__, url_prefix="/hello", template_folder="templates")
guard(screens)


def _greeting(username: str, greeting: str, visits: int) -> dict[str, Any]:
    return {"greeting": f"{greeting}，{username}！", "visits": visits}


@api.get("/greeting")
def greeting() -> Any:
    """Greet the caller and count the visit in the plugin's own table."""
    platform = api_platform()
    username = current_actor().username
    visits = record_visit(platform.engine, username, utc_now())
    return jsonify(_greeting(username, platform.host.settings["hello"].greeting, visits))


@screens.get("/")
def page() -> Any:
    platform = ui_platform()
    username = actor().username
    visits = record_visit(platform.engine, username, utc_now())
    return render("hello/page.html", **_greeting(username, platform.host.settings["hello"].greeting, visits))
