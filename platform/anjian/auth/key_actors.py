"""API-key callers resolved once, then re-checked by one query per request (``KeyActors``).

Resolving a key's user through Flask-AppBuilder's ORM (the user, then its roles) cost about 3 ms per
request, paid by every gateway batch. The roles are kept here for ``TTL``; what must take effect at
once is read fresh on every request in the single query that already checks the key: the key's
revocation and expiry, the user's ``active`` flag and its token generation (bumped whenever a user is
disabled or its password changes, ``anjian.auth.state``). A changed generation, an inactive user or
an expired entry drops the cached roles, so a deactivated user's keys stop working on the next request
in every process, and role changes are seen within ``TTL``.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Boolean, Column, Engine, MetaData, String, Table, select

from ..data.system import api_key, user_security
from ..errors import AuthenticationFailed
from .apikeys import PREFIX, ApiKey, check_key, key_from_row
from .refresh import digest

__all__ = ["TTL", "KeyActors", "KeyCheck"]

TTL = 30.0  # seconds a key's resolved roles are reused (revocation and deactivation act at once)

# Flask-AppBuilder's user table, read as a plain table so this layer never imports the web layer.
_users = Table("ab_user", MetaData(), Column("username", String), Column("active", Boolean))


@dataclass(frozen=True)
class KeyCheck:
    """What one request learns about its key: the key, its user's token generation and activity."""

    key: ApiKey
    generation: int
    user_active: bool


@dataclass(frozen=True)
class _Entry:
    roles: tuple[str, ...]
    generation: int
    stored: float


class KeyActors:
    """The roles of each key's user, reused while the per-request check says nothing changed."""

    def __init__(self, engine: Engine, ttl: float = TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.ttl = ttl
        self.clock = clock
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def check(self, secret: str) -> KeyCheck:
        """The active key ``secret`` belongs to, with its user's state: one query."""
        secret = secret.strip()
        key_id = secret[len(PREFIX) : len(PREFIX) + 8] if secret.startswith(PREFIX) else ""
        row = None
        if key_id:
            generation = select(user_security.c.token_generation).where(user_security.c.username == api_key.c.username)
            active = select(_users.c.active).where(_users.c.username == api_key.c.username)
            query = select(
                api_key,
                generation.scalar_subquery().label("_generation"),
                active.scalar_subquery().label("_active"),
            ).where(api_key.c.key_id == key_id)
            with self.engine.connect() as conn:
                row = conn.execute(query).first()
        if row is None or not hmac.compare_digest(row.key_hash, digest(secret)):
            raise AuthenticationFailed("API 密钥无效", code="auth.api_key_invalid")
        key = check_key(key_from_row(row))
        return KeyCheck(key, int(row._generation or 0), bool(row._active))

    def roles(self, check: KeyCheck) -> tuple[str, ...] | None:
        """The cached roles of the key's user, or None when they must be resolved again."""
        with self._lock:
            entry = self._entries.get(check.key.key_id)
            if entry is None:
                return None
            if not check.user_active or entry.generation != check.generation or self.clock() - entry.stored > self.ttl:
                del self._entries[check.key.key_id]
                return None
            return entry.roles

    def remember(self, check: KeyCheck, roles: tuple[str, ...]) -> None:
        with self._lock:
            self._entries[check.key.key_id] = _Entry(roles, check.generation, self.clock())

    def forget(self, key_id: str | None = None) -> None:
        """Drop one key's entry (or all): for callers that changed a user's roles in this process."""
        with self._lock:
            if key_id is None:
                self._entries.clear()
            else:
                self._entries.pop(key_id, None)

