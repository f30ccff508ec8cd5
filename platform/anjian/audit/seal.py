"""The audit key and the anchor file: what keeps the chain honest lives outside the database.

Entries are hashed with HMAC-SHA256 under a key kept in a file (``ANJIAN_HOME/audit.key``,
generated once, mode 0600, or ``ANJIAN_AUDIT_KEY_FILE``), so someone who can write the database
but not read that file cannot recompute the chain after editing it. The Platform attaches a
:class:`Seal` to its engine as an execution option; every connection of that engine then appends
keyed entries and verifies with the key, with no change at the call sites.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine

__all__ = ["ANCHOR_FILE", "KEY_FILE", "Seal", "attach", "load_key", "seal_of"]

KEY_FILE = "audit.key"
ANCHOR_FILE = "audit-anchor.json"
OPTION = "anjian_audit_seal"


@dataclass(frozen=True)
class Seal:
    """The key entries are hashed with, and where the chain's head is anchored."""

    key: bytes
    anchor: Path | None = None

    def __repr__(self) -> str:  # never print the key
        return f"Seal(anchor={self.anchor})"

    def mac(self, body: bytes) -> str:
        return hmac.new(self.key, body, hashlib.sha256).hexdigest()

    @classmethod
    def at(cls, home: Path, key_file: Path | None = None) -> Seal:
        """The seal of an installation: its key file (made on first use) and its anchor file."""
        return cls(load_key(key_file or home / KEY_FILE), home / ANCHOR_FILE)


def load_key(path: Path) -> bytes:
    """Read the audit key, generating it once (readable by the owner only) when it is absent."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
    text = path.read_text(encoding="ascii").strip()
    if len(text) < 32:
        raise ValueError(f"the audit key in {path} is too short (at least 32 hexadecimal characters)")
    return bytes.fromhex(text)


def attach(engine: Engine, seal: Seal) -> None:
    """Make every connection of ``engine`` append and verify audit entries under ``seal``."""
    engine.update_execution_options(**{OPTION: seal})


def seal_of(connection: Connection) -> Seal | None:
    """The seal attached to this connection's engine (None: an unkeyed chain, as before keys)."""
    seal = connection.get_execution_options().get(OPTION)
    return seal if isinstance(seal, Seal) else None
