"""Lockout with backoff after repeated failed logins (等保 level 3: 登录失败处理).

After ``threshold`` failures in a row a user name is locked for ``base`` seconds; every further
failure while over the threshold doubles the lock, up to an hour. A success clears the count.
Counted per user name, known or not, so a lock does not reveal whether an account exists.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, delete, insert, select, update

from ..data.codec import utc_now
from ..data.db import write
from ..data.system import login_failure

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
            failures = conn.execute(select(login_failure.c.failures).where(login_failure.c.username == username)).scalar()
            failures = (failures or 0) + 1
            lock = 0
            if failures >= self.threshold:
                lock = min(MAX_LOCK, self.base * 2 ** (failures - self.threshold))
            values = {
                "failures": failures,
                "last_failure": now,
                "locked_until": now + dt.timedelta(seconds=lock) if lock else None,
            }
            if failures == 1:
                conn.execute(delete(login_failure).where(login_failure.c.username == username))
                conn.execute(insert(login_failure).values(username=username, **values))
            else:
                conn.execute(update(login_failure).where(login_failure.c.username == username).values(values))
        return lock

    def succeeded(self, username: str) -> None:
        with write(self.engine) as conn, conn.begin():
            conn.execute(delete(login_failure).where(login_failure.c.username == username))
