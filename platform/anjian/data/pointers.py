"""Field errors anchored at JSON pointers, and values read by pointer: shared by single writes and
the import's row pipeline (split from ``records``)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ..errors import FieldError
from ..meta.pointer import pointer

__all__ = ["as_errors", "top_pointer", "value_at"]


@lru_cache(maxsize=4096)
def top_pointer(name: str) -> str:
    """The pointer of a top-level field (asked for every rule of every imported row)."""
    return pointer([name])


def as_errors(result: Any, where: str) -> list[FieldError]:
    """Named validators may return None, a message, a FieldError or a list of FieldErrors."""
    if not result:
        return []
    if isinstance(result, str):
        return [FieldError(where, result, "rule")]
    items = [result] if isinstance(result, FieldError) else list(result)
    # Validators point relative to what they were given; anchor that at the field or row.
    return [
        FieldError(
            where + e.pointer if e.pointer != where and not e.pointer.startswith(where + "/") else e.pointer,
            e.message,
            e.code,
            e.overridable,
        )
        for e in items
    ]


def value_at(record: Mapping[str, Any], where: str) -> Any:
    """The value a JSON pointer names in a record (None when absent)."""
    node: Any = record
    for part in where.strip("/").split("/"):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, Mapping):
            node = node.get(part)
        else:
            return None
    return node
