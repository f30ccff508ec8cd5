"""FAB's security manager, with every login, failed login and logout written to the audit log."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, has_request_context, request
from flask_appbuilder.security.sqla.manager import SecurityManager

from .. import audit
from ..audit import Actor
from ..auth.lockout import LoginGuard
from ..data.db import write

__all__ = ["AnjianSecurityManager", "record_login"]


def record_login(username: str, action: str, detail: dict[str, Any] | None = None) -> None:
    """Append a login/logout entry in its own transaction."""
    platform = current_app.extensions["anjian"]
    address = (request.remote_addr or "") if has_request_context() else "local"
    with write(platform.engine) as conn, conn.begin():
        audit.append(conn, Actor(username=username or "?", address=address), action, "", "", detail or {})


def _via() -> dict[str, Any]:
    if not has_request_context():
        return {"via": "cli"}
    return {"via": "api" if request.path.startswith("/api/") else "form"}


class AnjianSecurityManager(SecurityManager):  # type: ignore[misc]
    """Only the audit hooks differ from FAB's own manager."""

    def login_guard(self) -> LoginGuard:
        settings = current_app.extensions["anjian"].settings
        return LoginGuard(current_app.extensions["anjian"].engine, settings.lockout_threshold, settings.lockout_seconds)

    def auth_user_db(self, username: str, password: str) -> Any:
        guard = self.login_guard()
        name = (username or "")[:150]
        wait = guard.locked_for(name)
        if wait:
            record_login(name, "login_locked", {**_via(), "retry_after": wait})
            if has_request_context():
                g.anjian_login_locked = wait  # the token endpoint answers 429 with Retry-After
            return None
        user = super().auth_user_db(username, password)
        if user is None:
            # FAB calls the failure hook only for known users; record unknown names too.
            if name and self.find_user(username=name) is None and self.find_user(email=name) is None:
                record_login(name, "login_failed", {**_via(), "unknown_user": True})
            lock = guard.failed(name) if name else 0
            if lock:
                record_login(name, "login_locked", {**_via(), "retry_after": lock})
        else:
            guard.succeeded(name)
        return user

    def has_access(self, permission_name: str, view_name: str) -> bool:
        # Generated entries (entities, 系统管理, audit log) are decided by the access policy (casbin).
        if view_name.startswith("anjian:") and has_request_context():
            from ..ui import entry_allowed

            return entry_allowed(view_name, permission_name)
        return bool(super().has_access(permission_name, view_name))

    def on_user_login(self, user: Any) -> None:
        record_login(user.username, "login", _via())

    def on_user_login_failed(self, user: Any) -> None:
        record_login(getattr(user, "username", "?"), "login_failed", _via())

    def on_user_logout(self, user: Any) -> None:
        record_login(getattr(user, "username", "?"), "logout", _via())
