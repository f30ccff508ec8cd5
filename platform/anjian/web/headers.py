"""Response headers: the content security policy of screens, caching, HSTS and the fixed headers.

- **CSP.** Every HTML screen gets a policy that runs only scripts from the platform itself and
  inline scripts carrying the request's nonce (Flask-AppBuilder's templates ask ``csp_nonce()``
  for it); no plugins, no framing by other sites, forms post only to the platform. No page is
  exempt: Swagger UI at ``/api/v1/docs`` is started by a static file, not an inline script.
- **No caching of what a user saw.** A response to a signed-in request (a web session or an API
  credential), and every answer of the token endpoints, is ``Cache-Control: no-store``, so a shared
  computer's browser or a proxy keeps no copy. Static assets keep their caching.
- **HSTS** (``Strict-Transport-Security``) when ``ANJIAN_SECURE_COOKIES`` says the platform is
  served over TLS; the same setting marks the session cookies ``Secure``.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request
from flask_login import current_user

from ..config import Settings

__all__ = ["FIXED_HEADERS", "content_security_policy", "csp_nonce", "install"]

FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
}
STATIC_PREFIXES = ("/static/", "/appbuilder/", "/e/static/")
TOKEN_PATHS = ("/api/v1/auth/",)


def csp_nonce() -> str:
    """The nonce of this request's inline scripts (one per request, made when first asked)."""
    nonce: str | None = getattr(g, "anjian_csp_nonce", None)
    if nonce is None:
        nonce = secrets.token_urlsafe(18)
        g.anjian_csp_nonce = nonce
    return nonce


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",  # style attributes of FAB's and our templates
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


def _static() -> bool:
    return request.endpoint is not None and (request.endpoint == "static" or request.endpoint.endswith(".static"))


def _signed_in() -> bool:
    if request.headers.get("Authorization") or request.headers.get("X-API-Key"):
        return True
    try:
        return bool(current_user.is_authenticated)
    except Exception:  # no login manager for this request (e.g. an early error): not signed in
        return False


def _apply(response: Response, settings: Settings) -> Response:
    for key, value in FIXED_HEADERS.items():
        response.headers.setdefault(key, value)
    if settings.secure_cookies and settings.hsts_seconds:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={settings.hsts_seconds}; includeSubDomains")
    if _static() or request.path.startswith(STATIC_PREFIXES):
        return response
    if request.path.startswith(TOKEN_PATHS) or _signed_in():
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    if response.mimetype == "text/html":  # screens, and the one page under /api/ (Swagger UI)
        response.headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    return response


def install(app: Flask, settings: Settings) -> None:
    """Offer ``csp_nonce()`` to templates, set the cookie flags, and add the headers to every response."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    if settings.secure_cookies:
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)

    @app.after_request
    def _headers(response: Response) -> Response:
        return _apply(response, settings)
