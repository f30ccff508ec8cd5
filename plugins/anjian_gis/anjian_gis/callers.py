"""Who is asking: a signed-in user, a machine with an API key or bearer token, or nobody (anonymous).

The OGC services live outside ``/api/`` (clients expect ``/ogc/``) and must also answer anonymous
callers, so they authenticate here with the API's own functions instead of its blueprint guard.
"""

from __future__ import annotations

import threading
import time

from flask import request
from flask_login import current_user

from anjian.api._blueprint import bearer_actor, key_actor
from anjian.audit import Actor
from anjian.errors import RequestRefused
from anjian.ui.base import actor as session_actor

__all__ = ["AnonymousBudget", "caller"]


class AnonymousBudget:
    """Anonymous requests per client address and clock minute (this process): the public OGC endpoints' rate limit."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def spend(self, address: str, per_minute: int, now: float | None = None) -> bool:
        """Count one request; False when the address already used its minute's budget."""
        minute = int((time.monotonic() if now is None else now) // 60)
        with self._lock:
            if len(self._counts) > 20_000:  # forget past minutes rather than grow without bound
                self._counts = {k: v for k, v in self._counts.items() if k[1] == minute}
            used = self._counts.get((address, minute), 0)
            if used >= per_minute:
                return False
            self._counts[(address, minute)] = used + 1
            return True


ANONYMOUS = AnonymousBudget()


def _per_minute() -> int:
    from anjian.api import platform

    from .settings import GisSettings

    settings = platform().host.settings.get("gis")
    return int((settings if settings is not None else GisSettings()).anonymous_per_minute)


def caller() -> Actor | None:
    """The Actor behind this request, or None for an anonymous one; AuthenticationFailed for bad credentials."""
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() == "apikey" and credential.strip():
        return key_actor(credential.strip())
    if request.headers.get("X-API-Key", "").strip():
        return key_actor(request.headers["X-API-Key"].strip())
    if scheme.lower() == "bearer" and credential.strip():
        return bearer_actor(credential.strip())
    if current_user and current_user.is_authenticated:
        return session_actor()
    if not ANONYMOUS.spend(request.remote_addr or "", _per_minute()):
        raise RequestRefused(429, "gis.rate_limited", "匿名访问过于频繁，请一分钟后再试；机器客户端请使用 API 密钥")
    return None
