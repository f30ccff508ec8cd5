"""Refresh tokens: opaque, stored as sha256, rotated on every use.

A login starts a *family*; each refresh marks the presented token rotated and issues the next one
of the same family. Presenting a rotated token again means it was copied: the whole family is
revoked (and the caller audits it). Logout revokes the token; a password change revokes all.
Access tokens carry their family (claim ``sid``): a revoked family voids them too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from ..data.db import write
from ..data.system import refresh_token
from ..errors import AuthenticationFailed
from ..store.clock import utc_now

__all__ = ["RefreshError", "RefreshTokens", "Rotation", "digest"]

PREFIX = "ajr_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Rotation:
    username: str
    token: str  # the new refresh token (shown once)
    family: str


class RefreshError(AuthenticationFailed):
    """A refresh token that is unknown, expired or revoked; ``reused`` when a rotated one came back."""

    def __init__(self, message: str, username: str = "", family: str = "", reused: bool = False) -> None:
        super().__init__(message, code="auth.refresh_invalid")
        self.username = username
        self.family = family
        self.reused = reused


class RefreshTokens:
    def __init__(self, engine: Engine, ttl_seconds: int) -> None:
        self.engine = engine
        self.ttl = ttl_seconds

    def _insert(self, conn: Connection, username: str, family: str) -> str:
        token = PREFIX + secrets.token_urlsafe(32)
        now = utc_now()
        conn.execute(
            insert(refresh_token).values(
                token_hash=digest(token),
                family=family,
                username=username,
                issued_at=now,
                expires_at=now + dt.timedelta(seconds=self.ttl),
            )
        )
        return token

    def start(self, username: str) -> Rotation:
        """A new family's first token (at login); the family names the login in access tokens."""
        family = uuid.uuid4().hex
        with write(self.engine) as conn, conn.begin():
            return Rotation(username, self._insert(conn, username, family), family)

    def rotate(self, token: str) -> Rotation:
        """Swap ``token`` for the next one; RefreshError if it is not valid (reuse revokes the family)."""
        now = utc_now()
        with write(self.engine) as conn, conn.begin():
            row = conn.execute(select(refresh_token).where(refresh_token.c.token_hash == digest(token))).first()
            problem = self._problem(row, now)
            if problem is None and row is not None:  # _problem answers for a missing row
                # Conditional: of two rotations of one token at once, the second counts as a reuse.
                done = conn.execute(
                    update(refresh_token)
                    .where(refresh_token.c.id == row.id, refresh_token.c.rotated_at.is_(None))
                    .values(rotated_at=now)
                )
                if done.rowcount != 1:
                    problem = RefreshError(
                        "刷新令牌已被使用过，该登录的所有令牌均已撤销，请重新登录", row.username, row.family, True
                    )
                else:
                    new = self._insert(conn, row.username, row.family)
            if problem is not None and problem.reused:  # committed before the error is raised
                conn.execute(
                    update(refresh_token)
                    .where(refresh_token.c.family == problem.family, refresh_token.c.revoked_at.is_(None))
                    .values(revoked_at=now)
                )
        if problem is not None or row is None:
            raise problem or RefreshError("刷新令牌无效")
        return Rotation(row.username, new, row.family)

    @staticmethod
    def _problem(row: Any, now: dt.datetime) -> RefreshError | None:
        if row is None:
            return RefreshError("刷新令牌无效")
        if row.revoked_at is not None:
            return RefreshError("刷新令牌已撤销，请重新登录", row.username, row.family)
        if row.rotated_at is not None:
            return RefreshError("刷新令牌已被使用过，该登录的所有令牌均已撤销，请重新登录", row.username, row.family, True)
        if row.expires_at <= now:
            return RefreshError("刷新令牌已过期，请重新登录", row.username, row.family)
        return None

    def revoke(self, token: str) -> str | None:
        """Revoke the token's family (logout); the user name, or None for an unknown token."""
        with write(self.engine) as conn, conn.begin():
            row = conn.execute(select(refresh_token).where(refresh_token.c.token_hash == digest(token))).first()
            if row is None:
                return None
            conn.execute(
                update(refresh_token)
                .where(refresh_token.c.family == row.family, refresh_token.c.revoked_at.is_(None))
                .values(revoked_at=utc_now())
            )
            return str(row.username)

    @staticmethod
    def revoke_all(conn: Connection, username: str) -> int:
        """Revoke every refresh token of the user (inside the caller's transaction)."""
        done = conn.execute(
            update(refresh_token)
            .where(refresh_token.c.username == username, refresh_token.c.revoked_at.is_(None))
            .values(revoked_at=utc_now())
        )
        return int(done.rowcount or 0)
