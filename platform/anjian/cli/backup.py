"""``anjian backup create|list|verify|restore``: backups with the engines' own tools (docs/operations.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click

__all__ = ["backup"]


def _fail(text: str) -> NoReturn:
    click.echo(text, err=True)
    sys.exit(1)


def _settings() -> Any:
    from ..config import load_settings

    return load_settings()


def _folders(path: Path) -> list[Path]:
    """A backup folder given, or every backup of a folder of backups."""
    from ..backup import list_backups

    if (path / "manifest.json").exists():
        return [path]
    return [path / m.id for m in list_backups(path)]


@click.group()
def backup() -> None:
    """Backups: the database (SQLite online backup API or pg_dump), attachments, checksums and the audit head."""


@backup.command("create")
@click.option("--full", "kind", flag_value="full", default=True, help="Copy the database and every attachment (default).")
@click.option(
    "--incremental", "kind", flag_value="incremental", help="Copy the database and the attachments added since the last backup."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of backups (default: ANJIAN_BACKUP_DIR).",
)
def create(kind: str, output: Path | None) -> None:
    """Take a backup while the server keeps running; print the new backup's folder."""
    from ..backup import BackupError, create_backup, installation_seal
    from .main import _cli_actor, _platform

    platform = _platform()
    platform.init_db()
    settings = platform.settings
    root = output or settings.backups
    seal = installation_seal(settings.home, settings.audit_key_file)
    try:
        manifest = create_backup(platform.engine, seal, settings.upload_dir, root, kind, _cli_actor())
    except BackupError as error:
        _fail(f"no backup taken: {error}")
    rows = sum(int(t["rows"]) for t in manifest.tables.values())
    added = sum(1 for holder in manifest.attachments.values() if holder == manifest.id)
    click.echo(
        f"{manifest.kind} backup {root / manifest.id}: {len(manifest.tables)} tables, {rows} rows, "
        f"{added} of {len(manifest.attachments)} attachments copied, audit head {manifest.audit.get('head_id', '-')}"
    )
    for file_id in manifest.missing_attachments:
        click.echo(f"warning: attachment {file_id} is recorded but its file is missing from {settings.upload_dir}", err=True)


@backup.command("list")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path), required=False)
def list_(folder: Path | None) -> None:
    """The backups in a folder of backups, oldest first."""
    from ..backup import list_backups

    root = folder or _settings().backups
    backups = list_backups(root)
    if not backups:
        click.echo(f"no backups in {root}")
    for m in backups:
        rows = sum(int(t["rows"]) for t in m.tables.values())
        base = f" on {m.base}" if m.base else ""
        click.echo(f"{m.id}\t{m.kind}{base}\t{m.created_at[:19]}\t{m.dialect}\t{rows} rows\t{len(m.attachments)} attachments")


@backup.command("verify")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def verify(folder: Path) -> None:
    """Check a backup (or every backup in a folder of backups): each missing or altered file is named."""
    from ..backup import installation_seal, verify_backup

    settings = _settings()
    seal = installation_seal(settings.home, settings.audit_key_file)
    folders = _folders(folder)
    if not folders:
        _fail(f"{folder}: no backup here (no manifest.json, and no backup folders below it)")
    failed = 0
    for path in folders:
        problems = verify_backup(path, seal)
        for problem in problems:
            click.echo(problem)
        failed += bool(problems)
        if not problems:
            click.echo(f"{path}: intact")
    if failed:
        _fail(f"{failed} of {len(folders)} backup(s) incomplete or altered")


@backup.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--database-url",
    required=True,
    help="The database to restore onto (SQLAlchemy URL), e.g. sqlite:////srv/anjian/var/anjian.db.",
)
@click.option(
    "--files-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where attachments go (default: HOME/files).",
)
@click.option("--force", is_flag=True, help="Replace a database that already has tables.")
def restore(folder: Path, database_url: str, files_dir: Path | None, force: bool) -> None:
    """Restore a backup (a folder of backups: its newest) and compare every table with the backup."""
    from ..backup import BackupError, installation_seal, restore_backup
    from .main import _cli_actor

    settings = _settings()
    folders = _folders(folder)
    if not folders:
        _fail(f"{folder}: no backup here (no manifest.json, and no backup folders below it)")
    seal = installation_seal(settings.home, settings.audit_key_file)
    try:
        report = restore_backup(folders[-1], database_url, files_dir or settings.upload_dir, seal, _cli_actor(), force=force)
    except BackupError as error:
        _fail(f"not restored: {error}")
    for problem in report.mismatches:
        click.echo(problem)
    if report.mismatches:
        _fail(f"restored {report.backup.id}, but {len(report.mismatches)} table(s) differ from the backup")
    click.echo(f"restored {report.backup.id}: {report.tables} tables match the backup, {report.attachments} attachments")
    if report.key_matches:
        kept = f" (the previous anchor is kept as {report.anchor_kept})" if report.anchor_kept else ""
        click.echo(f"audit anchor set to the backup's head {report.backup.audit.get('head_id')}{kept}; run anjian audit verify")
    else:
        click.echo(
            "the source installation's audit key is not here: copy its audit.key to ANJIAN_HOME (or set "
            "ANJIAN_AUDIT_KEY_FILE) before anjian audit verify; the restore was not written to the audit log",
            err=True,
        )
