"""Business rules of the registry module (企业基础信息): named validators and computed fields.

Registered through the ``anjian.plugins`` entry-point group like any plugin; metadata refers to
the functions by name (``registry.uscc_check``), never by code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from anjian import FieldError, hookimpl

from .idnumber import check_id_number
from .uscc import check_uscc, registration_region

__all__ = ["anjian_computed", "anjian_validators"]


REGION_DICTIONARY = "region"
# The question built for a code table, kept with the table it was built for (imports ask per row).
_KNOWN: dict[int, tuple[Any, Callable[[str], bool | None]]] = {}


def _region_known(ctx: Any) -> Callable[[str], bool | None] | None:
    """Whether the region code table holds a 6-digit code (retired ones included, since a code keeps
    the region of the authority that registered it); None for a province the table does not cover."""
    catalog = getattr(ctx, "catalog", None)
    regions = catalog.dictionaries.get(REGION_DICTIONARY) if catalog is not None else None
    if regions is None:
        return None
    cached = _KNOWN.get(id(regions))
    if cached is not None and cached[0] is regions:
        return cached[1]
    known = _region_question(regions)
    if len(_KNOWN) >= 8:  # one table per published catalog version: keep the newest few
        _KNOWN.clear()
    _KNOWN[id(regions)] = (regions, known)
    return known


def _region_question(regions: Any) -> Callable[[str], bool | None]:
    """``_region_known`` for one code table."""
    codes = regions.codes()
    provinces = regions.prefixes(2)

    def known(code: str) -> bool | None:
        return code in codes if code[:2] in provinces else None

    return known


def _uscc(value: Any, ctx: Any) -> list[FieldError]:
    """统一社会信用代码: a malformed code is refused; failed check characters and a region the
    code table lacks may be overridden with a reason."""
    return [
        FieldError("", message, code, overridable) for message, code, overridable in check_uscc(str(value), _region_known(ctx))
    ]


def _registration_region(record: Mapping[str, Any], ctx: Any) -> str | None:
    code = record.get("credit_code")
    return registration_region(code) if isinstance(code, str) else None


def _id_number(value: Any, ctx: Any) -> list[FieldError]:
    """公民身份号码: length, digits, birth date and the GB 11643 check character."""
    return [FieldError("", text, code) for text, code in check_id_number(str(value))]


@hookimpl
def anjian_validators() -> Mapping[str, Any]:
    return {"registry.uscc_check": _uscc, "registry.id_number_check": _id_number}


@hookimpl
def anjian_computed() -> Mapping[str, Any]:
    return {"registry.uscc_registration_region": _registration_region}
