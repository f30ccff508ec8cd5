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
    │   ├── RecordConflict(entity, errors)                     409: unique clash, stale version
    │   └── WorkflowRefused(entity, errors, record_id, state, action)
    │                                                          409: a process refuses the step now
    ├── NotFound(what)                                         404
    ├── AuthenticationFailed(message)                          401
    │   └── LoginLocked(message, retry_after)                  429
    ├── PermissionDenied(message, subject, action, object)     403
    └── RequestRefused(status, code, message, pointer)         400/413: a request the API will not parse

Every class renders through :meth:`AnjianError.details` as ``[{"pointer", "message", "code"}]``,
the ``errors`` of the one API error contract; the sentence above them (``message``) comes from the
catalogue ``anjian.messages`` by ``code`` (keys registered in ``anjian.error_messages``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from . import error_messages as _error_messages  # noqa: F401  (registers the error texts)

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
    "RequestRefused",
    "SchemaChangeRefused",
    "WorkflowRefused",
]


class AnjianError(Exception):
    """Base class of every error anjian raises on purpose."""

    http_status = 500
    code = "error"

    def details(self) -> list[dict[str, Any]]:
        """The ``errors`` list of the API contract: one entry at the request root by default."""
        return [{"pointer": "", "message": str(self), "code": self.code}]


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


_CHINESE = re.compile("[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")  # a Chinese message ends with 。, not ". "


class MetadataError(AnjianError):
    """One problem in one metadata document, located by file and JSON pointer."""

    http_status = 422
    code = "metadata.invalid"

    def __init__(self, path: str, pointer: str, message: str, hint: str | None = None) -> None:
        self.path = path
        self.pointer = pointer
        self.message = message.rstrip(".。")
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        """Render as ``<file>#<pointer>: <what is wrong>. <what to do>`` (Chinese: ``…。…``)."""
        if _CHINESE.search(self.message):
            text = f"{self.path}#{self.pointer}: {self.message}。"
            return f"{text}{self.hint}" if self.hint else text
        text = f"{self.path}#{self.pointer}: {self.message}."
        return f"{text} {self.hint}" if self.hint else text

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.path, "pointer": self.pointer, "message": self.message, "hint": self.hint}

    def details(self) -> list[dict[str, Any]]:
        return [{**self.as_dict(), "code": self.code, "text": self.render()}]


class MetadataErrors(AnjianError):
    """All problems found in one load, sorted by file and pointer."""

    http_status = 422
    code = "metadata.invalid"

    def __init__(self, errors: Iterable[MetadataError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.path, e.pointer, e.message))
        super().__init__("\n".join(e.render() for e in self.errors))

    def details(self) -> list[dict[str, Any]]:
        return [item for error in self.errors for item in error.details()]


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

    def details(self) -> list[dict[str, Any]]:
        return [e.as_dict() for e in self.errors]


class RecordConflict(RecordValidationError):
    """A record clashes with stored data (unique value, stale version); nothing was written."""

    http_status = 409
    code = "record.conflict"


class WorkflowRefused(RecordValidationError):
    """A process refuses an action on a record now (its state, a condition, a lock); nothing was written.

    Not a :class:`RecordConflict`: the record's data is fine, the process says "not now".
    """

    http_status = 409
    code = "workflow.refused"

    def __init__(
        self,
        entity: str,
        errors: Sequence[FieldError],
        *,
        record_id: int | None = None,
        state: str | None = None,
        action: str | None = None,
    ) -> None:
        self.record_id = record_id
        self.state = state
        self.action = action
        super().__init__(entity, errors)


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
    """The caller (``subject``) may not do ``action`` on ``object`` (an entity, record or ``*``)."""

    http_status = 403
    code = "forbidden"

    def __init__(
        self, message: str = "", *, subject: str | None = None, action: str | None = None, object: str | None = None
    ) -> None:  # noqa: A002
        self.subject = subject
        self.action = action
        self.object = object
        super().__init__(message)


class RequestRefused(AnjianError):
    """A request the API will not parse: too large (413), nested too deep or malformed (400)."""

    code = "request.invalid"

    def __init__(self, status: int, code: str, message: str, pointer: str = "") -> None:
        self.http_status = status
        self.code = code
        self.pointer = pointer
        super().__init__(message)

    def details(self) -> list[dict[str, Any]]:
        return [{"pointer": self.pointer, "message": str(self), "code": self.code}]
