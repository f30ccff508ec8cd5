"""Take a backup into a folder of backups: the database, the attachments and the manifest.

A full backup copies every attachment; an incremental one copies only those that the backups
before it (back to the last full one) do not hold yet. The database itself is copied whole every
time, by the engine's own tool: SQLite has no log to archive, and incremental physical backups
of PostgreSQL (pg_basebackup --incremental) need version 17, newer than the servers this
platform supports; a county database is small next to its attachments. Backups are written
under a hidden ``.<id>.partial`` folder and renamed when complete, so a crash leaves nothing
that ``list`` or ``restore`` would take for a backup.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import Engine

from ..audit import Actor, Anchor, Seal, append
from ..store.clock import utc_now
from ..store.db import write
from .engines import BackupError, copy_database, database_file
from .manifest import MANIFEST, FileEntry, Manifest, file_sha256, read_manifest, write_manifest

__all__ = ["KINDS", "create_backup", "list_backups"]

KINDS = ("full", "incremental")
ANCHOR_COPY = "audit-anchor.json"


def list_backups(root: Path) -> list[Manifest]:
    """The complete backups in ``root``, oldest first (unreadable folders are left to ``verify``)."""
    found = []
    if root.is_dir():
        for folder in root.iterdir():
            if folder.is_dir() and not folder.name.startswith(".") and (folder / MANIFEST).exists():
                try:
                    found.append(read_manifest(folder))
                except ValueError:
                    continue
    return sorted(found, key=lambda m: (m.created_at, m.id))


def _new_id(root: Path, kind: str) -> str:
    stem = f"{utc_now():%Y%m%dT%H%M%SZ}-{kind}"
    name, n = stem, 1
    while (root / name).exists() or (root / f".{name}.partial").exists():
        n += 1
        name = f"{stem}-{n}"
    return name


def _base(root: Path, kind: str, dialect: str) -> Manifest | None:
    """The backup an incremental one continues (None for a full backup)."""
    if kind == "full":
        return None
    earlier = [m for m in list_backups(root) if m.dialect == dialect]
    if not any(m.kind == "full" for m in earlier):
        raise BackupError(f"no full backup in {root} yet: an incremental backup needs one (anjian backup create --full)")
    return earlier[-1]


def create_backup(
    engine: Engine, seal: Seal | None, upload_dir: Path, root: Path, kind: str = "full", actor: Actor | None = None
) -> Manifest:
    """Back up the database behind ``engine`` and its attachments into a new folder under ``root``.

    With an ``actor`` the backup is written to the audit log (after the copy, so it is in the next one).
    """
    if kind not in KINDS:
        raise BackupError(f"unknown kind of backup {kind!r}: use full or incremental")
    dialect = engine.dialect.name
    root.mkdir(parents=True, exist_ok=True)
    parent = _base(root, kind, dialect)
    backup_id = _new_id(root, kind)
    work = root / f".{backup_id}.partial"
    work.mkdir()
    try:
        manifest = _fill(work, engine, seal, upload_dir, backup_id, kind, parent)
        work.rename(root / backup_id)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if actor is not None:
        with write(engine) as conn, conn.begin():
            detail = {"kind": kind, "folder": str(root / backup_id), "audit_head": manifest.audit.get("head_id")}
            append(conn, actor, "backup_create", "_backup", backup_id, detail)
    return manifest


def _fill(
    work: Path, engine: Engine, seal: Seal | None, upload_dir: Path, backup_id: str, kind: str, parent: Manifest | None
) -> Manifest:
    started = utc_now()
    name = database_file(engine.dialect.name)
    snapshot = copy_database(engine, work / name)
    known = parent.attachments if parent else {}
    attachments: dict[str, str] = {}
    missing: list[str] = []
    for file_id in snapshot.file_ids:
        if file_id in known:
            attachments[file_id] = known[file_id]
            continue
        source = upload_dir / file_id[:2] / file_id
        if not source.is_file():
            missing.append(file_id)
            continue
        target = work / "files" / file_id[:2] / file_id
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        attachments[file_id] = backup_id
    audit: dict[str, object] = {}
    if snapshot.head is not None:
        audit = {"head_id": snapshot.head[0], "head_hash": snapshot.head[1]}
        if seal is not None:  # a signed anchor: `anjian audit verify --anchor DIR/audit-anchor.json`
            anchor = Anchor(snapshot.head[0], snapshot.head[1], started).as_json(seal)
            (work / ANCHOR_COPY).write_text(anchor + "\n", encoding="utf-8")
    files = sorted(
        (FileEntry(p.relative_to(work).as_posix(), p.stat().st_size, file_sha256(p)) for p in work.rglob("*") if p.is_file()),
        key=lambda e: e.path,
    )
    manifest = Manifest(
        id=backup_id,
        kind=kind,
        created_at=started.isoformat(),
        dialect=engine.dialect.name,
        database_file=name,
        tool=snapshot.tool,
        base=(parent.id if parent.kind == "full" else parent.base) if parent else "",
        parent=parent.id if parent else "",
        tables={table: total.as_dict() for table, total in snapshot.tables.items()},
        audit=audit,
        attachments=attachments,
        missing_attachments=missing,
        files=files,
    )
    manifest.sign(seal)
    write_manifest(work, manifest)
    return manifest
