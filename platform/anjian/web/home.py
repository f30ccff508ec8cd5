"""The site root: the public face (公共服务平台) when one is installed, else the login page.

Signed-in officers reach the office face from the public face's navigation; signing in without a
``next`` page takes them to the office face directly (see ``login.after_password``).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect
from flask_appbuilder import IndexView, expose
from flask_login import current_user

from .faces import faces

__all__ = ["HomeView"]


class HomeView(IndexView):  # type: ignore[misc]
    @expose("/")
    def index(self) -> Any:
        public = faces().get("public")
        if public is not None:
            return current_app.view_functions[public.home]()
        if current_user.is_authenticated:
            return redirect("/e/")
        return redirect(self.appbuilder.get_url_for_login)
