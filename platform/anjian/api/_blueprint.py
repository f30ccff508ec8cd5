"""The blueprint, the caller's identity, and JSON error rendering."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from .. import audit
from ..audit import Actor
from ..auth import TokenService
from ..auth.apikeys import ApiKeys
from ..auth.state import token_state
from ..data.db import write
from ..errors import (
    AnjianError,
    AuthenticationFailed,
    LoginLocked,
    MetadataErrors,
    RecordValidationError,
    SchemaChangeRefused,
)
from ..runtime import Platform

__all__ = ["api", "bearer_actor", "current_actor", "platform", "tokens", "user_actor"]

log = logging.getLogger(__name__)
api = Blueprint("anjian_api", __name__, url_prefix="/api/v1")
# These authenticate on their own (password, refresh token) or are public documentation.
PUBLIC_ENDPOINTS = {
    "anjian_api.token",
    "anjian_api.refresh",
    "anjian_api.logout",
    "anjian_api.change_password",
    "anjian_api.openapi",
    "anjian_api.docs",
}


def platform() -> Platform:
    result: Platform = current_app.extensions["anjian"]
    return result


def tokens() -> TokenService:
    settings = platform().settings
    return TokenService(settings.signing_key(), settings.token_ttl)


def current_actor() -> Actor:
    actor: Actor = g.anjian_actor
    return actor


def user_actor(username: str) -> Actor:
    """The Actor of an active FAB user; AuthenticationFailed if the account is gone or disabled."""
    user = current_app.appbuilder.sm.find_user(username=username)  # type: ignore[attr-defined]
    if user is None or not user.is_active:
        raise AuthenticationFailed("账号不存在或已停用")
    roles = tuple(sorted(r.name for r in user.roles))
    return Actor(username=user.username, address=request.remote_addr or "", roles=roles, is_admin="Admin" in roles)


def bearer_actor(token: str) -> Actor:
    """The Actor of an access token of the user's current token generation and a live login."""
    claims = tokens().verify(token)
    username = str(claims["sub"])
    generation, revoked = token_state(platform().engine, username, str(claims.get("sid") or ""))
    if int(claims.get("gen", 0)) != generation or revoked:
        raise AuthenticationFailed("访问令牌已失效（密码已修改或令牌已撤销），请重新登录", code="auth.token_revoked")
    return user_actor(username)


def key_actor(secret: str) -> Actor:
    """The Actor of an API key: its user, limited to the key's scopes; each use is audited."""
    key = ApiKeys(platform().engine).authenticate(secret)
    actor = replace(user_actor(key.username), key_id=key.key_id, key_scopes=frozenset(key.scopes))
    with write(platform().engine) as conn, conn.begin():
        audit.append(conn, actor, "apikey_used", "", key.key_id, {"method": request.method, "path": request.path[:200]})
    return actor


@api.before_request
def _authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS or request.method == "OPTIONS":
        return
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() == "apikey" and credential.strip():
        g.anjian_actor = key_actor(credential)
    elif not header and request.headers.get("X-API-Key", "").strip():
        g.anjian_actor = key_actor(request.headers["X-API-Key"])
    elif scheme.lower() == "bearer" and credential.strip():
        g.anjian_actor = bearer_actor(credential.strip())
    else:
        raise AuthenticationFailed(
            "需要访问令牌：Authorization: Bearer <token>（POST /api/v1/auth/token 获取），"
            "或 API 密钥：Authorization: ApiKey <key>"
        )


def error_body(exc: AnjianError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": exc.code, "message": str(exc)}
    if isinstance(exc, RecordValidationError):
        body["message"] = "数据校验未通过" if exc.http_status == 422 else "数据冲突"
        body["errors"] = [e.as_dict() for e in exc.errors]
    elif isinstance(exc, MetadataErrors):
        body["message"] = f"元数据有 {len(exc.errors)} 处问题"
        body["errors"] = [e.as_dict() | {"text": e.render()} for e in exc.errors]
    elif isinstance(exc, SchemaChangeRefused):
        body["plan"] = exc.plan.as_dict()
        body["plan_text"] = exc.plan.render()
    return body


@api.errorhandler(AnjianError)
def _anjian_error(exc: AnjianError) -> Any:
    response = jsonify({"error": error_body(exc)})
    response.status_code = exc.http_status
    if exc.http_status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="anjian"'
    if isinstance(exc, LoginLocked):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


@api.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Any:
    response = jsonify({"error": {"code": f"http.{exc.code}", "message": exc.description}})
    response.status_code = exc.code or 500
    return response


@api.errorhandler(Exception)
def _unexpected(exc: Exception) -> Any:
    log.exception("unexpected error in %s %s", request.method, request.path)
    response = jsonify({"error": {"code": "internal", "message": "服务器内部错误，已记录日志"}})
    response.status_code = 500
    return response
