"""Token endpoints: password (+ second factor) for tokens, refresh with rotation, logout, password change.

POST /auth/token returns an access token and a refresh token. POST /auth/refresh swaps a refresh
token for a new pair (the old one stops working; presenting it again revokes the whole family).
POST /auth/logout revokes a refresh token. POST /auth/password changes the caller's password and
voids every token issued before. Every step is audited.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, jsonify, request

from ..auth.callers import Caller
from ..auth.refresh import RefreshError
from ..auth.security_audit import record
from ..auth.state import token_generation
from ..errors import AuthenticationFailed, FieldError, LoginLocked, RecordValidationError
from ._blueprint import api, bearer_actor, caller_actor, platform, tokens

__all__ = ["change_password", "logout", "refresh", "token"]


def _sm() -> Any:
    return current_app.appbuilder.sm  # type: ignore[attr-defined]


def _body(*required: str) -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        body = {}
    missing = [
        FieldError(f"/{name}", "必填，且应为字符串", "required") for name in required if not isinstance(body.get(name), str)
    ]
    if missing:
        raise RecordValidationError("auth", missing)
    return body


def _pair(username: str) -> dict[str, Any]:
    login = _sm().refresh_tokens().start(username)
    issued = tokens().issue(username, token_generation(platform().engine, username), login.family)
    issued["refresh_token"] = login.token
    issued["refresh_expires_in"] = platform().settings.refresh_token_ttl
    return issued


def _password_login(username: str, password: str) -> Any:
    """The user for a correct password (lockout and audit by the security manager)."""
    user = _sm().auth_user_db(username, password)
    if user is None:
        locked = getattr(g, "anjian_login_locked", 0)
        if locked:
            raise LoginLocked(locked)
        raise AuthenticationFailed("用户名或密码错误")
    return user


def _second_factor(user: Any, otp: Any) -> None:
    """Require and check the one-time code of a user who has (or must have) a second factor."""
    step = _sm().mfa_step(user)
    if step is None:
        return
    if step == "enrol":
        raise AuthenticationFailed("此账号必须启用二次验证：请先在网页登录并绑定身份验证器", code="auth.mfa_enrolment_required")
    if not isinstance(otp, str) or not otp.strip():
        raise AuthenticationFailed("此账号需要二次验证：请在 otp 字段提供验证码或恢复码", code="auth.mfa_required")
    guard = _sm().login_guard()
    claim = guard.claim(user.username)  # before the code is checked, as for passwords
    if claim.wait:
        raise LoginLocked(claim.wait)
    kind = _sm().mfa().verify(user.username, otp)
    if kind is None:
        record(user.username, "mfa_failed", {"via": "api"})
        if claim.lock:
            record(user.username, "login_locked", {"via": "api", "retry_after": claim.lock})
            raise LoginLocked(claim.lock)
        raise AuthenticationFailed("验证码错误或已使用过", code="auth.mfa_failed")
    guard.succeeded(user.username)
    if kind == "recovery":
        record(user.username, "recovery_used", {"via": "api", "recovery_left": _sm().mfa().recovery_left(user.username)})
    else:
        record(user.username, "mfa_verified", {"via": "api"})


@api.post("/auth/token")
def token() -> Any:
    body = _body("username", "password")
    user = _password_login(body["username"][:150], body["password"])
    _second_factor(user, body.get("otp"))
    if _sm().password_policy().expired(platform().engine, user.username):
        raise AuthenticationFailed("密码已超过有效期，请通过 POST /api/v1/auth/password 修改密码", code="auth.password_expired")
    return jsonify(_pair(user.username))


@api.post("/auth/refresh")
def refresh() -> Any:
    body = _body("refresh_token")
    try:
        rotation = _sm().refresh_tokens().rotate(body["refresh_token"][:200])
    except RefreshError as exc:
        if exc.reused:
            record(exc.username, "refresh_reused", {"via": "api", "family": exc.family})
        raise
    user = _sm().find_user(username=rotation.username)
    if user is None or not user.is_active:
        _sm().revoke_tokens(rotation.username, "disabled")
        raise AuthenticationFailed("账号不存在或已停用")
    issued = tokens().issue(rotation.username, token_generation(platform().engine, rotation.username), rotation.family)
    issued["refresh_token"] = rotation.token
    issued["refresh_expires_in"] = platform().settings.refresh_token_ttl
    return jsonify(issued)


@api.post("/auth/logout")
def logout() -> Any:
    body = _body("refresh_token")
    username = _sm().refresh_tokens().revoke(body["refresh_token"][:200])
    if username is None:
        raise AuthenticationFailed("刷新令牌无效", code="auth.refresh_invalid")
    record(username, "logout", {"via": "api"})
    return jsonify({"message": "已退出登录"})


@api.post("/auth/password")
def change_password() -> Any:
    """Change one's own password: the current password is always needed (a bearer token, or the user name)."""
    body = _body("current_password", "password")
    header = request.headers.get("Authorization", "")
    signed_in = header.lower().startswith("bearer ")
    if signed_in:
        username = bearer_actor(header[7:].strip()).username
    elif isinstance(body.get("username"), str):
        username = body["username"][:150]
    else:
        raise RecordValidationError("auth", [FieldError("/username", "未登录时需提供用户名", "required")])
    user = _password_login(username, body["current_password"])
    if not signed_in:  # a password alone (any other header included) still needs the second factor
        _second_factor(user, body.get("otp"))
    caller = Caller(user.username, bool(user.is_active), tuple(sorted(r.name for r in user.roles)))
    g.anjian_actor = caller_actor(caller)  # the change is by the user themself
    _sm().reset_password(user.id, body["password"])
    return jsonify({"message": "密码已修改，此前签发的令牌均已失效", **_pair(user.username)})
