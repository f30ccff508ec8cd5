"""Retention: keep the newest N full backups and the incremental ones that build on them."""

from __future__ import annotations

import shutil
from pathlib import Path

from .create import list_backups

__all__ = ["prune"]


def prune(root: Path, keep_full: int) -> list[str]:
    """Delete backups older than the ``keep_full``-th newest full one; return the ids deleted."""
    backups = list_backups(root)
    fulls = [m for m in backups if m.kind == "full"]
    if keep_full < 1 or len(fulls) <= keep_full:
        return []
    oldest_kept = fulls[-keep_full]
    deleted = []
    for manifest in backups:
        if (manifest.created_at, manifest.id) >= (oldest_kept.created_at, oldest_kept.id):
            break
        shutil.rmtree(root / manifest.id)
        deleted.append(manifest.id)
    return deleted
