"""A widget: how a field is shown on the detail screen (``"x-anjian": {"widget": "hello.badge"}``)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

__all__ = ["badge"]


def badge(field: Any, value: Any, record: Any) -> Markup:
    """The value as a label; a widget returns HTML and escapes what it embeds."""
    if value in (None, ""):
        return Markup("—")
    return Markup('<span class="label label-info hello-badge">{}</span>').format(escape(value))
