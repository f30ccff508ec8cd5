"""create_app: the Flask application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, redirect, request
from flask_appbuilder import AppBuilder
from flask_appbuilder.security.manager import AUTH_DB
from flask_wtf.csrf import CSRFProtect
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy.orm import scoped_session, sessionmaker
from werkzeug.exceptions import NotFound

from ..config import Settings
from ..runtime import Platform
from ..ui import CatalogMenu, admin, ui
from ..ui.base import http_error_page
from ..ui.reports import reports_ui
from ..ui.studio import studio_ui
from . import headers
from .faces import install_faces
from .home import HomeView
from .login import enforce_session, mfa
from .plugins import register_plugin_blueprints
from .security import AnjianSecurityManager

__all__ = ["create_app"]

FAB_TOKEN_API = "/api/v1/security/"


class _ProcessBytecodeCache(BytecodeCache):
    """Compiled templates kept for the life of the process. One server builds one app, but a test
    session builds hundreds, and compiling the same templates again for each took a tenth of its time."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # a changed source has another checksum: recompiled

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CODE = _ProcessBytecodeCache()


def create_app(
    settings: Settings | None = None, *, platform: Platform | None = None, config: dict[str, Any] | None = None
) -> Flask:
    """Build the web application around a Platform (one per process)."""
    from ..api import api
    from ..api._blueprint import http_error_response  # errors under /api/ keep the API's contract

    platform = platform or Platform(settings)
    settings = platform.settings
    app = Flask("anjian", template_folder=str(Path(__file__).parent.parent / "templates"))
    app.jinja_options = {**app.jinja_options, "bytecode_cache": _TEMPLATE_CODE}
    app.config.update(
        SECRET_KEY=platform.settings.signing_key(),
        APP_NAME="安监 · 安全生产综合信息平台",
        AUTH_TYPE=AUTH_DB,
        BABEL_DEFAULT_LOCALE=settings.language.split("_")[0],
        LANGUAGES={"zh": {"flag": "cn", "name": "中文"}, "en": {"flag": "gb", "name": "English"}},
        FAB_UPDATE_PERMS=False,
        FAB_ADD_SECURITY_API=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=int(settings.session_max_hours * 3600),
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        WTF_CSRF_TIME_LIMIT=None,
        JSON_AS_ASCII=False,
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent.parent / "translations"),  # over FAB's own zh
    )
    app.config.update(config or {})
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep declared field order
    app.extensions["anjian"] = platform
    headers.install(app, settings)  # CSP with nonces, no-store, HSTS and secure cookies by setting
    session = scoped_session(sessionmaker(bind=platform.engine))
    csrf = CSRFProtect(app)
    with app.app_context():
        AppBuilder(
            app, session, menu=CatalogMenu(), indexview=HomeView, security_manager_class=AnjianSecurityManager, update_perms=False
        )
    # FAB's start-up queries leave this thread's session in a read transaction; on SQLite that
    # snapshot would pin every checkpoint for the life of the server and grow the -wal file.
    session.remove()
    app.register_blueprint(api)
    app.register_blueprint(ui)
    app.register_blueprint(admin)
    app.register_blueprint(mfa)
    app.register_blueprint(reports_ui)
    register_plugin_blueprints(app, platform, csrf)
    app.register_blueprint(studio_ui)
    install_faces(app, csrf)  # the portal's faces (portals/), installed like modules
    app.before_request(enforce_session)
    csrf.exempt(api)

    @app.before_request
    def _no_fab_token_api() -> Any:
        # FAB always registers its JWT login API; it would issue tokens past the second factor.
        # The platform's own /api/v1/auth/token is the one way to a token.
        if request.path.startswith(FAB_TOKEN_API):
            return http_error_response(NotFound())
        return None

    @app.teardown_appcontext
    def _remove_session(_exc: BaseException | None) -> None:
        session.remove()

    def _http_error(exc: Any) -> Any:
        """The API's JSON contract under /api/, the styled Chinese page everywhere else."""
        if request.path.startswith("/api/"):
            return http_error_response(exc)
        return http_error_page(exc)

    for status in (403, 404, 405):
        app.register_error_handler(status, _http_error)

    @app.route("/api")
    def _api_home() -> Any:
        return redirect("/api/v1/docs")

    return app
