"""Lockout with backoff after repeated failed logins (等保 level 3: 登录失败处理).

After ``threshold`` failures in a row a user name is locked for ``base`` seconds; every further
failure while over the threshold doubles the lock, up to an hour. A success clears the count.
Counted per user name, known or not, so a lock does not reveal whether an account exists.

Two rules make the count hold under attack:

- the key is the *normalised* name (trimmed, case-folded): Flask-AppBuilder finds users without
  regard to case, so ``SECTESTA`` and ``sectesta`` are one account and share one count;
- a try is *claimed* before the secret is checked (``claim``): one atomic statement counts it and
  refuses it when the name is locked, so parallel requests cannot check more secrets than the
  threshold allows. A right secret then clears the count (``succeeded``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..data.db import write
from ..data.system import login_failure
from ..store.clock import utc_now

__all__ = ["Claim", "LoginGuard", "login_key"]

MAX_LOCK = 3600


def login_key(username: str) -> str:
    """The name a lockout is counted under: trimmed and case-folded, at most 150 characters."""
    return (username or "").strip().casefold()[:150]


@dataclass(frozen=True)
class Claim:
    """The verdict on one try: ``wait`` > 0 refuses it; ``lock`` is the lock it starts if it fails."""

    wait: int = 0
    lock: int = 0


class LoginGuard:
    def __init__(self, engine: Engine, threshold: int, base_seconds: int) -> None:
        self.engine = engine
        self.threshold = threshold
        self.base = base_seconds

    def locked_for(self, username: str) -> int:
        """Seconds until ``username`` may try again (0: not locked)."""
        with self.engine.connect() as conn:
            until = conn.execute(
                select(login_failure.c.locked_until).where(login_failure.c.username == login_key(username))
            ).scalar()
        return self._seconds(until, utc_now())

    @staticmethod
    def _seconds(until: dt.datetime | None, now: dt.datetime) -> int:
        return 0 if until is None else max(0, int((until - now).total_seconds() + 0.999))

    def claim(self, username: str) -> Claim:
        """Count one try before its secret is checked; refuse it (``wait``) while the name is locked.

        The try counts as a failure until ``succeeded`` clears it, so the threshold-th try starts
        the lock at once and a parallel try finds it.
        """
        key = login_key(username)
        now = utc_now()
        with write(self.engine) as conn, conn.begin():
            failures = self._count(conn, key, now)
            if failures is None:  # locked: nothing was counted
                until = conn.execute(select(login_failure.c.locked_until).where(login_failure.c.username == key)).scalar()
                return Claim(wait=max(1, self._seconds(until, now)))
            lock = self._lock(failures)
            if lock:
                until = now + dt.timedelta(seconds=lock)
                conn.execute(update(login_failure).where(login_failure.c.username == key).values(locked_until=until))
        return Claim(lock=lock)

    def failed(self, username: str) -> int:
        """Count a failure that was not claimed first; the lock it starts (seconds, 0 if none)."""
        claim = self.claim(username)
        return claim.wait or claim.lock

    def _lock(self, failures: int) -> int:
        return min(MAX_LOCK, self.base * 2 ** (failures - self.threshold)) if failures >= self.threshold else 0

    @staticmethod
    def _count(conn: Connection, key: str, now: dt.datetime) -> int | None:
        """Add one try atomically unless the name is locked; the new count, or None when locked."""
        bump = (
            update(login_failure)
            .where(
                login_failure.c.username == key,
                or_(login_failure.c.locked_until.is_(None), login_failure.c.locked_until <= now),
            )
            .values(failures=login_failure.c.failures + 1, last_failure=now)
            .returning(login_failure.c.failures)
        )
        counted = conn.execute(bump).scalar()
        if counted is not None:
            return int(counted)
        if conn.execute(select(login_failure.c.username).where(login_failure.c.username == key)).first() is not None:
            # The row exists: either the lock refused the update, or a parallel first try committed it
            # after the update's snapshot (PostgreSQL, read committed). A second update tells which.
            counted = conn.execute(bump).scalar()
            return None if counted is None else int(counted)
        try:
            with conn.begin_nested():
                conn.execute(insert(login_failure).values(username=key, failures=1, last_failure=now, locked_until=None))
            return 1
        except IntegrityError:  # a parallel first try inserted the row
            counted = conn.execute(bump).scalar()
            return None if counted is None else int(counted)

    def release(self, username: str, claim: Claim) -> None:
        """Take back a claimed try whose password was right while a second factor is still due."""
        values: dict[str, Any] = {"failures": login_failure.c.failures - 1}
        if claim.lock:
            values["locked_until"] = None
        with write(self.engine) as conn, conn.begin():
            conn.execute(update(login_failure).where(login_failure.c.username == login_key(username)).values(**values))

    def succeeded(self, username: str) -> None:
        with write(self.engine) as conn, conn.begin():
            conn.execute(delete(login_failure).where(login_failure.c.username == login_key(username)))
