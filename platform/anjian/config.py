"""Settings: every ``ANJIAN_*`` environment variable, declared, typed and validated at once.

An unknown ``ANJIAN_*`` variable is an error too, because a misspelled setting that is silently
ignored is worse than a refused start. Variables for tooling (``ANJIAN_TEST_*``, ``ANJIAN_PG_*``)
are not settings and are left alone.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from .errors import ConfigError

__all__ = ["Settings", "bundled_metadata_path", "load_settings", "resolve_plugins"]

PREFIX = "ANJIAN_"
TOOLING_PREFIXES = ("ANJIAN_TEST_", "ANJIAN_PG_")


def bundled_metadata_path() -> Path:
    """Folder of the standard declarations shipped as the ``anjian_metadata`` package."""
    import anjian_metadata

    return Path(anjian_metadata.__file__).parent


class Settings(BaseModel):
    """The platform's configuration; field names are the variables without ``ANJIAN_``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    home: Path = Field(Path("var"), description="Folder for the embedded database, files and exports.")
    database_url: str = Field("", description="SQLAlchemy URL; default: SQLite in HOME.")
    secret_key: str = Field("", description="Signing key; default: generated once and kept in HOME.")
    broker_url: str = Field("", description="Celery broker; default: SQLite in HOME (no server).")
    result_backend: str = Field("", description="Celery result backend; default: SQLite in HOME.")
    celery_eager: bool = Field(False, description="Run tasks in-process (tests).")
    metadata_paths: tuple[Path, ...] = Field((), description="Declaration folders, os.pathsep-separated.")
    plugins: tuple[str, ...] = Field(
        ("registry", "hazard", "complaints", "accident", "enforcement"),
        description="Enabled plugins, comma-separated; +name / -name add to / remove from this default instead.",
    )
    host: str = Field("127.0.0.1", description="Address the web server listens on.")
    port: int = Field(5000, ge=1, le=65535, description="Port the web server listens on.")
    admin_password: str = Field("", description="Password of the first administrator 'admin'.")
    token_ttl: int = Field(3600, ge=60, description="Lifetime of API access tokens, seconds.")
    catalog_poll_interval: float = Field(0.5, gt=0, le=5, description="Seconds between catalog checks.")
    language: str = Field("zh_CN", description="Default UI language.")
    timezone: str = Field("Asia/Shanghai", description="Time zone dates and times are shown in.")
    audit_retention_days: int = Field(180, description="Days audit entries are kept (等保: at least 180).")
    audit_key_file: Path | None = Field(None, description="File of the audit chain's HMAC key; default: HOME/audit.key.")
    audit_anchor_interval: float = Field(300, gt=0, description="Seconds between anchors of the audit chain (Celery beat).")
    demo_data: bool = Field(True, description="Load demo data on `anjian run`.")
    max_upload_bytes: int = Field(50 * 1024 * 1024, ge=1, description="Largest accepted upload.")
    lockout_threshold: int = Field(5, ge=1, le=100, description="Failed logins in a row before a lock.")
    lockout_seconds: int = Field(60, ge=1, description="First lock; each further failure doubles it (max 1 h).")
    timer_interval: float = Field(60, gt=0, le=3600, description="Seconds between deadline scans (Celery beat).")
    smtp_host: str = Field("", description="SMTP server for notice e-mails; empty: in-app notices only.")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP port.")
    smtp_sender: str = Field("anjian@localhost", description="From address of notice e-mails.")
    smtp_user: str = Field("", description="SMTP login (optional).")
    smtp_password: str = Field("", description="SMTP password (optional).")
    smtp_starttls: bool = Field(False, description="Use STARTTLS with the SMTP server.")
    password_min_length: int = Field(10, ge=6, le=128, description="Shortest accepted password.")
    password_min_classes: int = Field(
        3, ge=1, le=4, description="Character classes (upper, lower, digit, symbol) a password needs."
    )
    password_history: int = Field(5, ge=0, le=50, description="A new password may not equal any of the last N.")
    password_max_age_days: int = Field(0, ge=0, description="Days before a password must be changed (0: never).")
    mfa_admin: bool = Field(True, description="Administrators (FAB role Admin) must use a second factor (TOTP).")
    mfa_issuer: str = Field("安监平台", min_length=1, description="Issuer name shown in authenticator apps.")
    session_idle_minutes: int = Field(30, ge=1, description="A web session ends after this long without a request.")
    session_max_hours: float = Field(8, gt=0, description="A web session ends this long after login, active or not.")
    refresh_token_ttl: int = Field(14 * 86400, ge=300, description="Lifetime of API refresh tokens, seconds.")
    secure_cookies: bool = Field(False, description="Served over TLS (directly or behind a proxy): Secure cookies and HSTS.")
    plugin_values: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Raw ANJIAN_<PLUGIN>_<FIELD> values of enabled plugins, checked by each plugin's settings model at start.",
    )
    hsts_seconds: int = Field(
        365 * 86400, ge=0, le=2 * 365 * 86400, description="HSTS max-age with ANJIAN_SECURE_COOKIES (0: no HSTS header)."
    )
    backup_dir: Path | None = Field(None, description="Folder of scheduled backups (default: HOME/backups; use another disk).")
    backup_schedule: bool = Field(True, description="Take backups on the Celery beat: weekly full, daily incremental.")
    backup_hour: int = Field(2, ge=0, le=23, description="Hour (local time) the scheduled backup is taken.")
    backup_full_weekday: int = Field(0, ge=0, le=6, description="Day of the weekly full backup (0 Sunday ... 6 Saturday).")
    broker_visibility_timeout: int = Field(
        3600, ge=1, description="Redis broker: seconds before a task whose worker died unacknowledged is delivered again."
    )
    deployment_region: str = Field(
        "", pattern=r"^([0-9]{2,12})?$", description="GB/T 2260 code of this deployment's region (data exchange sender)."
    )
    backup_keep_full: int = Field(4, ge=1, description="Full backups kept (with their incremental ones); older are deleted.")

    @field_validator("database_url", "broker_url", "result_backend")
    @classmethod
    def _url_has_scheme(cls, value: str) -> str:
        if value and "://" not in value:
            raise ValueError("must be a URL such as sqlite:///var/anjian.db")
        return value

    @field_validator("audit_retention_days")
    @classmethod
    def _six_months_at_least(cls, value: int) -> int:
        if value < 180:
            raise ValueError(f"{value} is too short: 等保 requires audit logs to be kept at least six months (180 days or more)")
        return value

    @field_validator("hsts_seconds")
    @classmethod
    def _hsts_needs_tls(cls, value: int, info: ValidationInfo) -> int:
        if value and not info.data.get("secure_cookies"):
            raise ValueError("HSTS is sent only over TLS: set ANJIAN_SECURE_COOKIES=true as well (or leave this unset)")
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        if value and len(value.encode()) < 32:
            raise ValueError("must be at least 32 bytes (it signs sessions and API tokens)")
        return value

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home.resolve() / 'anjian.db'}"

    @property
    def broker(self) -> str:
        return self.broker_url or f"sqla+sqlite:///{self.home.resolve() / 'broker.db'}"

    @property
    def results(self) -> str:
        return self.result_backend or f"db+sqlite:///{self.home.resolve() / 'results.db'}"

    @property
    def metadata_dirs(self) -> tuple[Path, ...]:
        return self.metadata_paths or (bundled_metadata_path(),)

    @property
    def export_dir(self) -> Path:
        return self.home / "exports"

    @property
    def upload_dir(self) -> Path:
        return self.home / "files"

    @property
    def backups(self) -> Path:
        return self.backup_dir or self.home / "backups"

    def signing_key(self) -> str:
        """The configured secret, or one generated once and kept in HOME (mode 0600)."""
        if self.secret_key:
            return self.secret_key
        path = self.home / "secret_key"
        if not path.exists():
            self.home.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


_SPLIT = {"metadata_paths": os.pathsep, "plugins": ","}


def resolve_plugins(entries: tuple[str, ...], default: tuple[str, ...]) -> tuple[str, ...]:
    """The enabled plugins an ``ANJIAN_PLUGINS`` list names.

    Plain names replace the default list; ``+name`` / ``-name`` change it (so enabling GIS is
    ``+gis`` rather than the bundled names retyped). Mixing both forms is ambiguous and refused
    with the two lists it could have meant, ready to copy.
    """
    signed = [entry for entry in entries if entry[0] in "+-"]
    if not signed:
        return entries
    plain = [entry for entry in entries if entry[0] not in "+-"]
    bare = [entry for entry in signed if not entry[1:].strip()]
    if bare:
        raise ValueError(f"{bare[0]!r} names no plugin. Write +name to add a plugin or -name to remove one.")
    if plain:
        meant = _apply_changes(default, [*signed, *(f"+{name}" for name in plain)])
        changes = [f"+{name}" for name in meant if name not in default]
        changes += [f"-{name}" for name in default if name not in meant]
        raise ValueError(
            f"mixes plugin names ({', '.join(plain)}) with +/- changes ({', '.join(signed)}). "
            f"Write either only the changes to the default list ({PREFIX}PLUGINS={','.join(changes) or '+name'}) "
            f"or the whole list without signs ({PREFIX}PLUGINS={','.join(meant)})."
        )
    return _apply_changes(default, signed)


def _apply_changes(default: tuple[str, ...], changes: list[str]) -> tuple[str, ...]:
    enabled = list(default)
    for change in changes:
        name = change[1:].strip()
        if change[0] == "+" and name not in enabled:
            enabled.append(name)
        elif change[0] == "-":
            if name not in enabled:
                raise ValueError(f"cannot remove {name!r}: it is not enabled (the default list is {','.join(default)}).")
            enabled.remove(name)
    return tuple(enabled)


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read settings from ``environ`` (default: the process environment); report all problems."""
    environ = os.environ if environ is None else environ
    problems: list[tuple[str, str]] = []
    values: dict[str, Any] = {}
    known = set(Settings.model_fields) - {"plugin_values"}
    unknown: dict[str, str] = {}
    for key, raw in environ.items():
        if not key.startswith(PREFIX) or key.startswith(TOOLING_PREFIXES):
            continue
        name = key[len(PREFIX) :].lower()
        if name not in known:
            unknown[name] = raw
            continue
        if name in _SPLIT:
            values[name] = tuple(part.strip() for part in raw.split(_SPLIT[name]) if part.strip())
            if name == "plugins":
                try:
                    values[name] = resolve_plugins(values[name], Settings.model_fields["plugins"].default)
                except ValueError as exc:
                    problems.append((key, str(exc)))
                    del values[name]
        else:
            values[name] = raw
    values.update(overrides)
    # ANJIAN_<PLUGIN>_<FIELD> belongs to an enabled plugin, whose own settings model checks it at start.
    enabled = values.get("plugins", Settings.model_fields["plugins"].default)
    plugin_values: dict[str, dict[str, str]] = {}
    for name, raw in sorted(unknown.items()):
        plugin = next((p for p in enabled if name.startswith(p.lower() + "_")), None)
        if plugin is not None:
            plugin_values.setdefault(plugin, {})[name[len(plugin) + 1 :]] = raw
        else:
            listed = ", ".join(sorted(PREFIX + k.upper() for k in known))
            problems.append((PREFIX + name.upper(), f"unknown setting. Known settings: {listed}"))
    if plugin_values and "plugin_values" not in values:
        values["plugin_values"] = plugin_values
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            problems.append((PREFIX + field.upper(), error["msg"]))
        raise ConfigError(problems) from None
    if problems:
        raise ConfigError(problems)
    return settings
