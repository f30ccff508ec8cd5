"""Message keys of dated code-table entries (registered in the one catalogue)."""

from __future__ import annotations

from ..messages import register

__all__ = ["KEYS"]

KEYS = {
    "code.retired": (
        "「{code} {label}」已于 {date} 后停用，不能用于新登记；{note}",
        "{code} {label} is retired since {date} and cannot be used for new entries; {note}",
    ),
    "code.retired.hint": ("请选用现行代码", "choose a current code"),
    "code.not_yet": ("「{code} {label}」自 {date} 起启用，现在还不能使用", "{code} {label} is valid only from {date}"),
}
register(KEYS)
