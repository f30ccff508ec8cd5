"""Store and publish catalog versions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, text

from .. import audit
from ..audit import Actor
from ..data.db import write
from ..data.sync import Plan, apply_plan, plan_sync
from ..data.system import catalog_version, dictionary_item
from ..hooks import NamedFunctions
from ..meta.compile import Catalog, compile_catalog
from ..meta.loader import Document
from ..store.clock import utc_now
from .registry import Registry

__all__ = ["PublishResult", "current_version", "load_documents_at", "publish"]


@dataclass
class PublishResult:
    """What a publish did (or, with dry_run, would do)."""

    version: int
    plan: Plan
    changed: list[str]
    dry_run: bool = False


def current_version(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(catalog_version.c.version), 0))).scalar_one())


def version_digest(conn: Connection, version: int) -> str:
    """The digest of a stored version's documents ("" when there is none)."""
    digest = conn.execute(select(catalog_version.c.digest).where(catalog_version.c.version == version)).scalar()
    return str(digest or "")


def load_documents_at(conn: Connection, version: int) -> list[Document]:
    row = conn.execute(select(catalog_version.c.documents).where(catalog_version.c.version == version)).first()
    if row is None:
        return []
    return [Document(path=d["path"], kind=d["kind"], name=d["name"], content=d["content"]) for d in row[0]]


def _key(document: Document) -> tuple[str, str]:
    return document.kind, document.name


def merge(current: Iterable[Document], incoming: Iterable[Document], replace_all: bool) -> list[Document]:
    """Incoming documents replace stored ones of the same kind and name (or all, with replace_all)."""
    merged = {} if replace_all else {_key(d): d for d in current}
    for document in incoming:
        merged[_key(document)] = document
        renamed = document.content.get("x-anjian", {}).get("renamed_from") if document.kind == "entity" else None
        if renamed and ("entity", renamed) not in {_key(d) for d in incoming}:
            merged.pop(("entity", renamed), None)  # a renamed entity replaces its old declaration
    return sorted(merged.values(), key=lambda d: (d.kind != "dictionary", d.kind != "module", d.path, d.name))


def _digest(documents: list[Document]) -> str:
    body = json.dumps([[d.kind, d.name, d.content] for d in documents], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def _renames(catalog: Catalog) -> tuple[dict[str, str], dict[str, dict[str, str]], dict[str, tuple[str, ...]]]:
    tables = {e.table: e.renamed_from for e in catalog.entities.values() if e.renamed_from}
    columns = {e.table: {f.name: f.renamed_from for f in e.fields if f.renamed_from} for e in catalog.entities.values()}
    drops = {e.table: e.drop_fields for e in catalog.entities.values() if e.drop_fields}
    return tables, {k: v for k, v in columns.items() if v}, drops


@contextmanager
def _ddl_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction fit for DDL; on SQLite with foreign keys off while tables are rebuilt.

    SQLite's table rebuild (for drops and type changes) drops the old table, and with foreign
    keys on that would cascade-delete child rows; they are re-checked before commit.
    """
    with write(engine) as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                yield conn
                if sqlite:
                    broken = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
                    if broken:
                        raise RuntimeError(f"schema change would break links: {broken[:5]}")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def _changed(old: list[Document], new: list[Document]) -> list[str]:
    """Documents added or changed (``kind:name``) and, with ``replace_all``, withdrawn (``-kind:name``)."""
    before = {_key(d): d.content for d in old}
    after = {_key(d) for d in new}
    removed = [f"-{d.kind}:{d.name}" for d in old if _key(d) not in after]
    return [f"{d.kind}:{d.name}" for d in new if before.get(_key(d)) != d.content] + removed


def publish(
    engine: Engine,
    incoming: list[Document],
    functions: NamedFunctions,
    actor: Actor,
    *,
    export_dir: Path,
    confirm_destructive: bool = False,
    dry_run: bool = False,
    replace_all: bool = False,
    comment: str = "",
) -> PublishResult:
    """Validate, plan, apply and record a new catalog version (all or nothing)."""
    with engine.connect() as conn:
        version = current_version(conn)
        current = load_documents_at(conn, version)
    documents = merge(current, incoming, replace_all)
    catalog = compile_catalog(documents, functions.names())
    registry = Registry(catalog, version + 1, functions)
    renamed_tables, renamed_columns, drops = _renames(catalog)
    changed = _changed(current, documents)
    with _ddl_transaction(engine) as conn:
        plan = plan_sync(conn, registry.metadata, renamed_tables, renamed_columns, drops)
        if dry_run:
            return PublishResult(version, plan, changed, dry_run=True)
        if not changed and not plan.actions:
            return PublishResult(version, plan, [])
        apply_plan(conn, registry.metadata, plan, confirm_destructive=confirm_destructive, export_dir=export_dir)
        _store_dictionaries(conn, catalog, changed)
        new_version = current_version(conn) + 1
        conn.execute(
            insert(catalog_version).values(
                version=new_version,
                published_at=utc_now(),
                published_by=actor.username,
                comment=comment,
                documents=[{"path": d.path, "kind": d.kind, "name": d.name, "content": d.content} for d in documents],
                plan=plan.as_dict(),
                digest=_digest(documents),
            )
        )
        audit.append(
            conn,
            actor,
            "publish",
            "",
            new_version,
            {"changed": changed, "plan": [c.describe() for c in plan.changes], "exports": plan.exports},
        )
    return PublishResult(new_version, plan, changed)


def _store_dictionaries(conn: Connection, catalog: Catalog, changed: list[str]) -> None:
    """Keep the dictionary items table (used for SQL joins and pickers) in step."""
    for name, spec in catalog.dictionaries.items():
        if f"dictionary:{name}" not in changed:
            continue
        conn.execute(delete(dictionary_item).where(dictionary_item.c.dictionary == name))
        rows: list[dict[str, Any]] = [
            {
                "dictionary": name,
                "code": i.code,
                "label": i.label,
                "parent": i.parent,
                "level": i.level,
                "valid_from": i.valid_from,
                "valid_to": i.valid_to,
                "position": n,
            }
            for n, i in enumerate(spec.items)
        ]
        if rows:
            conn.execute(insert(dictionary_item), rows)
