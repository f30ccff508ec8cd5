"""The site root: signed-in users go to the business office, others to the login page."""

from __future__ import annotations

from typing import Any

from flask import redirect
from flask_appbuilder import IndexView, expose
from flask_login import current_user

__all__ = ["HomeView"]


class HomeView(IndexView):  # type: ignore[misc]
    @expose("/")
    def index(self) -> Any:
        if current_user.is_authenticated:
            return redirect("/e/")
        return redirect(self.appbuilder.get_url_for_login)
