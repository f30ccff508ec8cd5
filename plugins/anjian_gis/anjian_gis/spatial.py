"""The spatial index behind bounding-box queries, per database.

``gis_bbox`` (plain columns) holds every located record's box on every database: it is the portable
index and what extents are computed from. On top of it:

- **SQLite**: one R*Tree per layer, ``gis_rtree_<entity>(id = record id, minx, maxx, miny, maxy)``,
  kept in step by the write hook (inside the write's transaction) and rebuilt by
  ``anjian gis reindex``. A box query asks the R*Tree for candidates; the exact comparison on
  ``gis_bbox`` stays, because an R*Tree stores 32-bit floats rounded outwards.
- **PostgreSQL with PostGIS available**: a GiST index on ``ST_MakeEnvelope(minx, miny, maxx, maxy,
  4490)`` of ``gis_bbox`` (created by ``reindex``); box queries add ``&&`` so the planner can use it.
- **PostgreSQL without PostGIS**: the plain columns and their B-tree index.
"""

from __future__ import annotations

import functools
import re
import weakref
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, Table, func, select, text
from sqlalchemy.engine import Connection, Engine

from .geometry import BBox
from .tables import bbox_index

__all__ = ["box_clause", "candidates", "index_kind", "prepare", "put", "rtree_name", "rtree_table"]

POSTGIS_INDEX = "ix_gis_bbox_envelope"
SRID = 4490
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
_KINDS: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def rtree_name(entity: str) -> str:
    if not _NAME.match(entity):
        raise ValueError(f"entity name unfit for an R*Tree table: {entity!r}")
    return f"gis_rtree_{entity}"


@functools.cache
def rtree_table(entity: str) -> Table:
    """The R*Tree of one layer as a SQLAlchemy table (for queries; created with SQL, never by SQLAlchemy).

    One object per layer and process: SQLAlchemy keys its compiled-statement cache by table identity,
    so a new ``Table`` per request made every box query compile afresh.
    """
    return Table(
        rtree_name(entity),
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("minx", Float),
        Column("maxx", Float),
        Column("miny", Float),
        Column("maxy", Float),
    )


def _rtree_exists(conn: Connection, entity: str) -> bool:
    found = conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": rtree_name(entity)}
    ).first()
    return found is not None


def _create_rtree(conn: Connection, entity: str) -> None:
    """Create (or refill) the layer's R*Tree from ``gis_bbox``, so it is never a partial index."""
    name = rtree_name(entity)
    conn.execute(text(f"CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING rtree(id, minx, maxx, miny, maxy)"))
    conn.execute(text(f"DELETE FROM {name}"))
    conn.execute(
        text(
            f"INSERT INTO {name} (id, minx, maxx, miny, maxy) "
            "SELECT record_id, minx, maxx, miny, maxy FROM gis_bbox WHERE entity = :e"
        ),
        {"e": entity},
    )


def put(conn: Connection, entity: str, record_id: int, box: BBox | None) -> None:
    """Mirror one record's row of ``gis_bbox`` (``box`` None: removed) into the layer's R*Tree (SQLite only)."""
    if conn.dialect.name != "sqlite":
        return
    if not _rtree_exists(conn, entity):
        _create_rtree(conn, entity)  # filled from gis_bbox, which already holds this write's row
        return
    name = rtree_name(entity)
    conn.execute(text(f"DELETE FROM {name} WHERE id = :id"), {"id": record_id})
    if box is not None:
        conn.execute(
            text(f"INSERT INTO {name} (id, minx, maxx, miny, maxy) VALUES (:id, :minx, :maxx, :miny, :maxy)"),
            {"id": record_id, "minx": box.minx, "maxx": box.maxx, "miny": box.miny, "maxy": box.maxy},
        )


def prepare(conn: Connection, entity: str) -> str:
    """Build (again) the index of one layer after ``gis_bbox`` was refilled; returns the index kind."""
    if conn.dialect.name == "sqlite":
        _create_rtree(conn, entity)
        return "rtree"
    if conn.dialect.name == "postgresql":
        available = conn.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).first()
        if available is not None:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            conn.execute(
                text(
                    f"CREATE INDEX IF NOT EXISTS {POSTGIS_INDEX} ON gis_bbox "
                    f"USING gist (ST_MakeEnvelope(minx, miny, maxx, maxy, {SRID}))"
                )
            )
            return "postgis"
    return "columns"


def index_kind(engine: Engine, conn: Connection, entity: str) -> str:
    """``rtree``, ``postgis`` or ``columns``: what a box query on ``entity`` can use now."""
    if engine.dialect.name == "sqlite":  # asked each time (microseconds): the next write may create it
        return "rtree" if _rtree_exists(conn, entity) else "columns"
    kind = _KINDS.get(engine)
    if kind is None:
        found = None
        if engine.dialect.name == "postgresql":
            found = conn.execute(text("SELECT 1 FROM pg_indexes WHERE indexname = :n"), {"n": POSTGIS_INDEX}).first()
        kind = "postgis" if found is not None else "columns"
        if kind == "postgis":  # only a positive answer is kept: reindex may create the index later
            _KINDS[engine] = kind
    return kind


def box_clause(kind: str, box: BBox, record_id: Any, entity: str) -> list[Any]:
    """Conditions for ``gis_bbox`` rows intersecting ``box`` (exact), using the index of ``kind``."""
    c = bbox_index.c
    if kind == "rtree":
        # the R*Tree drives (its ids, then gis_bbox and the table by primary key); "+ 0" keeps SQLite
        # from starting at gis_bbox's minx index instead, which scans half of a large layer
        tree = rtree_table(entity)
        near = select(tree.c.id).where(
            tree.c.maxx >= box.minx, tree.c.minx <= box.maxx, tree.c.maxy >= box.miny, tree.c.miny <= box.maxy
        )
        return [
            record_id.in_(near),
            c.maxx + 0 >= box.minx,
            c.minx + 0 <= box.maxx,
            c.maxy + 0 >= box.miny,
            c.miny + 0 <= box.maxy,
        ]
    exact = [c.maxx >= box.minx, c.minx <= box.maxx, c.maxy >= box.miny, c.miny <= box.maxy]
    if kind == "postgis":
        envelope = func.ST_MakeEnvelope(c.minx, c.miny, c.maxx, c.maxy, SRID)
        wanted = func.ST_MakeEnvelope(box.minx, box.miny, box.maxx, box.maxy, SRID)
        return [envelope.op("&&")(wanted), *exact]
    return exact


def candidates(conn: Connection, entity: str, box: BBox) -> list[int]:
    """Record ids whose box may intersect ``box`` according to the layer's R*Tree (tests, diagnostics)."""
    tree = rtree_table(entity)
    query = select(tree.c.id).where(
        tree.c.maxx >= box.minx, tree.c.minx <= box.maxx, tree.c.maxy >= box.miny, tree.c.miny <= box.maxy
    )
    return [int(v) for v in conn.execute(query.order_by(tree.c.id)).scalars()]
