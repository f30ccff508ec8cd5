"""Anchors: the chain's head (entry id and hash) written outside the database at intervals.

A keyed chain cannot be rewritten without the key, but it can still be cut short: deleting the
newest entries, or all of them, leaves a chain that verifies. An anchor remembers how far the
chain reached and what its head was, so ``verify`` sees the cut. The worker's beat moves the
anchor forward (after checking the entries since the last anchor), and so do ``anjian audit
verify`` and every purge. Copies kept elsewhere (backups, the upper-level deployment) are checked
the same way with ``anjian audit verify --anchor FILE``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..store.clock import utc_now
from .seal import Seal

__all__ = ["Anchor", "AnchorInvalid", "read_anchor", "write_anchor"]


class AnchorInvalid(ValueError):
    """An anchor file that is not one this installation wrote (altered, or another key's)."""


@dataclass(frozen=True)
class Anchor:
    """The chain's newest entry at a moment: its id and hash."""

    id: int
    hash: str
    at: dt.datetime
    source: str = ""  # the file it was read from, for messages

    def _body(self) -> bytes:
        return f"anjian-audit-anchor:{self.id}:{self.hash}:{self.at.isoformat()}".encode()

    def as_json(self, seal: Seal) -> str:
        """The anchor as one JSON object, signed with the audit key."""
        return json.dumps({"id": self.id, "hash": self.hash, "at": self.at.isoformat(), "mac": seal.mac(self._body())})


def read_anchor(path: Path, seal: Seal) -> Anchor | None:
    """The anchor kept in ``path`` (None when there is none yet); AnchorInvalid when it was tampered with."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
        anchor = Anchor(int(data["id"]), str(data["hash"]), dt.datetime.fromisoformat(data["at"]), str(path))
        mac = str(data["mac"])
    except (ValueError, KeyError, TypeError) as error:
        raise AnchorInvalid(f"anchor {path} cannot be read ({error})") from None
    if mac != seal.mac(anchor._body()):
        raise AnchorInvalid(f"anchor {path} was not written with this installation's audit key (altered or foreign)")
    return anchor


def write_anchor(path: Path, seal: Seal, entry_id: int, entry_hash: str) -> Anchor:
    """Record the chain's head in ``path`` (atomically: a reader sees the old or the new anchor)."""
    anchor = Anchor(entry_id, entry_hash, utc_now())
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(anchor.as_json(seal) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return anchor
