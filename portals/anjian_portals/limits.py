"""Rate limits of the public face, per client address.

Filings are counted in the audit log (every record the intake writes is an audit entry carrying
the visitor's address), so the limit holds across web processes and follows the engine's clock.
Tracking-code lookups write nothing; their limit is a sliding window kept in the process, which
with codes of 10 characters from 32 (10^15 possibilities) leaves enumeration hopeless anyway.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import deque

from sqlalchemy import Engine, func, select

from anjian.audit.tables import audit_log
from anjian.store.clock import utc_now

__all__ = ["LookupWindow", "filings_in_last_hour"]


def filings_in_last_hour(engine: Engine, actor: str, address: str, entity: str) -> int:
    since = utc_now() - dt.timedelta(hours=1)
    query = (
        select(func.count())
        .select_from(audit_log)
        .where(
            audit_log.c.actor == actor,
            audit_log.c.address == address,
            audit_log.c.entity == entity,
            audit_log.c.action == "create",
            audit_log.c.at >= since,
        )
    )
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


class LookupWindow:
    """At most ``limit`` lookups per address in ``seconds`` (monotonic clock, this process)."""

    def __init__(self, limit: int = 30, seconds: float = 60.0) -> None:
        self.limit = limit
        self.seconds = seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, address: str, now: float | None = None) -> bool:
        moment = time.monotonic() if now is None else now
        with self._lock:
            if len(self._hits) > 10_000:  # forget idle addresses rather than grow without bound
                self._hits = {a: q for a, q in self._hits.items() if q and moment - q[-1] < self.seconds}
            hits = self._hits.setdefault(address, deque())
            while hits and moment - hits[0] >= self.seconds:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(moment)
            return True
