"""The blueprint, the caller's identity, and JSON error rendering."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from flask import Blueprint, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from ..audit import Actor
from ..auth import TokenService
from ..auth.callers import Caller, bearer_caller, key_caller
from ..auth.key_use import KeyUse
from ..error_messages import headline as error_headline
from ..errors import (
    AnjianError,
    AuthenticationFailed,
    LoginLocked,
    MetadataError,
    MetadataErrors,
    PermissionDenied,
    RecordValidationError,
    RequestRefused,
    SchemaChangeRefused,
    WorkflowRefused,
)
from ..messages import message, use_language
from ..runtime import Platform
from . import _messages  # noqa: F401  (registers the API's sentences)
from ._limits import check_request_limits, install_id_converter

__all__ = [
    "adopt",
    "api",
    "bearer_actor",
    "caller_actor",
    "created_record",
    "current_actor",
    "error_body",
    "error_response",
    "http_error_response",
    "json_response",
    "platform",
    "request_language",
    "tokens",
]

log = logging.getLogger(__name__)
API_PREFIX = "/api/"
api = Blueprint("anjian_api", __name__, url_prefix="/api/v1")
api.record_once(install_id_converter)  # before any route is added: ids beyond 64 bits never match (404)
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


def created_record(entity: str, record: dict[str, Any]) -> Response:
    """201 with the new record and its address (``Location``), as a create and an amendment answer."""
    response = jsonify(record)
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/e/{entity}/{record['id']}"
    return response


def tokens() -> TokenService:
    settings = platform().settings
    return TokenService(settings.signing_key(), settings.token_ttl)


def current_actor() -> Actor:
    actor: Actor = g.anjian_actor
    return actor


def bearer_actor(token: str) -> Actor:
    """The Actor of an access token of the user's current token generation and a live login:
    the token's signature, then one query for the user's state and roles (anjian.auth.callers)."""
    claims = tokens().verify(token)
    caller = bearer_caller(platform().engine, str(claims["sub"]), str(claims.get("sid") or ""))
    if caller is None or not caller.active:
        raise AuthenticationFailed("账号不存在或已停用")
    if int(claims.get("gen", 0)) != caller.generation or caller.revoked:
        raise AuthenticationFailed("访问令牌已失效（密码已修改或令牌已撤销），请重新登录", code="auth.token_revoked")
    return caller_actor(caller)


def key_actor(secret: str) -> Actor:
    """The Actor of an API key: its user, limited to the key's scopes; each use is audited."""
    key, caller = key_caller(platform().engine, secret)
    if caller is None or not caller.active:
        raise AuthenticationFailed("账号不存在或已停用")
    actor = caller_actor(caller, key_id=key.key_id, key_scopes=frozenset(key.scopes))
    key_use().record(key.key_id, actor, request.method, request.path)
    return actor


def caller_actor(caller: Caller, **key: Any) -> Actor:
    """The Actor of a request's caller as read by ``anjian.auth.callers`` (``key``: an API key's id and scopes)."""
    roles = caller.roles
    return Actor(username=caller.username, address=request.remote_addr or "", roles=roles, is_admin="Admin" in roles, **key)


def key_use() -> KeyUse:
    """The app's throttled bookkeeping of API-key use (anjian.auth.key_use)."""
    found: KeyUse | None = current_app.extensions.get("anjian_key_use")
    if found is None:
        found = current_app.extensions["anjian_key_use"] = KeyUse(platform().engine)
    return found


@api.before_request
def _language_and_limits() -> None:
    """Render this request's messages in its language; refuse bodies past the endpoint's limits."""
    context = use_language(request_language())
    context.__enter__()
    g.anjian_language = context
    check_request_limits()


@api.teardown_request
def _reset_language(_exc: BaseException | None) -> None:
    context = g.pop("anjian_language", None)
    if context is not None:
        context.__exit__(None, None, None)


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
        raise AuthenticationFailed(message("api.credentials_required"))


def request_language() -> str:
    """``Accept-Language`` when it names Chinese or English, else the configured language (ANJIAN_LANGUAGE)."""
    best = request.accept_languages.best_match(["zh", "zh-CN", "en"]) if request else None
    if best:
        return "en" if best.startswith("en") else "zh_CN"
    return platform().settings.language


_encoder = msgspec.json.Encoder(decimal_format="number")


def json_response(body: Any) -> Response:
    """A large JSON answer (a report's thousand rows, a trend's arrays) encoded by msgspec: about
    ten times faster than the json module; UTF-8 text unescaped, as ``jsonify`` answers here."""
    return Response(_encoder.encode(body), mimetype="application/json")


def error_body(exc: AnjianError) -> dict[str, Any]:
    """The one error contract: ``{"code", "message", "errors": [{"pointer", "message", "code"}]}`` plus context."""
    details = exc.details()
    if isinstance(exc, RecordValidationError | MetadataErrors):
        headline = error_headline(exc.code, count=len(details))
    else:
        headline = str(exc) or error_headline(exc.code)
    body: dict[str, Any] = {"code": exc.code, "message": headline, "errors": details}
    if isinstance(exc, MetadataError):
        body["file"] = exc.path
    elif isinstance(exc, MetadataErrors):
        body["file"] = exc.errors[0].path if exc.errors else ""
    elif isinstance(exc, SchemaChangeRefused):
        body["plan"] = exc.plan.as_dict()
        body["plan_text"] = exc.plan.render()
    elif isinstance(exc, PermissionDenied):
        body.update(subject=exc.subject, action=exc.action, object=exc.object)
    elif isinstance(exc, WorkflowRefused):
        body.update(record_id=exc.record_id, state=exc.state, action=exc.action)
    return body


def error_response(exc: AnjianError) -> Response:
    """``exc`` as a JSON response with its status and the headers its class calls for."""
    if isinstance(exc, PermissionDenied) and exc.subject is None:
        actor = g.get("anjian_actor")
        exc.subject = actor.username if actor is not None else None
    response = jsonify({"error": error_body(exc)})
    response.status_code = exc.http_status
    if exc.http_status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="anjian"'
    if isinstance(exc, LoginLocked):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def http_error_response(exc: HTTPException) -> Response:
    """A werkzeug/Flask error (unknown route, wrong method, body too large) in the error contract."""
    status = exc.code or 500
    with use_language(request_language()):
        if isinstance(exc, RequestEntityTooLarge):
            refused = RequestRefused(413, "request.too_large", message("api.too_large", limit=request.max_content_length))
            response = error_response(refused)
        else:
            code = f"http.{status}"
            text = error_headline(code)
            response = jsonify(
                {"error": {"code": code, "message": text, "errors": [{"pointer": "", "message": text, "code": code}]}}
            )
            response.status_code = status
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


@api.errorhandler(AnjianError)
def _anjian_error(exc: AnjianError) -> Any:
    with use_language(request_language()):
        return error_response(exc)


@api.app_errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Any:
    if not request.path.startswith(API_PREFIX):
        return exc  # screens keep their own pages
    return http_error_response(exc)


@api.errorhandler(Exception)
def _unexpected(exc: Exception) -> Any:
    if isinstance(exc, HTTPException):
        return http_error_response(exc)
    log.exception("unexpected error in %s %s", request.method, request.path)
    with use_language(request_language()):
        text = error_headline("internal")
    response = jsonify(
        {"error": {"code": "internal", "message": text, "errors": [{"pointer": "", "message": text, "code": "internal"}]}}
    )
    response.status_code = 500
    return response


def adopt(blueprint: Blueprint) -> Blueprint:
    """Give a plugin's API blueprint the API's contract: language, request limits, bearer tokens
    and API keys (``current_actor()``), and JSON errors. Idempotent: a blueprint is adopted once,
    however many applications register it."""
    if getattr(blueprint, "_anjian_adopted", False):
        return blueprint
    blueprint.before_request(_language_and_limits)
    blueprint.teardown_request(_reset_language)
    blueprint.before_request(_authenticate)
    blueprint.register_error_handler(AnjianError, _anjian_error)
    blueprint.register_error_handler(Exception, _unexpected)
    blueprint._anjian_adopted = True  # type: ignore[attr-defined]
    return blueprint
