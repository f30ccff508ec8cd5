"""Lockout with backoff after repeated failed logins (等保 level 3: 登录失败处理).

After ``threshold`` failures in a row a user name is locked for ``base`` seconds; every further
failure while over the threshold doubles the lock, up to an hour. A success clears the count.
Counted per user name, known or not, so a lock does not reveal whether an account exists.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..data.db import write
from ..data.system import login_failure
from ..store.clock import utc_now

__all__ = ["LoginGuard"]

MAX_LOCK = 3600


class LoginGuard:
    def __init__(self, engine: Engine, threshold: int, base_seconds: int) -> None:
        self.engine = engine
        self.threshold = threshold
        self.base = base_seconds

    def locked_for(self, username: str) -> int:
        """Seconds until ``username`` may try again (0: not locked)."""
        with self.engine.connect() as conn:
            until = conn.execute(select(login_failure.c.locked_until).where(login_failure.c.username == username)).scalar()
        if until is None:
            return 0
        return max(0, int((until - utc_now()).total_seconds() + 0.999))

    def failed(self, username: str) -> int:
        """Count a failure; return the lock it starts (seconds, 0 if none)."""
        now = utc_now()
        with write(self.engine) as conn, conn.begin():
            failures = self._count(conn, username, now)
            lock = min(MAX_LOCK, self.base * 2 ** (failures - self.threshold)) if failures >= self.threshold else 0
            if lock:
                until = now + dt.timedelta(seconds=lock)
                conn.execute(update(login_failure).where(login_failure.c.username == username).values(locked_until=until))
        return lock

    @staticmethod
    def _count(conn: Connection, username: str, now: dt.datetime) -> int:
        """Add one failure atomically (parallel failures are all counted); the new count."""
        bump = (
            update(login_failure)
            .where(login_failure.c.username == username)
            .values(failures=login_failure.c.failures + 1, last_failure=now)
            .returning(login_failure.c.failures)
        )
        counted = conn.execute(bump).scalar()
        if counted is not None:
            return int(counted)
        try:
            with conn.begin_nested():
                conn.execute(insert(login_failure).values(username=username, failures=1, last_failure=now, locked_until=None))
            return 1
        except IntegrityError:  # a parallel first failure inserted the row
            return int(conn.execute(bump).scalar_one())

    def succeeded(self, username: str) -> None:
        with write(self.engine) as conn, conn.begin():
            conn.execute(delete(login_failure).where(login_failure.c.username == username))
