"""The widget ``monitoring.trend``: a point's code with its 24-hour trend chart on the detail screen."""

from __future__ import annotations

from typing import Any

from flask import url_for
from markupsafe import Markup, escape

__all__ = ["trend"]


def trend(field: Any, value: Any, record: Any) -> Markup:
    if not record or not record.get("id"):
        return Markup(escape(value or "—"))
    link = url_for("monitoring.trend_page", point_id=record["id"])
    return Markup('{} <a class="btn btn-xs btn-default" href="{}"><i class="fa fa-line-chart"></i> 趋势曲线</a>').format(
        escape(value or "—"), link
    )
