"""The login form's second step (TOTP), enrolment, and web-session timeouts.

After a correct password the session is *pending*: nothing counts as logged in until the second
factor is given (or enrolled, for a user who must have one). A web session ends after
``ANJIAN_SESSION_IDLE_MINUTES`` without a request and ``ANJIAN_SESSION_MAX_HOURS`` after login.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_appbuilder._compat import as_unicode
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.views import AuthDBView
from flask_appbuilder.utils.base import get_safe_redirect
from flask_appbuilder.views import expose
from flask_login import current_user, login_user, logout_user

from ..auth.lockout import Claim
from ..auth.mfa import qr_svg
from ..auth.state import token_generation
from .faces import face_url
from .security_audit import record

__all__ = ["AnjianAuthDBView", "enforce_session", "landing_page", "mfa", "start_session"]

PENDING = "anjian_mfa_pending"
GENERATION = "anjian_token_generation"
PENDING_SECONDS = 300
SECRET = "anjian_mfa_secret"
EXPIRED_MESSAGE = "会话已超时，请重新登录"

mfa = Blueprint("anjian_mfa", __name__, url_prefix="/mfa")


def _sm() -> Any:
    return current_app.appbuilder.sm  # type: ignore[attr-defined]


def start_session(user: Any) -> None:
    """The session counts as logged in from now on."""
    session.pop(PENDING, None)
    login_user(user, remember=False)
    now = time.time()
    session["anjian_login_at"] = now
    session["anjian_seen_at"] = now
    session[GENERATION] = token_generation(current_app.extensions["anjian"].engine, user.username)
    if _sm().password_policy().expired(current_app.extensions["anjian"].engine, user.username):
        session["anjian_password_expired"] = True


def after_password(user: Any, next_url: str) -> Any:
    """Finish the password step: log in, or ask for the second factor (or its enrolment) first."""
    step = _sm().mfa_step(user)
    if step is None:
        start_session(user)
        return redirect(next_url)
    session[PENDING] = {"uid": user.id, "next": next_url, "at": time.time(), "step": step}
    return redirect(url_for("anjian_mfa.verify" if step == "verify" else "anjian_mfa.enrol"))


def landing_page(username: str) -> str:
    """Where signing in without a ``next`` page leads: the public face for the public (公众),
    the office face (业务办公平台) for everyone else."""
    account = current_app.extensions["anjian"].access.account(username)
    if account is not None and account.user_type == "public":
        return "/"
    return face_url("office")


class AnjianAuthDBView(AuthDBView):  # type: ignore[misc]
    @expose("/login/", methods=["GET", "POST"])
    def login(self) -> Any:
        if g.user is not None and g.user.is_authenticated:
            return redirect(self._get_safe_next_url())
        form = LoginForm_db()
        if form.validate_on_submit():
            asked = request.args.get("next", "")
            next_url = get_safe_redirect(asked)
            user = self.appbuilder.sm.auth_user_db(form.username.data, form.password.data)
            if not user:
                flash(as_unicode(self.invalid_login_message), "warning")
                return redirect(self.appbuilder.get_url_for_login_with(next_url))
            return after_password(user, next_url if asked else landing_page(user.username))
        return self.render_template(self.login_template, title=self.title, form=form, appbuilder=self.appbuilder)

    @expose("/logout/", methods=["POST"])
    def logout(self) -> Any:
        """POST only, with the form's CSRF token: a cross-site link or image cannot log a user out."""
        return super().logout()


def _pending_user() -> Any:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    return _sm().get_user_by_id(pending["uid"])


def _back_to_login(message: str) -> Any:
    session.pop(PENDING, None)
    session.pop(SECRET, None)
    flash(message, "warning")
    return redirect(_sm().appbuilder.get_url_for_login)


def _failed_code(user: Any, step: str, claim: Claim) -> Any:
    """A wrong code counts towards the lockout like a wrong password; None while tries remain."""
    record(user.username, "mfa_failed", {"via": "form", "step": step})
    lock = claim.lock
    if lock:
        record(user.username, "login_locked", {"via": "form", "retry_after": lock})
        return _back_to_login(f"验证码错误次数过多，账号已临时锁定，请 {lock} 秒后再试")
    return None


def _page(template: str, **context: Any) -> Any:
    appbuilder = current_app.appbuilder  # type: ignore[attr-defined]
    return render_template(template, appbuilder=appbuilder, base_template=appbuilder.base_template, **context)


@mfa.route("/verify", methods=["GET", "POST"])
def verify() -> Any:
    user = _pending_user()
    if user is None:
        return _back_to_login("请先输入用户名和密码")
    error = ""
    if request.method == "POST":
        guard = _sm().login_guard()
        claim = guard.claim(user.username)  # before the code is checked, as for passwords
        if claim.wait:
            return _back_to_login(f"账号已临时锁定，请 {claim.wait} 秒后再试")
        kind = _sm().mfa().verify(user.username, request.form.get("code", ""))
        if kind is None:
            locked = _failed_code(user, "verify", claim)
            if locked is not None:
                return locked
            error = "验证码错误或已使用过，请输入验证器中最新的 6 位验证码或一个恢复码"
        else:
            guard.succeeded(user.username)
            detail = {"via": "form"}
            if kind == "recovery":
                detail["recovery_left"] = _sm().mfa().recovery_left(user.username)
            record(user.username, "recovery_used" if kind == "recovery" else "mfa_verified", detail)
            next_url = session[PENDING]["next"]
            start_session(user)
            return redirect(next_url)
    return _page("anjian/mfa_verify.html", error=error, title="二次验证")


@mfa.route("/enrol", methods=["GET", "POST"])
def enrol() -> Any:
    pending = _pending_user()
    user = pending or (current_user if current_user.is_authenticated else None)
    if user is None:
        return _back_to_login("请先输入用户名和密码")
    store = _sm().mfa()
    if pending is not None and session[PENDING].get("step") != "enrol":
        # A password alone must never replace an enrolled second factor: verify, or ask an administrator.
        return _back_to_login("请输入验证器中的验证码完成登录")
    if pending is None and store.enrolled(user.username):
        return _back_to_login("已启用二次验证；更换手机请联系管理员重置（anjian user reset-mfa）")
    secret = session.get(SECRET) or store.new_secret()
    session[SECRET] = secret
    error = ""
    if request.method == "POST":
        guard = _sm().login_guard()
        claim = guard.claim(user.username)
        if claim.wait:
            return _back_to_login(f"账号已临时锁定，请 {claim.wait} 秒后再试")
        codes = store.enrol(user.username, secret, request.form.get("code", ""))
        if codes is None:
            locked = _failed_code(user, "enrol", claim)
            if locked is not None:
                return locked
            error = "验证码不正确，请确认手机时间准确后输入验证器显示的 6 位验证码"
        else:
            session.pop(SECRET, None)
            record(user.username, "mfa_enrolled", {"via": "form"})
            next_url = session[PENDING]["next"] if pending is not None else url_for("anjian_ui.home")
            guard.succeeded(user.username)
            if pending is not None:
                start_session(user)
            return _page("anjian/mfa_codes.html", codes=codes, next_url=next_url, title="恢复码")
    uri = store.uri(user.username, secret)
    return _page("anjian/mfa_enrol.html", secret=secret, uri=uri, qr=qr_svg(uri), error=error, title="启用二次验证")


def enforce_session() -> Any:
    """before_request: end idle or too-old web sessions; send expired passwords to the change screen."""
    if request.path.startswith(("/api/", "/static/")) or request.endpoint == "static":
        return None
    if not current_user.is_authenticated:
        return None
    settings = current_app.extensions["anjian"].settings
    now = time.time()
    login_at = session.get("anjian_login_at")
    seen_at = session.get("anjian_seen_at")
    if (
        not isinstance(login_at, (int, float))
        or not isinstance(seen_at, (int, float))
        or now - login_at > settings.session_max_hours * 3600
        or now - seen_at > settings.session_idle_minutes * 60
        # A password change or reset, or disabling the account, ends every session begun before it.
        or session.get(GENERATION) != token_generation(current_app.extensions["anjian"].engine, current_user.username)
    ):
        username = current_user.username
        logout_user()
        session.clear()
        record(username, "session_expired", {"via": "form"})
        flash(EXPIRED_MESSAGE, "warning")
        return redirect(_sm().appbuilder.get_url_for_login_with(request.full_path if request.method == "GET" else ""))
    session["anjian_seen_at"] = now
    change = _sm().resetmypasswordview.__name__
    if session.get("anjian_password_expired") and request.endpoint not in (
        f"{change}.this_form_get",
        f"{change}.this_form_post",
        "AnjianAuthDBView.logout",
    ):
        flash("密码已超过有效期，请先修改密码", "warning")
        return redirect(url_for(f"{change}.this_form_get"))
    return None
