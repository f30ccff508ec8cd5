"""POST /api/v1/auth/token: password for a bearer token (logins are audited)."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, jsonify, request

from ..errors import AuthenticationFailed, FieldError, LoginLocked, RecordValidationError
from ._blueprint import api, tokens

__all__ = ["token"]


@api.post("/auth/token")
def token() -> Any:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("username"), str) or not isinstance(body.get("password"), str):
        raise RecordValidationError("auth", [FieldError("/username", '需要 JSON {"username", "password"}', "required")])
    username = body["username"][:150]
    user = current_app.appbuilder.sm.auth_user_db(username, body["password"])  # type: ignore[attr-defined]
    if user is None:  # the security manager has audited the failure (and any lock)
        locked = getattr(g, "anjian_login_locked", 0)
        if locked:
            raise LoginLocked(locked)
        raise AuthenticationFailed("用户名或密码错误")
    return jsonify(tokens().issue(user.username))
