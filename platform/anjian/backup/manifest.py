"""The manifest: what a backup holds, with checksums, table sums and the audit chain's head.

``manifest.json`` sits in the backup's folder. It lists every file of the backup with its size
and SHA-256 (so ``verify`` names the one that is missing or altered), each table's row count and
content checksum at the moment of the copy, the audit chain's head in the same snapshot, and
where each attachment is kept (this backup or an earlier one of its chain). When the audit key
is at hand the manifest carries an HMAC under it, so an edited manifest is seen as well.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..audit import Seal

__all__ = ["FORMAT", "MANIFEST", "FileEntry", "Manifest", "ManifestInvalid", "file_sha256", "read_manifest", "write_manifest"]

FORMAT = "anjian-backup/1"
MANIFEST = "manifest.json"


class ManifestInvalid(ValueError):
    """A backup folder without a readable manifest."""


@dataclass(frozen=True)
class FileEntry:
    """One file of the backup, relative to its folder."""

    path: str
    size: int
    sha256: str


@dataclass
class Manifest:
    """Everything ``verify`` and ``restore`` need to know about one backup."""

    id: str
    kind: str  # "full" or "incremental"
    created_at: str
    dialect: str  # "sqlite" or "postgresql"
    database_file: str
    tool: str
    base: str = ""  # the full backup an incremental one builds on
    parent: str = ""  # the backup just before (its attachments are not copied again)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    audit: dict[str, Any] = field(default_factory=dict)  # head_id, head_hash, anchor (signed JSON)
    attachments: dict[str, str] = field(default_factory=dict)  # file id -> id of the backup holding it
    missing_attachments: list[str] = field(default_factory=list)  # recorded in the database, absent on disk
    files: list[FileEntry] = field(default_factory=list)
    format: str = FORMAT
    mac: str = ""

    def body(self) -> bytes:
        """The canonical bytes the MAC covers (everything but the MAC)."""
        data = asdict(self)
        data.pop("mac")
        return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()

    def sign(self, seal: Seal | None) -> None:
        self.mac = seal.mac(self.body()) if seal is not None else ""

    def signed_by(self, seal: Seal) -> bool:
        return bool(self.mac) and seal.mac(self.body()) == self.mac


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(folder: Path, manifest: Manifest) -> Path:
    path = folder / MANIFEST
    path.write_text(json.dumps(asdict(manifest), indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestInvalid(f"{path}: missing (not a backup folder, or an interrupted backup)") from None
    except ValueError as error:
        raise ManifestInvalid(f"{path}: not valid JSON ({error})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ManifestInvalid(f"{path}: not an anjian backup manifest (format {FORMAT!r} expected)")
    try:
        data["files"] = [FileEntry(**entry) for entry in data.get("files", [])]
        return Manifest(**data)
    except TypeError as error:
        raise ManifestInvalid(f"{path}: unexpected content ({error})") from None
