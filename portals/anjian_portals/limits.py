"""Rate limits of the public face, per client address.

Filings are counted in the audit log (every record the intake writes is an audit entry carrying
the visitor's address), so the limit holds across web processes and follows the engine's clock.
Lookups of tracking codes, registrations and password-reset requests write no record; they are
counted in the portal's own hit table (``SharedWindow``), so two servers share the count too. With
codes of 10 characters from 32 (10^15 possibilities) enumeration stays hopeless.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, delete, func, insert, select

from anjian.audit.tables import audit_log
from anjian.store.clock import utc_now
from anjian.store.db import write

from .tables import ensure_tables, portal_hit

__all__ = ["SharedWindow", "filings_in_last_hour"]


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


class SharedWindow:
    """At most ``limit`` hits of one kind per key (an address, an e-mail) in ``seconds``, counted in the
    database so every web process of the deployment shares the count; follows the engine's clock.

    Each allowed hit is a row (with its expiry); expired rows are deleted as new hits are written.
    A refused hit is not counted, so waiting always opens the window again.
    """

    def __init__(self, kind: str, limit: int = 30, seconds: float = 60.0) -> None:
        self.kind = kind
        self.limit = limit
        self.seconds = seconds

    def allow(self, engine: Engine, key: str) -> bool:
        ensure_tables(engine)
        now = utc_now()
        since = now - dt.timedelta(seconds=self.seconds)
        key = key[:200]
        counted = (
            select(func.count())
            .select_from(portal_hit)
            .where(portal_hit.c.kind == self.kind, portal_hit.c.key == key, portal_hit.c.at > since)
        )
        with write(engine) as conn, conn.begin():  # BEGIN IMMEDIATE on SQLite: count and insert as one
            if int(conn.execute(counted).scalar_one()) >= self.limit:
                return False
            conn.execute(delete(portal_hit).where(portal_hit.c.expires_at <= now))
            expires = now + dt.timedelta(seconds=self.seconds)
            conn.execute(insert(portal_hit).values(kind=self.kind, key=key, at=now, expires_at=expires))
        return True
