"""Backups with the engines' own tools (SQLite's online backup API, pg_dump), and their restore.

A folder of backups holds one sub-folder per backup: the database copy, the attachments it adds,
a signed copy of the audit chain's anchor and ``manifest.json`` (checksums of every file, row
counts and checksums of every table, the audit head). See docs/operations.md. Imports the
store, audit and config layers only; the CLI and the Celery beat call these functions.
"""

from .create import KINDS, create_backup, list_backups
from .engines import BackupError
from .manifest import Manifest, ManifestInvalid, read_manifest
from .restore import RestoreReport, installation_seal, restore_backup
from .retention import prune
from .verify import verify_backup

__all__ = [
    "KINDS",
    "BackupError",
    "Manifest",
    "ManifestInvalid",
    "RestoreReport",
    "create_backup",
    "installation_seal",
    "list_backups",
    "prune",
    "read_manifest",
    "restore_backup",
    "verify_backup",
]
