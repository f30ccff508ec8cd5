"""Databases built once per test session and copied for each test.

Publishing the standard metadata, creating Flask-AppBuilder's permissions and hashing the test
users' passwords take seconds; copying a SQLite file takes milliseconds. A template is built the
first time a test asks for it, into a session folder, with the test's own settings (only HOME and
the database differ), and every later test with the same settings gets a copy of its database
file and HOME. On PostgreSQL (ANJIAN_TEST_DATABASE_URL) a template is a database of its own beside
the test's, and the test's database is created from it (``CREATE DATABASE … TEMPLATE``, a file copy
on the server). Other databases (in-memory SQLite) run the builder in place. Templates are built on
the system clock, whatever clock the test that first needs one has installed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from ..config import Settings
from ..store.clock import system_clock, use_clock

__all__ = ["Templates", "recreate_database", "sqlite_path"]

# Settings that name where a database lives rather than what is in it.
_PLACE = {"home", "database_url", "broker_url", "result_backend"}

T = TypeVar("T")


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


class Templates:
    """Template databases under ``root``, one per (name, settings); see the module docstring."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.built: dict[str, tuple[Path, object]] = {}

    def prepare(self, name: str, settings: Settings, build: Callable[[Settings], T]) -> T:
        """Give ``settings`` the database (and HOME) that ``build`` makes; answer what it returned.

        SQLite: a copy of template ``name``, built on first use. Other databases: ``build`` runs in place.
        """
        target = sqlite_path(settings.db_url)
        postgres = make_url(settings.db_url) if make_url(settings.db_url).get_backend_name() == "postgresql" else None
        if target is None and postgres is None:
            with use_clock(system_clock):
                return build(settings)
        key = self._key(name, settings)
        if key not in self.built:
            self._build(key, settings, build)
        folder, result = self.built[key]
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / "template.sqlite", target)
        elif postgres is not None:
            recreate_database(postgres, _template_name(postgres, key))
        shutil.copytree(folder / "home", settings.home, dirs_exist_ok=True)
        return cast(T, result)

    def _key(self, name: str, settings: Settings) -> str:
        content = {k: v for k, v in settings.model_dump(mode="json").items() if k not in _PLACE}
        digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]
        return f"{name}-{digest}"

    def _build(self, key: str, settings: Settings, build: Callable[[Settings], object]) -> None:
        folder = self.root / key
        shutil.rmtree(folder, ignore_errors=True)  # a build that failed half-way starts again
        folder.mkdir(parents=True)
        database = folder / "db.sqlite"
        url = make_url(settings.db_url)
        if url.get_backend_name() == "postgresql":
            template = url.set(database=_template_name(url, key))
            recreate_database(template, None)
            url_text = template.render_as_string(hide_password=False)
        else:
            url_text = f"sqlite:///{database}"
        with use_clock(system_clock):
            result = build(settings.model_copy(update={"home": folder / "home", "database_url": url_text}))
        if url.get_backend_name() != "postgresql":
            _snapshot(database, folder / "template.sqlite")
        self.built[key] = (folder, result)


def _snapshot(source: Path, target: Path) -> None:
    """Copy a live SQLite database, write-ahead log included, into one self-contained file."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _template_name(url: URL, key: str) -> str:
    """The template database of ``key`` beside the test database (PostgreSQL names: 63 bytes)."""
    return f"{url.database}_t_{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def recreate_database(url: URL, template: str | None = None) -> None:
    """(Re)create the database of ``url``, empty or as a copy of ``template``, ending other sessions."""
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            if template is None:
                conn.execute(text(f'CREATE DATABASE "{url.database}"'))
                return
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"),
                {"name": template},
            )
            conn.execute(text(f'CREATE DATABASE "{url.database}" TEMPLATE "{template}"'))
    finally:
        engine.dispose()
