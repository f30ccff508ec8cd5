"""Second factor: TOTP (RFC 6238, pyotp) with one-time recovery codes.

A code is accepted once: the time step of the last accepted code is kept, so the same code (or an
older one) cannot be replayed. Ten recovery codes are shown once at enrolment, stored as sha256,
and each works once. Which users *must* use a second factor is decided by ``required``.
"""

from __future__ import annotations

import hmac
import io
import secrets
import time
from collections.abc import Iterable

import pyotp
import segno
from sqlalchemy import Engine, delete, insert, or_, select, update

from ..data.db import write
from ..data.system import recovery_code, user_security
from ..store.clock import utc_now
from .refresh import digest
from .state import security_row, set_security

__all__ = ["RECOVERY_CODES", "MfaStore", "qr_svg"]

RECOVERY_CODES = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _chunk() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(4))


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code (scanned by authenticator apps)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, xmldecl=False, svgns=True, title="TOTP")
    return out.getvalue().decode()


class MfaStore:
    def __init__(self, engine: Engine, issuer: str) -> None:
        self.engine = engine
        self.issuer = issuer

    # ---- state -------------------------------------------------------------------------------

    def enrolled(self, username: str) -> bool:
        with self.engine.connect() as conn:
            row = security_row(conn, username)
        return bool(row is not None and row.mfa_secret and row.mfa_enrolled_at)

    @staticmethod
    def new_secret() -> str:
        return pyotp.random_base32()

    def uri(self, username: str, secret: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=self.issuer)

    @staticmethod
    def code_matches(secret: str, code: str) -> int | None:
        """The time step ``code`` belongs to (now, or one step either side), or None."""
        code = _normalise(code)
        if not (code.isdigit() and len(code) == 6):
            return None
        totp = pyotp.TOTP(secret)
        now = totp.timecode(time.time())
        for step in (now - 1, now, now + 1):
            if hmac.compare_digest(totp.generate_otp(step), code):
                return step
        return None

    def enrol(self, username: str, secret: str, code: str) -> list[str] | None:
        """Confirm enrolment with a first code; the recovery codes (shown once), or None if wrong."""
        step = self.code_matches(secret, code)
        if step is None:
            return None
        codes = [f"{_chunk()}-{_chunk()}" for _ in range(RECOVERY_CODES)]
        with write(self.engine) as conn, conn.begin():
            set_security(conn, username, mfa_secret=secret, mfa_enrolled_at=utc_now(), mfa_last_counter=step)
            conn.execute(delete(recovery_code).where(recovery_code.c.username == username))
            conn.execute(insert(recovery_code), [{"username": username, "code_hash": digest(_normalise(c))} for c in codes])
        return codes

    def verify(self, username: str, code: str) -> str | None:
        """'totp' or 'recovery' when ``code`` is accepted (and now spent); None otherwise."""
        code = (code or "")[:64]
        with write(self.engine) as conn, conn.begin():
            row = security_row(conn, username)
            if row is None or not row.mfa_secret:
                return None
            step = self.code_matches(row.mfa_secret, code)
            if step is not None:
                # Conditional: of two requests with the same code at once, only one moves the counter.
                used = conn.execute(
                    update(user_security)
                    .where(
                        user_security.c.username == username,
                        or_(user_security.c.mfa_last_counter.is_(None), user_security.c.mfa_last_counter < step),
                    )
                    .values(mfa_last_counter=step)
                )
                return "totp" if used.rowcount == 1 else None  # else: replayed
            spent = conn.execute(
                update(recovery_code)
                .where(
                    recovery_code.c.username == username,
                    recovery_code.c.code_hash == digest(_normalise(code)),
                    recovery_code.c.used_at.is_(None),
                )
                .values(used_at=utc_now())
            )
            return "recovery" if spent.rowcount else None

    def recovery_left(self, username: str) -> int:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(recovery_code.c.id).where(recovery_code.c.username == username, recovery_code.c.used_at.is_(None))
            )
            return len(rows.all())

    def reset(self, username: str) -> None:
        """Remove the second factor (an administrator's reset; the user enrols again)."""
        with write(self.engine) as conn, conn.begin():
            set_security(conn, username, mfa_secret=None, mfa_enrolled_at=None, mfa_last_counter=None)
            conn.execute(delete(recovery_code).where(recovery_code.c.username == username))

    # ---- who must use it ---------------------------------------------------------------------

    @staticmethod
    def required(fab_roles: Iterable[str], granted_roles: Iterable[str], mfa_roles: Iterable[str], admin_needs: bool) -> bool:
        """Whether the user must sign in with a second factor: Admin (by setting) or a role declaring ``mfa``."""
        if admin_needs and "Admin" in set(fab_roles):
            return True
        return bool(set(granted_roles) & set(mfa_roles))
