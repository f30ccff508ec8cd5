"""FAB's security manager: audited logins with lockout, password policy, token revocation, MFA state."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import current_app, g, has_request_context
from flask_appbuilder.const import LOGMSG_WAR_SEC_NO_USER
from flask_appbuilder.security.sqla.manager import SecurityManager
from sqlalchemy import func, update
from werkzeug.security import generate_password_hash

from .. import audit
from ..audit import Actor
from ..auth.lockout import Claim, LoginGuard
from ..auth.mfa import MfaStore
from ..auth.passwords import PasswordPolicy
from ..auth.refresh import RefreshTokens
from ..auth.state import bump_generation, token_generation
from ..data.db import write
from .login import AnjianAuthDBView
from .password_views import (
    AnjianResetMyPasswordView,
    AnjianResetPasswordView,
    AnjianUserDBModelView,
    AnjianUserGroupModelView,
)
from .security_audit import acting_user, address, record, via

__all__ = ["OWN_ACCOUNT", "AnjianSecurityManager", "record_login"]


_FAB_NO_USER: str = LOGMSG_WAR_SEC_NO_USER


class _NoFabUserHint(logging.Filter):
    """Drops FAB's "No user yet created, use flask fab command to do it." at a first start:
    `anjian init` (and `make run`) create the administrator themselves, so the hint would only
    send a newcomer to a command they must not use."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != _FAB_NO_USER


logging.getLogger("flask_appbuilder.security.manager").addFilter(_NoFabUserHint())

# FAB permissions every signed-in user holds on their own account: 用户信息 (the page and its two
# buttons, which act on the signed-in user whatever record they name), editing one's name, 修改密码.
OWN_ACCOUNT = frozenset(
    {
        ("UserDBModelView", "can_userinfo"),
        ("UserDBModelView", "resetmypassword"),
        ("UserDBModelView", "userinfoedit"),
        ("UserInfoEditView", "can_this_form_get"),
        ("UserInfoEditView", "can_this_form_post"),
        ("ResetMyPasswordView", "can_this_form_get"),
        ("ResetMyPasswordView", "can_this_form_post"),
    }
)


def record_login(username: str, action: str, detail: dict[str, Any] | None = None) -> None:
    """Append a login/logout entry in its own transaction."""
    record(username, action, detail)


class AnjianSecurityManager(SecurityManager):  # type: ignore[misc]
    """FAB's manager plus audit hooks, lockout, the password policy and second-factor state."""

    authdbview = AnjianAuthDBView
    resetmypasswordview = AnjianResetMyPasswordView
    resetpasswordview = AnjianResetPasswordView
    userdbmodelview = AnjianUserDBModelView
    groupmodelview = AnjianUserGroupModelView
    userstatschartview = None  # FAB's chart loads its script from the internet and stays blank offline

    # ---- services ----------------------------------------------------------------------------

    @property
    def platform(self) -> Any:
        return current_app.extensions["anjian"]

    def password_policy(self) -> PasswordPolicy:
        return PasswordPolicy.from_settings(self.platform.settings)

    def mfa(self) -> MfaStore:
        return MfaStore(self.platform.engine, self.platform.settings.mfa_issuer)

    def refresh_tokens(self) -> RefreshTokens:
        return RefreshTokens(self.platform.engine, self.platform.settings.refresh_token_ttl)

    def end_read(self) -> None:
        """End FAB's session transaction before writing through the engine: on SQLite (WAL) a read
        transaction left open could not write after the engine's write (stale snapshot)."""
        self.session.commit()

    # ---- passwords ---------------------------------------------------------------------------

    def password_problems(self, username: str, password: str) -> list[str]:
        """Every policy rule ``password`` breaks for ``username`` (history includes the current one)."""
        policy = self.password_policy()
        previous = policy.recent_hashes(self.platform.engine, username)
        user = self.find_user(username=username) if username else None
        if user is not None and user.password:
            previous = [user.password, *previous]
        return policy.problems(username, password or "", previous)

    def check_password(self, username: str, password: str) -> None:
        problems = self.password_problems(username, password)
        if problems:
            from ..errors import FieldError, RecordValidationError

            raise RecordValidationError("password", [FieldError("/password", text, "password_policy") for text in problems])

    def password_set(self, user: Any, action: str) -> None:
        """After a password was stored: keep its hash, void the user's tokens, audit."""
        username, password_hash, actor = user.username, user.password, acting_user()
        self.end_read()
        with write(self.platform.engine) as conn, conn.begin():
            self.password_policy().remember(conn, username, password_hash)
            if action != "user_created":
                bump_generation(conn, username)
                RefreshTokens.revoke_all(conn, username)
            audit.append(conn, Actor(username=actor, address=address()), action, "_users", username, via())
        if has_request_context() and actor == username:
            from flask import session

            from .login import GENERATION

            # The user's own change keeps the session it was made in; every other session ends.
            session.pop("anjian_password_expired", None)
            if GENERATION in session:
                session[GENERATION] = token_generation(self.platform.engine, username)

    def revoke_tokens(self, username: str, reason: str) -> None:
        """Void every access and refresh token of the user (disabled, password changed elsewhere)."""
        actor = acting_user()
        self.end_read()
        with write(self.platform.engine) as conn, conn.begin():
            bump_generation(conn, username)
            count = RefreshTokens.revoke_all(conn, username)
            audit.append(
                conn,
                Actor(username=actor, address=address()),
                "tokens_revoked",
                "_users",
                username,
                {"reason": reason, "refresh_tokens": count},
            )

    def add_user(
        self,
        username: str,
        first_name: str,
        last_name: str,
        email: str,
        role: Any = None,
        password: str = "",
        hashed_password: str = "",
        **kwargs: Any,
    ) -> Any:
        self.end_read()
        if password and not hashed_password:
            self.check_password(username, password)
        user = super().add_user(username, first_name, last_name, email, role, password, hashed_password, **kwargs)
        if user:
            self.password_set(user, "user_created")
        return user

    def reset_password(self, userid: Any, password: str) -> None:
        self.end_read()
        user = self.get_user_by_id(userid)
        self.check_password(user.username, password)
        user.password = generate_password_hash(
            password=password,
            method=current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
            salt_length=current_app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16),
        )
        if self.update_user(user) is False:  # FAB logs and swallows the database error
            raise RuntimeError(f"the password of {user.username} could not be stored")
        self.password_set(user, "password_changed" if acting_user() == user.username else "password_reset")

    # ---- second factor -----------------------------------------------------------------------

    def mfa_required(self, user: Any) -> bool:
        platform = self.platform
        granted = [g.role for g in platform.access.grants_of(user.username)]
        mfa_roles = {r.name for m in platform.registry.catalog.modules.values() for r in m.roles if r.mfa}
        return MfaStore.required((r.name for r in user.roles), granted, mfa_roles, platform.settings.mfa_admin)

    def mfa_step(self, user: Any) -> str | None:
        """What the password step must be followed by: 'verify', 'enrol' or None."""
        if self.mfa().enrolled(user.username):
            return "verify"
        return "enrol" if self.mfa_required(user) else None

    def login_guard(self) -> LoginGuard:
        settings = current_app.extensions["anjian"].settings
        return LoginGuard(current_app.extensions["anjian"].engine, settings.lockout_threshold, settings.lockout_seconds)

    def auth_user_db(self, username: str, password: str) -> Any:
        """FAB's password check, behind a claimed lockout try (see anjian.auth.lockout)."""
        guard = self.login_guard()
        name = (username or "")[:150]
        claim = guard.claim(name) if name else Claim()
        if claim.wait:
            record_login(name, "login_locked", {**via(), "retry_after": claim.wait})
            if has_request_context():
                g.anjian_login_locked = claim.wait  # the token endpoint answers 429 with Retry-After
            self.end_read()
            return None
        user = super().auth_user_db(username, password)
        if user is None:
            # FAB calls the failure hook only for known users; record unknown names too.
            if name and self.find_user(username=name) is None and self.find_user(email=name) is None:
                record_login(name, "login_failed", {**via(), "unknown_user": True})
            if claim.lock:
                record_login(name, "login_locked", {**via(), "retry_after": claim.lock})
        elif self.mfa_step(user) is None:
            guard.succeeded(name)
        else:
            guard.release(name, claim)  # with a second factor, the count is cleared by the right code only
        self.end_read()
        return user

    def update_user_auth_stat(self, user: Any, success: bool = True) -> None:
        """FAB's login counters, as one atomic write transaction.

        FAB updates them through its session: on SQLite a read transaction that then writes fails
        with ``database is locked`` when another login wrote in between (parallel failed logins).
        """
        table = self.user_model.__table__
        if success:
            values = {
                "login_count": func.coalesce(table.c.login_count, 0) + 1,
                "fail_login_count": 0,
                "last_login": dt.datetime.now(),  # FAB's own (local) clock
            }
        else:
            values = {"fail_login_count": func.coalesce(table.c.fail_login_count, 0) + 1}
        user_id = user.id
        self.end_read()
        with write(self.platform.engine) as conn, conn.begin():
            conn.execute(update(table).where(table.c.id == user_id).values(**values))
        self.session.expire(user)
        if success:
            self.on_user_login(user)
        else:
            self.on_user_login_failed(user)

    def noop_user_update(self, user: Any) -> None:
        """FAB's timing balance for unknown names writes through its session too; write as above."""
        table = self.user_model.__table__
        user_id = user.id
        self.end_read()
        with write(self.platform.engine) as conn, conn.begin():
            conn.execute(update(table).where(table.c.id == user_id).values(login_count=table.c.login_count))

    def has_access(self, permission_name: str, view_name: str) -> bool:
        if (view_name, permission_name) in OWN_ACCOUNT:
            from flask_login import current_user

            return bool(current_user.is_authenticated)  # one's own information and password, always
        # Generated entries (entities, 系统管理, audit log) are decided by the access policy (casbin).
        if view_name.startswith("anjian:") and has_request_context():
            from ..ui import entry_allowed

            return entry_allowed(view_name, permission_name)
        return bool(super().has_access(permission_name, view_name))

    def on_user_login(self, user: Any) -> None:
        step = self.mfa_step(user)  # the password was right; a second factor may still be due
        record_login(user.username, "login", {**via(), **({"second_factor": step} if step else {})})

    def on_user_login_failed(self, user: Any) -> None:
        record_login(getattr(user, "username", "?"), "login_failed", via())

    def on_user_logout(self, user: Any) -> None:
        record_login(getattr(user, "username", "?"), "logout", via())
