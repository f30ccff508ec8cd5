"""Audit entries for logins and login security, each in its own transaction (used by api and web)."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, has_request_context, request

from .. import audit
from ..audit import Actor
from ..store.db import write

__all__ = ["acting_user", "address", "record", "via"]


def address() -> str:
    return (request.remote_addr or "") if has_request_context() else "local"


def via() -> dict[str, Any]:
    if not has_request_context():
        return {"via": "cli"}
    return {"via": "api" if request.path.startswith("/api/") else "form"}


def record(username: str, action: str, detail: dict[str, Any] | None = None) -> None:
    """Append a login-security entry (login, logout, mfa_failed, ...) in its own transaction."""
    platform = current_app.extensions["anjian"]
    with write(platform.engine) as conn, conn.begin():
        audit.append(conn, Actor(username=username or "?", address=address()), action, "", "", detail or {})


def acting_user() -> str:
    """Who is changing something: the signed-in user, the API caller, or the CLI."""
    if has_request_context():
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            return str(current_user.username)
        actor = getattr(g, "anjian_actor", None)
        if actor is not None:
            return str(actor.username)
    return "cli"
