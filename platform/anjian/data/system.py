"""Tables the engine itself keeps: catalog versions, dictionary items, files, audit log."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ..audit.tables import audit_checkpoint, audit_log
from ..store.db import SYSTEM

__all__ = [
    "SYSTEM",
    "account",
    "api_key",
    "audit_checkpoint",
    "audit_log",
    "catalog_version",
    "dictionary_item",
    "grant",
    "login_failure",
    "organisation",
    "password_history",
    "policy_version",
    "recovery_code",
    "refresh_token",
    "stored_file",
    "user_security",
]


catalog_version = Table(
    "anjian_catalog_version",
    SYSTEM,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("published_at", DateTime, nullable=False),
    Column("published_by", String(150), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("documents", JSON, nullable=False),
    Column("plan", JSON, nullable=False),
    Column("digest", String(64), nullable=False),
)

dictionary_item = Table(
    "anjian_dictionary_item",
    SYSTEM,
    Column("id", Integer, primary_key=True),
    Column("dictionary", String(63), nullable=False),
    Column("code", String(64), nullable=False),
    Column("label", String(255), nullable=False),
    Column("parent", String(64)),
    Column("level", String(32)),
    Column("valid_from", String(10)),
    Column("valid_to", String(10)),
    Column("position", Integer, nullable=False),
    UniqueConstraint("dictionary", "code", name="uq_anjian_dictionary_item_code"),
)

stored_file = Table(
    "anjian_file",
    SYSTEM,
    Column("id", String(32), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("content_type", String(127), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("entity", String(63), nullable=False),
    Column("field", String(63), nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
    Column("uploaded_by", String(150), nullable=False),
)

# An organisation (组织机构) users belong to: an agency, member unit, enterprise, intermediary.
organisation = Table(
    "anjian_organisation",
    SYSTEM,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),  # the user types of anjian_account
    Column("region_code", String(12), nullable=False, index=True),
    Column("credit_code", String(18)),  # 统一社会信用代码, optional
    Column("parent_id", Integer),
    Column("enterprise_id", Integer),  # the enterprise record of an enterprise organisation
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("credit_code", name="uq_anjian_organisation_credit_code"),
)

# Who a user is for the platform: the kind of user and the organisation and region they belong to.
account = Table(
    "anjian_account",
    SYSTEM,
    Column("username", String(150), primary_key=True),
    Column("user_type", String(20), nullable=False),  # agency | member_unit | enterprise | intermediary | public
    Column("org_name", String(200), nullable=False, default=""),
    Column("region_code", String(12), nullable=False),
    Column("enterprise_id", Integer),  # the enterprise record an enterprise user acts for
    Column("created_at", DateTime, nullable=False),
    Column("organisation_id", Integer, index=True),  # added later: nullable; org_name keeps the name for display
)

# A role held in a region (and every region below it), possibly until a date.
grant = Table(
    "anjian_grant",
    SYSTEM,
    Column("id", Integer, primary_key=True),
    Column("username", String(150), nullable=False, index=True),
    Column("role", String(63), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("expires_at", DateTime),
    Column("granted_by", String(150), nullable=False),
    Column("granted_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
)

# Bumped on every change to accounts or grants, so every process reloads its policy.
policy_version = Table(
    "anjian_policy_version",
    SYSTEM,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
)

# Consecutive failed logins per user name (known or not), for lockout with backoff.
login_failure = Table(
    "anjian_login_failure",
    SYSTEM,
    Column("username", String(150), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure", DateTime, nullable=False),
    Column("locked_until", DateTime),
)

# Login security per user name: the token generation (bumped to void every token issued before a
# password change or reset), and the TOTP second factor once enrolled.
user_security = Table(
    "anjian_user_security",
    SYSTEM,
    Column("username", String(150), primary_key=True),
    Column("token_generation", Integer, nullable=False, default=0),
    Column("password_changed_at", DateTime),
    Column("mfa_secret", String(64)),
    Column("mfa_enrolled_at", DateTime),
    Column("mfa_last_counter", BigInteger),  # the last accepted TOTP time step: a code works once
)

# Hashes (FAB's scrypt) of a user's recent passwords, so a new one cannot repeat them.
password_history = Table(
    "anjian_password_history",
    SYSTEM,
    Column("id", Integer, primary_key=True),
    Column("username", String(150), nullable=False, index=True),
    Column("password_hash", String(256), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# One-time recovery codes of the second factor, hashed; each works once.
recovery_code = Table(
    "anjian_recovery_code",
    SYSTEM,
    Column("id", Integer, primary_key=True),
    Column("username", String(150), nullable=False, index=True),
    Column("code_hash", String(64), nullable=False),
    Column("used_at", DateTime),
)

# API refresh tokens, stored as sha256; a family is one login's chain of rotations.
refresh_token = Table(
    "anjian_refresh_token",
    SYSTEM,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("family", String(32), nullable=False, index=True),
    Column("username", String(150), nullable=False, index=True),
    Column("issued_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("rotated_at", DateTime),
    Column("revoked_at", DateTime),
)

# API keys of machine clients: a visible key id, the sha256 of the whole key, scopes.
api_key = Table(
    "anjian_api_key",
    SYSTEM,
    Column("key_id", String(16), primary_key=True),
    Column("key_hash", String(64), nullable=False),
    Column("username", String(150), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(150), nullable=False),
    Column("expires_at", DateTime),
    Column("revoked_at", DateTime),
    Column("last_used_at", DateTime),
)
