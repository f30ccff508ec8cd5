"""Check a backup before trusting it: every file present and unchanged, its chain complete.

Each problem names the file: a missing or altered file of the backup, an attachment kept by an
earlier backup that is gone, or a manifest whose MAC does not match the audit key.
"""

from __future__ import annotations

from pathlib import Path

from ..audit import Seal
from .manifest import MANIFEST, Manifest, ManifestInvalid, file_sha256, read_manifest

__all__ = ["verify_backup"]


def _files(folder: Path, manifest: Manifest) -> list[str]:
    problems = []
    listed = {entry.path for entry in manifest.files}
    if manifest.database_file not in listed:
        problems.append(f"{folder / MANIFEST}: lists no database copy ({manifest.database_file})")
    for entry in manifest.files:
        path = folder / entry.path
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif path.stat().st_size != entry.size or file_sha256(path) != entry.sha256:
            problems.append(f"{path}: altered (its SHA-256 differs from the manifest's)")
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and relative != MANIFEST and relative not in listed:
            problems.append(f"{path}: not part of the backup (added after it was taken)")
    return problems


def _held_elsewhere(folder: Path, manifest: Manifest) -> list[str]:
    """Attachments an earlier backup of the chain keeps: that backup and its copy must be there."""
    problems = []
    holders: dict[str, Manifest | None] = {}
    for file_id, holder in sorted(manifest.attachments.items()):
        if holder == manifest.id:
            continue
        if holder not in holders:
            try:
                holders[holder] = read_manifest(folder.parent / holder)
            except ManifestInvalid as error:
                problems.append(f"{folder.parent / holder}: the backup this one builds on is unusable ({error})")
                holders[holder] = None
        held = holders[holder]
        if held is None:
            continue
        relative = f"files/{file_id[:2]}/{file_id}"
        entry = next((e for e in held.files if e.path == relative), None)
        path = folder.parent / holder / relative
        if entry is None or not path.is_file():
            problems.append(f"{path}: missing (attachment {file_id} of {manifest.id} is kept in {holder})")
        elif file_sha256(path) != entry.sha256:
            problems.append(f"{path}: altered (attachment {file_id} of {manifest.id})")
    return problems


def verify_backup(folder: Path, seal: Seal | None = None) -> list[str]:
    """Every problem of the backup in ``folder``; an empty list when it is complete and unchanged."""
    try:
        manifest = read_manifest(folder)
    except ManifestInvalid as error:
        return [str(error)]
    problems = []
    if seal is not None and manifest.mac and not manifest.signed_by(seal):
        problems.append(f"{folder / MANIFEST}: altered, or written with another installation's audit key (MAC differs)")
    return problems + _files(folder, manifest) + _held_elsewhere(folder, manifest)
