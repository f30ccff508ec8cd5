"""Business rules of the registry module (企业基础信息): named validators and computed fields.

Registered through the ``anjian.plugins`` entry-point group like any plugin; metadata refers to
the functions by name (``registry.uscc_check``), never by code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from anjian import FieldError, hookimpl

from .uscc import check_uscc, registration_region

__all__ = ["anjian_computed", "anjian_validators"]


def _uscc(value: Any, ctx: Any) -> list[FieldError]:
    """统一社会信用代码: a format error is final; a failed check character may be overridden."""
    return [FieldError("", message, code, overridable) for message, code, overridable in check_uscc(str(value))]


def _registration_region(record: Mapping[str, Any], ctx: Any) -> str | None:
    code = record.get("credit_code")
    return registration_region(code) if isinstance(code, str) else None


@hookimpl
def anjian_validators() -> Mapping[str, Any]:
    return {"registry.uscc_check": _uscc}


@hookimpl
def anjian_computed() -> Mapping[str, Any]:
    return {"registry.uscc_registration_region": _registration_region}
