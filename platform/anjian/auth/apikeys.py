"""API keys for machine clients: shown once, stored as sha256 with a visible key id, limited by scopes.

A key is ``ajk_<key id>_<secret>``. It acts as its user, but only for the ``entity:action`` pairs of
its scopes (``*`` matches any entity or action); the user's own grants and region still apply, so a
key never exceeds its user.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, update

from ..data.db import write
from ..data.system import api_key
from ..errors import AuthenticationFailed, FieldError, NotFound, RecordValidationError
from ..store.clock import utc_now
from .refresh import digest

__all__ = ["ApiKey", "ApiKeys", "check_key", "key_from_row", "scope_allows"]

PREFIX = "ajk_"
SCOPE = re.compile(r"^(\*|[a-z_][a-z0-9_]{0,62}):(\*|[a-z][a-z0-9_]{0,31})$")


def scope_allows(scopes: frozenset[str], entity: str, action: str) -> bool:
    return bool({f"{entity}:{action}", f"{entity}:*", f"*:{action}", "*:*"} & scopes)


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    username: str
    name: str
    scopes: tuple[str, ...]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > utc_now())


def key_from_row(row: object) -> ApiKey:
    r = row
    return ApiKey(
        r.key_id,  # type: ignore[attr-defined]
        r.username,  # type: ignore[attr-defined]
        r.name,  # type: ignore[attr-defined]
        tuple(r.scopes),  # type: ignore[attr-defined]
        r.created_at,  # type: ignore[attr-defined]
        r.expires_at,  # type: ignore[attr-defined]
        r.revoked_at,  # type: ignore[attr-defined]
        r.last_used_at,  # type: ignore[attr-defined]
    )


def check_key(key: ApiKey) -> ApiKey:
    """``key`` if it is neither revoked nor expired; AuthenticationFailed saying which otherwise."""
    if key.revoked_at is not None:
        raise AuthenticationFailed("API 密钥已撤销", code="auth.api_key_revoked")
    if not key.active:
        raise AuthenticationFailed("API 密钥已过期", code="auth.api_key_expired")
    return key


class ApiKeys:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(
        self, username: str, name: str, scopes: list[str], created_by: str, expires_at: dt.datetime | None = None
    ) -> tuple[ApiKey, str]:
        """Store a new key; return it and the full secret (never stored, shown once)."""
        errors = []
        if not name.strip() or len(name) > 100:
            errors.append(FieldError("/name", "名称不能为空，且不超过 100 个字符", "required"))
        if not scopes:
            errors.append(FieldError("/scopes", "至少需要一个权限范围，如 enterprise:read", "required"))
        errors += [
            FieldError(f"/scopes/{i}", f"权限范围 {s!r} 格式应为 实体:操作（如 enterprise:read，* 表示任意）", "pattern")
            for i, s in enumerate(scopes)
            if not SCOPE.match(s)
        ]
        if expires_at is not None and expires_at <= utc_now():
            errors.append(FieldError("/expires_at", "到期时间应晚于当前时间", "minimum"))
        if errors:
            raise RecordValidationError("api_key", errors)
        key_id = secrets.token_hex(4)
        secret = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        with write(self.engine) as conn, conn.begin():
            conn.execute(
                insert(api_key).values(
                    key_id=key_id,
                    key_hash=digest(secret),
                    username=username,
                    name=name.strip(),
                    scopes=sorted(set(scopes)),
                    created_at=utc_now(),
                    created_by=created_by,
                    expires_at=expires_at,
                )
            )
            row = conn.execute(select(api_key).where(api_key.c.key_id == key_id)).one()
        return key_from_row(row), secret

    def list(self, username: str | None = None) -> list[ApiKey]:
        query = select(api_key).order_by(api_key.c.created_at)
        if username:
            query = query.where(api_key.c.username == username)
        with self.engine.connect() as conn:
            return [key_from_row(r) for r in conn.execute(query)]

    def revoke(self, key_id: str) -> ApiKey:
        with write(self.engine) as conn, conn.begin():
            row = conn.execute(select(api_key).where(api_key.c.key_id == key_id)).first()
            if row is None or row.revoked_at is not None:
                raise NotFound(f"API 密钥 {key_id} 不存在或已撤销")
            conn.execute(update(api_key).where(api_key.c.key_id == key_id).values(revoked_at=utc_now()))
        return key_from_row(row)

    def authenticate(self, secret: str) -> ApiKey:
        """The active key ``secret`` belongs to; AuthenticationFailed otherwise."""
        secret = secret.strip()
        key_id = secret[len(PREFIX) : len(PREFIX) + 8] if secret.startswith(PREFIX) else ""
        with self.engine.connect() as conn:
            row = conn.execute(select(api_key).where(api_key.c.key_id == key_id)).first() if key_id else None
        if row is None or not hmac.compare_digest(row.key_hash, digest(secret)):
            raise AuthenticationFailed("API 密钥无效", code="auth.api_key_invalid")
        return check_key(key_from_row(row))  # its use is written by anjian.auth.key_use, at most once a minute
