"""Password policy (等保: 口令复杂度): length, character classes, no user name, history, age.

``PasswordPolicy.problems`` says, in Chinese, everything wrong with a candidate; ``check`` raises
them as field errors at ``/password``. History and age live in the database (hashes only).
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from collections.abc import Sequence

from sqlalchemy import Connection, Engine, delete, insert, select
from werkzeug.security import check_password_hash

from ..data.system import password_history, user_security
from ..errors import FieldError, RecordValidationError
from ..store.clock import utc_now

__all__ = ["PasswordPolicy", "generate_password"]

CLASSES = (
    ("大写字母", str.isupper),
    ("小写字母", str.islower),
    ("数字", str.isdigit),
    ("符号", lambda c: not c.isalnum() and not c.isspace()),
)


class PasswordPolicy:
    """The rules a new password must meet; built from the ``ANJIAN_PASSWORD_*`` settings."""

    def __init__(self, min_length: int = 10, min_classes: int = 3, history: int = 5, max_age_days: int = 0) -> None:
        self.min_length = min_length
        self.min_classes = min_classes
        self.history = history
        self.max_age_days = max_age_days

    @classmethod
    def from_settings(cls, settings: object) -> PasswordPolicy:
        return cls(
            getattr(settings, "password_min_length", 10),
            getattr(settings, "password_min_classes", 3),
            getattr(settings, "password_history", 5),
            getattr(settings, "password_max_age_days", 0),
        )

    def problems(self, username: str, password: str, previous_hashes: Sequence[str] = ()) -> list[str]:
        """Every rule ``password`` breaks (empty: acceptable)."""
        found = []
        if len(password) < self.min_length:
            found.append(f"密码至少需要 {self.min_length} 个字符")
        present = [name for name, test in CLASSES if any(test(c) for c in password)]
        if len(present) < self.min_classes:
            found.append(f"密码需包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类（现有 {len(present)} 类）")
        name = (username or "").strip().lower()
        if len(name) >= 3 and name in password.lower():
            found.append("密码不能包含用户名")
        if any(check_password_hash(h, password) for h in previous_hashes[: max(self.history, 0) + 1]):
            found.append(f"新密码不能与最近 {self.history} 次使用过的密码相同")
        return found

    def check(self, username: str, password: str, previous_hashes: Sequence[str] = ()) -> None:
        """RecordValidationError (422, pointer /password) listing every rule broken."""
        found = self.problems(username, password, previous_hashes)
        if found:
            raise RecordValidationError("password", [FieldError("/password", text, "password_policy") for text in found])

    # ---- history and age in the database -------------------------------------------------

    def recent_hashes(self, engine: Engine, username: str) -> list[str]:
        if self.history <= 0:
            return []
        with engine.connect() as conn:
            rows = conn.execute(
                select(password_history.c.password_hash)
                .where(password_history.c.username == username)
                .order_by(password_history.c.id.desc())
                .limit(self.history)
            )
            return [str(r) for r in rows.scalars()]

    def remember(self, conn: Connection, username: str, password_hash: str) -> None:
        """Keep the new hash and drop those beyond the history length (inside the caller's transaction)."""
        now = utc_now()
        conn.execute(insert(password_history).values(username=username, password_hash=password_hash, created_at=now))
        keep = [
            r
            for r in conn.execute(
                select(password_history.c.id)
                .where(password_history.c.username == username)
                .order_by(password_history.c.id.desc())
                .limit(max(self.history, 1))
            ).scalars()
        ]
        conn.execute(delete(password_history).where(password_history.c.username == username, password_history.c.id.not_in(keep)))
        from .state import set_security

        set_security(conn, username, password_changed_at=now)

    def expired(self, engine: Engine, username: str) -> bool:
        """Whether the user's password is older than the maximum age (never, when unset or unknown)."""
        if self.max_age_days <= 0:
            return False
        with engine.connect() as conn:
            changed = conn.execute(
                select(user_security.c.password_changed_at).where(user_security.c.username == username)
            ).scalar()
        return changed is not None and utc_now() - changed > dt.timedelta(days=self.max_age_days)


def generate_password(length: int = 16) -> str:
    """A random password that meets every class rule (for generated first passwords)."""
    alphabet = string.ascii_letters + string.digits + "-_.!"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(test(c) for c in candidate) for _, test in CLASSES):
            return candidate
