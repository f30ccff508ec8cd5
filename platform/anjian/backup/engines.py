"""The database engines' own copy tools: SQLite's online backup API, pg_dump and pg_restore.

Both copies are consistent while the server keeps writing. SQLite's backup API copies the whole
file in one step inside one read transaction (WAL mode lets writers go on meanwhile); pg_dump
dumps a snapshot exported by a repeatable-read transaction that stays open while the dump runs.
The table checksums, the audit chain's head and the attachment ids are read in that same
snapshot (SQLite: from the copy itself), so the manifest describes exactly what was copied.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, desc, inspect, make_url, select, text

from ..audit.tables import audit_log
from ..store.db import SYSTEM
from .checksums import TableSum, table_checksums

__all__ = ["BackupError", "Snapshot", "copy_database", "database_file", "dialect_of", "is_empty", "restore_database"]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Snapshot:
    """What the copy holds, read in the copy's own snapshot."""

    tables: dict[str, TableSum]
    head: tuple[int, str] | None  # the audit chain's newest entry
    file_ids: list[str]  # attachments recorded in the database
    tool: str


def dialect_of(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"cannot back up or restore a {name} database: anjian supports SQLite and PostgreSQL")
    return name


def database_file(dialect: str) -> str:
    return "database.sqlite3" if dialect == "sqlite" else "database.pgdump"


def _describe(connection: Connection, tool: str) -> Snapshot:
    tables = table_checksums(connection)
    head = None
    if audit_log.name in tables:
        row = connection.execute(select(audit_log.c.id, audit_log.c.hash).order_by(desc(audit_log.c.id)).limit(1)).first()
        head = (int(row.id), str(row.hash)) if row else None
    file_ids: list[str] = []
    stored = SYSTEM.tables.get("anjian_file")
    if stored is not None and stored.name in tables:
        file_ids = [str(i) for i in connection.execute(select(stored.c.id).order_by(stored.c.id)).scalars()]
    return Snapshot(tables, head, file_ids, tool)


def copy_database(engine: Engine, target: Path) -> Snapshot:
    """Copy the database behind ``engine`` to ``target`` with the engine's own tool."""
    if engine.dialect.name == "sqlite":
        return _copy_sqlite(engine, target)
    return _dump_postgres(engine, target)


def _sqlite_path(url: str) -> str:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored: set ANJIAN_DATABASE_URL to a file")
    return path


def _copy_sqlite(engine: Engine, target: Path) -> Snapshot:
    source = sqlite3.connect(_sqlite_path(engine.url.render_as_string(hide_password=False)), timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # all pages in one step: one read transaction, one consistent state
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        copy.close()
        source.close()
    reader = create_engine(f"sqlite:///{target}")
    try:
        with reader.connect() as conn:
            return _describe(conn, f"SQLite {sqlite3.sqlite_version} online backup API")
    finally:
        reader.dispose()


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI (no password) and the environment carrying the password."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return plain, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install PostgreSQL's client programs (Debian: apt-get install postgresql-client)")
    return found


def _run(arguments: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(arguments, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(arguments[0]).name} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _dump_postgres(engine: Engine, target: Path) -> Snapshot:
    uri, env = _libpq(engine.url.render_as_string(hide_password=False))
    version = subprocess.run([_tool("pg_dump"), "--version"], capture_output=True, text=True, check=False).stdout.strip()
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        _run([_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={target}", f"--dbname={uri}"], env)
        return _describe(conn, version or "pg_dump")


def is_empty(url: str) -> bool:
    """True when the database has no tables (a SQLite file that does not exist yet counts as empty)."""
    if dialect_of(url) == "sqlite" and not Path(_sqlite_path(url)).exists():
        return True
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return not [n for n in inspect(conn).get_table_names() if not n.startswith("sqlite_")]
    finally:
        engine.dispose()


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def restore_database(source: Path, dialect: str, url: str) -> None:
    """Replace the database at ``url`` with the copy in ``source`` (the caller checked it may)."""
    if dialect == "sqlite":
        path = Path(_sqlite_path(url))
        path.parent.mkdir(parents=True, exist_ok=True)
        backup = sqlite3.connect(source)
        target = sqlite3.connect(path, timeout=30)
        try:
            backup.backup(target)  # page by page over whatever was there, under SQLite's own locks
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
            backup.close()
        return
    with _engine(url) as engine, engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    uri, env = _libpq(url)
    _run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={uri}",
            str(source),
        ],
        env,
    )
