"""The public projection of an entity: which fields may leave the building, and masked how.

An entity declares ``x-anjian.public`` (``fields`` and ``mask``); every public face and the public
API shows a record only through :func:`project`, so what a visitor reads can never hold more than
the declaration allows. Imports no Flask or SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .frozen import FrozenSpec

__all__ = ["MASKS", "PublicProjection", "mask_value", "project"]

MASKS = ("name", "phone", "id_number", "initial")


class PublicProjection(FrozenSpec):
    """Fields shown to the public, in order, and the masks some of them wear."""

    fields: tuple[str, ...] = ()
    mask: Mapping[str, str] = {}


def _keep(text: str, head: int, tail: int) -> str:
    if len(text) <= head + tail:
        return text[:1] + "*" * max(len(text) - 1, 1)
    return text[:head] + "*" * (len(text) - head - tail) + text[len(text) - tail :]


def mask_value(value: Any, how: str) -> Any:
    """Mask one value: 张三丰 → 张**, 13812345678 → 138****5678, an ID number keeps 4 + 4."""
    if value is None or value == "":
        return value
    text = str(value)
    if how == "name":
        return text[:1] + "*" * max(len(text) - 1, 1)
    if how == "phone":
        return _keep(text, 3, 4)
    if how == "id_number":
        return _keep(text, 4, 4)
    return text[:1] + "…"  # initial


def project(projection: PublicProjection | None, record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as the public may see it; an entity without a projection shows nothing."""
    if projection is None:
        return {}
    shown = {}
    for name in projection.fields:
        value = record.get(name)
        how = projection.mask.get(name)
        shown[name] = mask_value(value, how) if how else value
    return shown
