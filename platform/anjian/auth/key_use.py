"""API-key use, written at most once a window per key: ``last_used_at`` and the audit entry.

A gateway that posts every second would otherwise cost two write transactions per request (the
key's ``last_used_at`` and an ``apikey_used`` audit entry) on SQLite's single writer. The first use
of a key in a window is written at once, with the method and path, so the audit shows the key in
use from its first request. Later uses within the window are counted in memory and written with
the next entry (``{"earlier": {"requests", "from", "to", "paths"}}``), when a request arrives after
the window or when the process exits (``flush``). So every use is accounted for; a process killed
outright loses at most the counts of its last window, never the fact that the key was used.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import threading
import weakref
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, update

from .. import audit
from ..audit import Actor
from ..data.db import write
from ..data.system import api_key
from ..store.clock import utc_now

__all__ = ["WINDOW", "KeyUse"]

log = logging.getLogger(__name__)
WINDOW = dt.timedelta(seconds=60)
PATHS_KEPT = 20  # distinct "METHOD path" counted per window; the rest are summed as "other"


@dataclass
class _Window:
    actor: Actor
    opened: dt.datetime
    requests: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    paths: Counter[str] = field(default_factory=Counter)

    def count(self, now: dt.datetime, what: str) -> None:
        self.requests += 1
        self.first = self.first or now
        self.last = now
        self.paths[what if what in self.paths or len(self.paths) < PATHS_KEPT else "other"] += 1

    def summary(self) -> dict[str, Any]:
        assert self.first is not None and self.last is not None
        return {
            "requests": self.requests,
            "from": self.first.isoformat(timespec="seconds"),
            "to": self.last.isoformat(timespec="seconds"),
            "paths": dict(self.paths.most_common()),
        }


class KeyUse:
    """The use of the API keys of one database, throttled to one write per key and window."""

    def __init__(self, engine: Engine, window: dt.timedelta = WINDOW) -> None:
        self.engine = engine
        self.window = window
        self._lock = threading.Lock()
        self._open: dict[str, _Window] = {}
        _LIVE.add(self)

    def record(self, key_id: str, actor: Actor, method: str, path: str) -> None:
        """Account for one request made with ``key_id``; write now if the key's window has passed."""
        now = utc_now()
        what = f"{method} {path[:200]}"
        with self._lock:
            current = self._open.get(key_id)
            if current is not None and now - current.opened < self.window:
                current.count(now, what)
                return
            self._open[key_id] = _Window(actor, now)
        earlier = current.summary() if current is not None and current.requests else None
        self._write(self.engine, key_id, actor, now, {"method": method, "path": path[:200]}, earlier)

    def flush(self) -> None:
        """Write the uses counted and not yet written (at exit, or when a caller wants them now)."""
        with self._lock:
            pending = [(key_id, w) for key_id, w in self._open.items() if w.requests]
            self._open.clear()
        for key_id, w in pending:
            assert w.last is not None
            self._write(self.engine, key_id, w.actor, w.last, {"flushed": True}, w.summary())

    @staticmethod
    def _write(
        engine: Engine, key_id: str, actor: Actor, now: dt.datetime, detail: dict[str, Any], earlier: dict[str, Any] | None
    ) -> None:
        if earlier is not None:
            detail = {**detail, "earlier": earlier}
        with write(engine) as conn, conn.begin():
            conn.execute(update(api_key).where(api_key.c.key_id == key_id).values(last_used_at=now))
            audit.append(conn, actor, "apikey_used", "", key_id, detail)


_LIVE: weakref.WeakSet[KeyUse] = weakref.WeakSet()


@atexit.register
def _flush_at_exit() -> None:
    """Counts still open at a clean exit are written, not dropped."""
    for key_use in list(_LIVE):
        try:
            key_use.flush()
        except Exception:  # the database may be gone already (a test's temporary folder)
            log.warning("API key use not written at exit", exc_info=True)
