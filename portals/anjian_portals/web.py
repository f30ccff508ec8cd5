"""What every face's views share: the platform, the declarations, the visitor, page caching."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import func, select

from anjian.audit import Actor
from anjian.meta.portal_spec import PortalSpec
from anjian.runtime import Platform

__all__ = ["PACKAGE", "PageCache", "declaration", "platform", "prefs", "signed_in", "visitor"]

PACKAGE = Path(__file__).parent
PREF_COOKIE = "anjian_view"  # "large", "contrast", or both joined by "-"


def platform() -> Platform:
    result: Platform = current_app.extensions["anjian"]
    return result


def declaration(face: str) -> PortalSpec:
    """The published declaration of a face; 404 while none is published."""
    spec = platform().registry.catalog.portal_of(face)
    if spec is None:
        abort(404)
    return spec


def visitor() -> Actor:
    return Actor.visitor(request.remote_addr or "")


def signed_in() -> bool:
    try:
        return bool(current_user.is_authenticated)
    except Exception:  # no login manager on this request
        return False


def prefs() -> set[str]:
    """The reader's display preferences (大字版, 高对比), kept in a cookie so pages need no JavaScript."""
    return {p for p in request.cookies.get(PREF_COOKIE, "").split("-") if p in ("large", "contrast")}


def data_stamp(entities: list[str]) -> tuple[Any, ...]:
    """(rows, last change) of each entity: one cheap aggregate each, so a cached page never outlives an edit."""
    p = platform()
    stamp: list[Any] = []
    with p.engine.connect() as conn:
        for name in entities:
            table = p.registry.table(name)
            stamp.append(tuple(conn.execute(select(func.count(), func.max(table.c.updated_at)).select_from(table)).one()))
    return tuple(stamp)


class PageCache:
    """Rendered anonymous pages for ``seconds``, keyed by URL, catalog version and preferences.

    Only pages without per-request secrets (no CSRF token, no nonce) are cached; the key carries
    the data stamp of the entities shown, so an edit shows at once in every process.
    """

    def __init__(self, seconds: float = 30.0, size: int = 512) -> None:
        self.seconds = seconds
        self.size = size
        self._pages: dict[tuple[Any, ...], tuple[float, str]] = {}

    def get(self, render: Callable[[], str], entities: Iterable[str] = ()) -> str:
        """The page for this URL: rendered again when a record of ``entities`` changed, or after ``seconds``."""
        if signed_in():
            return render()
        key = (request.full_path, platform().registry.version, tuple(sorted(prefs())), data_stamp(sorted(set(entities))))
        now = time.monotonic()
        hit = self._pages.get(key)
        if hit is not None and now - hit[0] < self.seconds:
            return hit[1]
        page = render()
        if len(self._pages) >= self.size:
            self._pages.clear()
        self._pages[key] = (now, page)
        return page
