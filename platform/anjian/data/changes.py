"""What a write changes: the one comparison of a stored record with the values written over it.

A value the user did not change is never a change: empty and missing are the same (``None``,
``""``, ``[]``), child rows compare without their row ids, and an attachment list compares as the
files it names (a file listed twice is still one file). The workflow's field locks and the audit
log's field diffs both ask here, so a lock never refuses what the audit would not record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..meta.spec import EntitySpec, FieldSpec

__all__ = ["CHILD_KEYS", "changed_fields", "field_diff", "same_value"]

CHILD_KEYS = frozenset({"id", "parent_id", "position"})
SYSTEM_KEYS = frozenset({"id", "created_at", "updated_at", "created_by", "updated_by", "row_version", "overrides"})


def _canonical(value: Any, attachment: bool = False) -> Any:
    if value is None or value == "" or (isinstance(value, list | tuple) and not value):
        return None
    if isinstance(value, list | tuple):
        if attachment:
            return list(dict.fromkeys(str(v) for v in value if v))
        return [_canonical(v) for v in value]
    if isinstance(value, Mapping):
        row = {k: _canonical(v) for k, v in value.items() if k not in CHILD_KEYS}
        return {k: v for k, v in row.items() if v is not None}
    return value


def same_value(field: FieldSpec | None, old: Any, new: Any) -> bool:
    """Whether writing ``new`` over ``old`` leaves the field as it was."""
    attachment = field is not None and field.attachment is not None
    return bool(_canonical(old, attachment) == _canonical(new, attachment))


def changed_fields(spec: EntitySpec, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldSpec]:
    """The fields (computed ones aside) whose value ``new`` changes."""
    return [f for f in spec.fields if not f.computed and not same_value(f, old.get(f.name), new.get(f.name))]


def field_diff(spec: EntitySpec | None, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """Field-level changes as ``{field: [old, new]}`` (system columns aside), for the audit log."""
    old, new = old or {}, new or {}
    fields = spec.by_name if spec is not None else {}
    keys = (set(old) | set(new)) - SYSTEM_KEYS
    return {k: [old.get(k), new.get(k)] for k in sorted(keys) if not same_value(fields.get(k), old.get(k), new.get(k))}
