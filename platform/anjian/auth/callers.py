"""Who an API request comes from, read fresh by one query per request.

An access token or an API key names a user; the request needs that user's active flag and role
names, and for a token whether its login was revoked and which token generation the user is at
(``anjian.auth.state``). Resolving the user through Flask-AppBuilder's ORM (the user, then its
roles) cost about 3 ms a request; one joined query over FAB's tables costs a fraction of that and
leaves nothing to cache, so deactivation, revocation and role changes act on the very next request
in every process.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, exists, literal, select

from ..data.system import api_key, refresh_token, user_security
from ..data.users import ab_role, ab_user, ab_user_role
from ..errors import AuthenticationFailed
from .apikeys import PREFIX, ApiKey, check_key, key_from_row
from .refresh import digest

__all__ = ["Caller", "bearer_caller", "key_caller"]


@dataclass(frozen=True)
class Caller:
    """A request's user as stored now."""

    username: str
    active: bool
    roles: tuple[str, ...]
    generation: int = 0
    revoked: bool = False


def _with_roles(source: Any, *columns: Any) -> Any:
    """``SELECT columns, active, role name`` from ``source`` (which holds ``ab_user``) joined to the
    user's roles: a row per role (one, with NULL, for none)."""
    joined = source.outerjoin(ab_user_role, ab_user_role.c.user_id == ab_user.c.id).outerjoin(
        ab_role, ab_role.c.id == ab_user_role.c.role_id
    )
    return select(*columns, ab_user.c.active, ab_role.c.name.label("_role")).select_from(joined)


def _caller(username: str, rows: list[Any], **extra: Any) -> Caller:
    roles = tuple(sorted({r._role for r in rows if r._role is not None}))
    return Caller(username, bool(rows[0].active), roles, **extra)


def bearer_caller(engine: Engine, username: str, session: str) -> Caller | None:
    """The user an access token names, its token generation and whether the token's login
    (``session``) was revoked; None when no such user exists."""
    generation = select(user_security.c.token_generation).where(user_security.c.username == username)
    revoked = exists().where(refresh_token.c.family == session, refresh_token.c.revoked_at.is_not(None))
    stmt = _with_roles(
        ab_user,
        generation.scalar_subquery().label("_generation"),
        (revoked if session else literal(False)).label("_revoked"),
    ).where(ab_user.c.username == username)
    with engine.connect() as conn:
        rows = list(conn.execute(stmt))
    if not rows:
        return None
    return _caller(username, rows, generation=int(rows[0]._generation or 0), revoked=bool(rows[0]._revoked))


def key_caller(engine: Engine, secret: str) -> tuple[ApiKey, Caller | None]:
    """The active key ``secret`` belongs to and its user (None when the user is gone);
    AuthenticationFailed for an unknown, wrong, revoked or expired key."""
    secret = secret.strip()
    key_id = secret[len(PREFIX) : len(PREFIX) + 8] if secret.startswith(PREFIX) else ""
    rows: list[Any] = []
    if key_id:
        with_user = api_key.outerjoin(ab_user, ab_user.c.username == api_key.c.username)
        stmt = _with_roles(with_user, *api_key.c).where(api_key.c.key_id == key_id)
        with engine.connect() as conn:
            rows = list(conn.execute(stmt))
    if not rows or not hmac.compare_digest(rows[0].key_hash, digest(secret)):
        raise AuthenticationFailed("API 密钥无效", code="auth.api_key_invalid")
    key = check_key(key_from_row(rows[0]))
    user = _caller(key.username, rows) if rows[0].active is not None else None
    return key, user
