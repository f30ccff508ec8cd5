"""The anjian error tree.

Every error says what is wrong and what to do, and keeps its data as attributes so each surface
(CLI, REST, screens) can render it in its own way::

    AnjianError
    ├── ConfigError(key, message)                              at startup
    ├── PluginError(plugin, message)                           at startup
    ├── MetadataError(path, pointer, message, hint)            one problem in one document
    │   └── MetadataErrors(errors)                             all problems of one load
    ├── SchemaChangeRefused(plan)                              409: a publish would lose data
    ├── RecordValidationError(entity, errors)                  422: field-level errors
    ├── RecordConflict(entity, errors)                         409: unique clash, stale version
    ├── NotFound(what)                                         404
    ├── AuthenticationFailed(message)                          401
    │   └── LoginLocked(message, retry_after)                  429
    └── PermissionDenied(message)                              403
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "AnjianError",
    "AuthenticationFailed",
    "ConfigError",
    "FieldError",
    "LoginLocked",
    "MetadataError",
    "MetadataErrors",
    "NotFound",
    "PermissionDenied",
    "PluginError",
    "RecordConflict",
    "RecordValidationError",
    "SchemaChangeRefused",
]


class AnjianError(Exception):
    """Base class of every error anjian raises on purpose."""

    http_status = 500
    code = "error"


class ConfigError(AnjianError):
    """A setting is missing, malformed or unknown."""

    code = "config.invalid"

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(f"{key}: {message}" for key, message in self.problems))


class PluginError(AnjianError):
    """A plugin cannot be loaded or does not fit this engine."""

    code = "plugin.invalid"

    def __init__(self, plugin: str, message: str) -> None:
        self.plugin = plugin
        super().__init__(f"plugin {plugin!r}: {message}")


class MetadataError(AnjianError):
    """One problem in one metadata document, located by file and JSON pointer."""

    http_status = 422
    code = "metadata.invalid"

    def __init__(self, path: str, pointer: str, message: str, hint: str | None = None) -> None:
        self.path = path
        self.pointer = pointer
        self.message = message.rstrip(".")
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        """Render as ``<file>#<pointer>: <what is wrong>. <what to do>``."""
        text = f"{self.path}#{self.pointer}: {self.message}."
        return f"{text} {self.hint}" if self.hint else text

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.path, "pointer": self.pointer, "message": self.message, "hint": self.hint}


class MetadataErrors(AnjianError):
    """All problems found in one load, sorted by file and pointer."""

    http_status = 422
    code = "metadata.invalid"

    def __init__(self, errors: Iterable[MetadataError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.path, e.pointer, e.message))
        super().__init__("\n".join(e.render() for e in self.errors))


class SchemaChangeRefused(AnjianError):
    """A publish would lose data and was not confirmed."""

    http_status = 409
    code = "schema.destructive"

    def __init__(self, plan: Any) -> None:
        self.plan = plan
        super().__init__(
            "the publish would lose data and was refused; nothing was changed. "
            "Review the plan, then publish again with --confirm-destructive "
            "(the affected data is exported first)."
        )


@dataclass(frozen=True)
class FieldError:
    """A problem with one value of a record, located by JSON pointer."""

    pointer: str
    message: str
    code: str = "invalid"
    overridable: bool = False  # a rule an officer may waive with a recorded reason

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"pointer": self.pointer, "message": self.message, "code": self.code}
        if self.overridable:
            result["overridable"] = True
        return result


class RecordValidationError(AnjianError):
    """A record breaks its entity's rules; nothing was written."""

    http_status = 422
    code = "record.invalid"

    def __init__(self, entity: str, errors: Sequence[FieldError]) -> None:
        self.entity = entity
        self.errors = list(errors)
        lines = "; ".join(f"{e.pointer or '/'}: {e.message}" for e in self.errors)
        super().__init__(f"{entity}: {lines}")


class RecordConflict(RecordValidationError):
    """A record clashes with stored data (unique value, stale version); nothing was written."""

    http_status = 409
    code = "record.conflict"


class NotFound(AnjianError):
    """An entity, record or file does not exist (or is out of the caller's scope)."""

    http_status = 404
    code = "not_found"


class AuthenticationFailed(AnjianError):
    """Credentials or token are missing or wrong (``code`` says which step: auth.mfa_required, ...)."""

    http_status = 401
    code = "auth.failed"

    def __init__(self, message: str = "", code: str | None = None) -> None:
        if code:
            self.code = code
        super().__init__(message)


class LoginLocked(AuthenticationFailed):
    """Too many failed logins in a row; the account is locked for a while."""

    http_status = 429
    code = "auth.locked"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"登录失败次数过多，账号已临时锁定，请 {retry_after} 秒后再试")


class PermissionDenied(AnjianError):
    """The caller may not do this."""

    http_status = 403
    code = "forbidden"
