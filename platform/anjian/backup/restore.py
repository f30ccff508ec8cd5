"""Restore a backup onto a database and an attachment folder, then prove it equals the backup.

Refused when the backup fails ``verify``, when its engine differs from the target's, and when
the target already holds tables (unless forced). After the copy every table's row count and
checksum is compared with the manifest. With the source installation's audit key at hand (the
manifest's MAC says so) the backup's anchor becomes the installation's anchor (the old one is kept
beside it) and the restore is itself written to the audit log; ``anjian audit verify`` then
passes. Without the key the restore still completes and says what to copy.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..audit import Actor, Seal, attach
from ..audit import append as audit_append
from ..audit.seal import ANCHOR_FILE, KEY_FILE, load_key
from ..store.clock import utc_now
from ..store.db import make_engine, write
from .checksums import table_checksums
from .create import ANCHOR_COPY
from .engines import BackupError, dialect_of, is_empty, restore_database
from .manifest import Manifest, read_manifest
from .verify import verify_backup

__all__ = ["RestoreReport", "installation_seal", "restore_backup"]


@dataclass
class RestoreReport:
    """What a restore did and how its result compares with the backup."""

    backup: Manifest
    tables: int = 0
    attachments: int = 0
    mismatches: list[str] = field(default_factory=list)
    key_matches: bool = False
    anchor_kept: Path | None = None  # where the anchor the installation had before now is


def installation_seal(home: Path, key_file: Path | None = None) -> Seal | None:
    """The installation's seal when its audit key exists (never makes a new key)."""
    path = key_file or home / KEY_FILE
    return Seal(load_key(path), home / ANCHOR_FILE) if path.exists() else None


def _copy_attachments(folder: Path, manifest: Manifest, upload_dir: Path) -> int:
    for file_id, holder in manifest.attachments.items():
        source = folder.parent / holder / "files" / file_id[:2] / file_id
        target = upload_dir / file_id[:2] / file_id
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return len(manifest.attachments)


def _compare(url: str, manifest: Manifest) -> tuple[int, list[str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            restored = table_checksums(conn)
    finally:
        engine.dispose()
    problems = []
    for table in sorted(set(manifest.tables) | set(restored)):
        expected, found = manifest.tables.get(table), restored.get(table)
        if expected is None or found is None:
            problems.append(f"table {table}: {'not in the backup' if expected is None else 'missing after the restore'}")
        elif (found.rows, found.sha256) != (expected["rows"], expected["sha256"]):
            problems.append(f"table {table}: {found.rows} rows restored, {expected['rows']} backed up, or their content differs")
    return len(restored), problems


def _take_anchor(folder: Path, seal: Seal) -> Path | None:
    """Make the backup's anchor the installation's; return where the previous anchor was kept."""
    if seal.anchor is None or not (folder / ANCHOR_COPY).is_file():
        return None
    kept = None
    if seal.anchor.exists():
        kept = seal.anchor.with_name(f"{seal.anchor.name}.before-restore-{utc_now():%Y%m%dT%H%M%SZ}")
        os.replace(seal.anchor, kept)
    seal.anchor.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(folder / ANCHOR_COPY, seal.anchor)
    return kept


def restore_backup(
    folder: Path, url: str, upload_dir: Path, seal: Seal | None, actor: Actor, *, force: bool = False
) -> RestoreReport:
    """Restore the backup in ``folder`` onto the database at ``url`` and the attachments into ``upload_dir``."""
    problems = verify_backup(folder, seal)
    if problems:
        raise BackupError("the backup is incomplete or altered; nothing was restored:\n" + "\n".join(problems))
    manifest = read_manifest(folder)
    target = dialect_of(url)
    if target != manifest.dialect:
        raise BackupError(
            f"{folder} is a {manifest.dialect} backup and cannot be restored onto {target}: use a {manifest.dialect} URL"
        )
    if not force and not is_empty(url):
        raise BackupError(
            "the target database already has tables: restoring would replace them. Use an empty database, or --force"
        )
    restore_database(folder / manifest.database_file, manifest.dialect, url)
    report = RestoreReport(manifest)
    report.attachments = _copy_attachments(folder, manifest, upload_dir)
    report.tables, report.mismatches = _compare(url, manifest)
    report.key_matches = seal is not None and manifest.signed_by(seal)
    if seal is not None and report.key_matches:
        report.anchor_kept = _take_anchor(folder, seal)
        engine = make_engine(url)
        attach(engine, seal)
        try:
            with write(engine) as conn, conn.begin():
                detail = {"backup": manifest.id, "kind": manifest.kind, "forced": force, "mismatches": len(report.mismatches)}
                audit_append(conn, actor, "backup_restore", "_backup", manifest.id, detail)
        finally:
            engine.dispose()
    return report
