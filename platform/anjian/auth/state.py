"""Per-user login-security state (``anjian_user_security``): token generation and second factor.

Every access token carries the user's token generation (claim ``gen``); changing or resetting the
password, or disabling the user, bumps it, so tokens issued before stop working at once. It also
carries its login (claim ``sid``); logout or a reused refresh token revokes that login's refresh
tokens, and ``anjian.auth.callers.bearer_caller`` reports it, so the login's access tokens stop working at once too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from ..data.db import write
from ..data.system import user_security

__all__ = ["bump_generation", "security_row", "set_security", "token_generation"]


def security_row(conn: Connection, username: str) -> Any:
    return conn.execute(select(user_security).where(user_security.c.username == username)).first()


def set_security(conn: Connection, username: str, **values: Any) -> None:
    """Update (or create) the user's row inside the caller's transaction."""
    if security_row(conn, username) is None:
        conn.execute(insert(user_security).values(username=username, token_generation=0, **values))
    elif values:
        conn.execute(update(user_security).where(user_security.c.username == username).values(**values))


def token_generation(engine: Engine, username: str) -> int:
    with engine.connect() as conn:
        value = conn.execute(select(user_security.c.token_generation).where(user_security.c.username == username)).scalar()
    return int(value or 0)


def bump_generation(conn: Connection, username: str) -> None:
    """Void every access token issued so far (inside the caller's transaction)."""
    row = security_row(conn, username)
    set_security(conn, username, token_generation=(row.token_generation if row else 0) + 1)


def bump(engine: Engine, username: str) -> None:
    with write(engine) as conn, conn.begin():
        bump_generation(conn, username)
