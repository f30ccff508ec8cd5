"""What every face's views share: the platform, the declarations, the visitor, page caching."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import func, select

from anjian.audit import Actor
from anjian.data.records import RecordListener
from anjian.meta.portal_spec import PortalSpec
from anjian.meta.spec import EntitySpec
from anjian.runtime import Platform

__all__ = ["PACKAGE", "DataStamps", "PageCache", "declaration", "page_cache", "platform", "prefs", "signed_in", "visitor"]

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


class DataStamps(RecordListener):
    """(rows, last change) of entities, the key that keeps a cached page from outliving an edit.

    Each is one aggregate, asked at most every ``seconds`` (twice the catalog poll interval, so an
    edit in another process shows within about a second); a write in this process forgets the
    entity's stamp at once (the record service calls ``after_write``).
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._known: dict[str, tuple[float, tuple[Any, ...]]] = {}

    def after_write(self, conn: Any, spec: EntitySpec, stored: Mapping[str, Any], actor: Actor, action: str) -> None:
        self._known.pop(spec.name, None)

    def of(self, entities: Iterable[str]) -> tuple[Any, ...]:
        p = platform()
        now = time.monotonic()
        stamp = []
        for name in sorted(set(entities)):
            known = self._known.get(name)
            if known is None or now - known[0] >= self.seconds:
                table = p.registry.table(name)
                with p.engine.connect() as conn:
                    value = tuple(conn.execute(select(func.count(), func.max(table.c.updated_at)).select_from(table)).one())
                known = (now, value)
                self._known[name] = known
            stamp.append(known[1])
        return tuple(stamp)


class PageCache:
    """Rendered anonymous pages of one application for ``seconds``, keyed by URL, catalog version,
    display preferences and the data stamp of the entities shown.

    Only pages without per-request secrets (no CSRF token, no nonce) are cached.
    """

    def __init__(self, stamps: DataStamps, seconds: float = 30.0, size: int = 512) -> None:
        self.stamps = stamps
        self.seconds = seconds
        self.size = size
        self._pages: dict[tuple[Any, ...], tuple[float, str]] = {}

    def get(self, render: Callable[[], str], entities: Iterable[str] = ()) -> str:
        """The page for this URL: rendered again when a record of ``entities`` changed, or after ``seconds``."""
        if signed_in():
            return render()
        key = (request.full_path, platform().registry.version, tuple(sorted(prefs())), self.stamps.of(entities))
        now = time.monotonic()
        hit = self._pages.get(key)
        if hit is not None and now - hit[0] < self.seconds:
            return hit[1]
        page = render()
        if len(self._pages) >= self.size:
            self._pages.clear()
        self._pages[key] = (now, page)
        return page


def page_cache() -> PageCache:
    """This application's page cache (made on first use; its stamps listen to the record service)."""
    cache: PageCache | None = current_app.extensions.get("anjian_portal_pages")
    if cache is None:
        p = platform()
        stamps = DataStamps(max(p.settings.catalog_poll_interval * 2, 0.1))
        p.records.listeners.append(stamps)
        cache = current_app.extensions.setdefault("anjian_portal_pages", PageCache(stamps))
    return cache
