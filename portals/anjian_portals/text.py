"""Rich text of published records, sanitised: editors may write simple HTML, never scripts."""

from __future__ import annotations

import nh3
from markupsafe import Markup, escape

__all__ = ["rich_text"]

TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
}


def rich_text(value: object) -> Markup:
    """Sanitised HTML (nh3's allow-list); plain text keeps its line breaks."""
    source = str(value or "")
    if "<" not in source:
        return Markup("<br>".join(escape(line) for line in source.splitlines()))
    return Markup(nh3.clean(source, tags=TAGS, attributes={"a": {"href", "title"}}, link_rel="noopener noreferrer"))
