"""Full-text search over everything the public face publishes (信息检索).

Chinese has no spaces, so text is cut into words by jieba (``rjieba``, the Rust port) and the
words are indexed: an SQLite FTS5 table by default, a PostgreSQL ``tsvector`` (``simple``
configuration over the same words) on PostgreSQL. The index is brought up to date when a search
runs, from the rows changed since the last run (``updated_at``), so it needs no hook into writes
and holds across processes. Hits are then read back through the visitor's scope and publication
period, so the index may hold drafts without ever showing one.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import rjieba
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import DBAPIError

from anjian.audit import Actor
from anjian.data.db import write
from anjian.meta.portal_spec import PortalSpec
from anjian.runtime import Platform

from .content import visible

__all__ = ["search", "words"]

MARKS = "anjian_portal_search_mark"
_lock = threading.Lock()


def words(value: str) -> list[str]:
    """The words of ``value`` for the index and for queries (jieba's search mode, no punctuation)."""
    return [w for w in rjieba.cut_for_search(value or "") if w.strip() and any(ch.isalnum() for ch in w)]


def _ensure(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(
            text("CREATE VIRTUAL TABLE IF NOT EXISTS anjian_portal_fts USING fts5(entity UNINDEXED, record_id UNINDEXED, tokens)")
        )
    else:
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS anjian_portal_fts (entity VARCHAR(63) NOT NULL, record_id BIGINT NOT NULL, "
                "tokens TEXT NOT NULL, PRIMARY KEY (entity, record_id))"
            )
        )
        conn.execute(
            text("CREATE INDEX IF NOT EXISTS ix_anjian_portal_fts ON anjian_portal_fts USING GIN (to_tsvector('simple', tokens))")
        )
    conn.execute(text(f"CREATE TABLE IF NOT EXISTS {MARKS} (entity VARCHAR(63) PRIMARY KEY, updated_at VARCHAR(40) NOT NULL)"))


def _stale(platform: Platform, entities: list[str]) -> list[str]:
    """The entities with rows changed since they were indexed (a read, so searches rarely write)."""
    stale = []
    with platform.engine.connect() as conn:
        try:
            marks: dict[str, str] = dict(conn.execute(text(f"SELECT entity, updated_at FROM {MARKS}")).all())
        except DBAPIError:  # no index yet
            return entities
        for name in entities:
            table = platform.registry.table(name)
            latest = conn.execute(select(func.max(table.c.updated_at))).scalar()
            if latest is not None and (name not in marks or latest.isoformat() > marks[name]):
                stale.append(name)
    return stale


def _refresh(platform: Platform, entities: list[str]) -> None:
    """Index the rows of ``entities`` changed since the last refresh (idempotent: delete, insert)."""
    entities = _stale(platform, entities)
    if not entities:
        return
    with _lock, write(platform.engine) as conn, conn.begin():
        _ensure(conn)
        for name in entities:
            spec = platform.registry.entity(name)
            fields = [f for f in (spec.search_fields or ()) if spec.public and f in spec.public.fields]
            if not fields:
                continue
            table = platform.registry.table(name)
            mark_row = conn.execute(text(f"SELECT updated_at FROM {MARKS} WHERE entity = :e"), {"e": name}).first()
            since = dt.datetime.fromisoformat(mark_row[0]) if mark_row else dt.datetime(1970, 1, 1)
            rows = (
                conn.execute(
                    table.select()
                    .with_only_columns(table.c.id, table.c.updated_at, *(table.c[f] for f in fields))
                    .where(table.c.updated_at > since)
                )
                .mappings()
                .all()
            )
            latest = since
            for row in rows:
                tokens = " ".join(words(" ".join(str(row[f] or "") for f in fields)))
                conn.execute(
                    text("DELETE FROM anjian_portal_fts WHERE entity = :e AND record_id = :i"), {"e": name, "i": row["id"]}
                )
                conn.execute(
                    text("INSERT INTO anjian_portal_fts (entity, record_id, tokens) VALUES (:e, :i, :t)"),
                    {"e": name, "i": row["id"], "t": tokens},
                )
                latest = max(latest, row["updated_at"])
            conn.execute(text(f"DELETE FROM {MARKS} WHERE entity = :e"), {"e": name})
            conn.execute(text(f"INSERT INTO {MARKS} (entity, updated_at) VALUES (:e, :u)"), {"e": name, "u": latest.isoformat()})


def _match(conn: Connection, entity: str, terms: list[str], limit: int) -> list[int]:
    if conn.dialect.name == "sqlite":
        query = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sql = "SELECT record_id FROM anjian_portal_fts WHERE anjian_portal_fts MATCH :q AND entity = :e ORDER BY rank LIMIT :n"
        return [int(r[0]) for r in conn.execute(text(sql), {"q": query, "e": entity, "n": limit})]
    sql = (
        "SELECT record_id FROM anjian_portal_fts "
        "WHERE entity = :e AND to_tsvector('simple', tokens) @@ plainto_tsquery('simple', :q) "
        "ORDER BY ts_rank(to_tsvector('simple', tokens), plainto_tsquery('simple', :q)) DESC LIMIT :n"
    )
    return [int(r[0]) for r in conn.execute(text(sql), {"q": " ".join(terms), "e": entity, "n": limit})]


def search(platform: Platform, portal: PortalSpec, query: str, actor: Actor, limit: int = 50) -> list[dict[str, Any]]:
    """Published records of the portal's columns matching every word of ``query``, best first."""
    terms = words(query)[:12]
    if not terms:
        return []
    entities = sorted({c.entity for c in portal.columns})
    _refresh(platform, entities)
    hits: list[dict[str, Any]] = []
    with platform.engine.connect() as conn:
        matched = {name: _match(conn, name, terms, limit * 4) for name in entities}
    for name, ids in matched.items():
        shown = visible(platform, platform.registry.entity(name), actor, ids)
        hits.extend({"entity": name, **shown[i]} for i in ids if i in shown)
    return hits[:limit]
