"""Build SQLAlchemy tables from entity specs: type map and naming convention."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeEngine

from ..meta.compile import Catalog
from ..meta.spec import EntitySpec, FieldSpec

__all__ = ["LONG_STRING", "build_tables", "column_type", "constraint_name"]

LONG_STRING = 4000  # longer (or unbounded) strings are stored as TEXT


def constraint_name(prefix: str, table: str, columns: Iterable[str]) -> str:
    """A stable index name that fits PostgreSQL's 63-character limit."""
    name = f"{prefix}_{table}_{'_'.join(columns)}"
    if len(name) <= 63:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[:54]}_{digest}"


def column_type(field: FieldSpec) -> TypeEngine[Any]:
    """The column type that stores a field's values."""
    if field.attachment is not None:
        return JSON() if field.type == "array" else String(64)
    if field.type == "string":
        if field.format == "date":
            return Date()
        if field.format == "date-time":
            return DateTime()
        if field.max_length is not None and field.max_length <= LONG_STRING:
            return String(field.max_length)
        return Text()
    if field.type == "integer":
        return Integer() if field.link else BigInteger().with_variant(Integer(), "sqlite")
    if field.type == "number":
        return Double()
    if field.type == "boolean":
        return Boolean()
    return JSON()


def _entity_table(metadata: MetaData, entity: EntitySpec, catalog: Catalog) -> Table:
    columns: list[Column[object]] = [Column("id", Integer, primary_key=True, autoincrement=True)]
    if entity.is_child:
        parent = catalog.entities[entity.parent or ""]
        columns += [
            Column("parent_id", Integer, ForeignKey(f"{parent.table}.id", ondelete="CASCADE"), nullable=False),
            Column("position", Integer, nullable=False, default=0),
        ]
    else:
        columns += [
            Column("created_at", DateTime, nullable=False),
            Column("updated_at", DateTime, nullable=False),
            Column("created_by", String(150), nullable=False, default=""),
            Column("updated_by", String(150), nullable=False, default=""),
            Column("row_version", Integer, nullable=False, default=1),
            Column("overrides", JSON, nullable=True),  # waived rule failures: pointer -> reason, who, when, value
        ]
    for field in entity.column_fields:
        args: list[ForeignKey] = []
        if field.link and field.link in catalog.entities:
            args.append(ForeignKey(f"{catalog.entities[field.link].table}.id", ondelete="RESTRICT"))
        columns.append(Column(field.name, column_type(field), *args, nullable=True))
    table = Table(entity.table, metadata, *columns)
    for cols in _indexed(entity):
        Index(constraint_name("ix", entity.table, cols), *(table.c[c] for c in cols))
    for cols in entity.unique:
        Index(constraint_name("uq", entity.table, cols), *(table.c[c] for c in cols), unique=True)
    return table


def _indexed(entity: EntitySpec) -> list[tuple[str, ...]]:
    """Declared indexes plus the columns lists and scope checks always filter on."""
    wanted: list[tuple[str, ...]] = list(entity.indexes)
    singles = [entity.scope, entity.owner, *(f.name for f in entity.column_fields if f.link), *entity.filter_fields]
    if entity.is_child:
        singles.insert(0, "parent_id")
    for name in singles:
        if name and (name,) not in wanted and (name,) not in entity.unique:
            wanted.append((name,))
    # The default order: a list's first page walks this index and stops after one page, not sort every row.
    order = tuple(s.lstrip("-") for s in entity.order_by if entity.has_field(s.lstrip("-")))
    if order and order not in wanted and order not in entity.unique:
        wanted.append(order)
    return wanted


def build_tables(catalog: Catalog) -> tuple[MetaData, dict[str, Table]]:
    """Tables for every entity of the catalog, parents before children."""
    metadata = MetaData()
    tables: dict[str, Table] = {}
    pending = list(catalog.entities.values())
    while pending:
        progressed = False
        for entity in list(pending):
            if entity.parent and entity.parent not in tables:
                continue
            tables[entity.name] = _entity_table(metadata, entity, catalog)
            pending.remove(entity)
            progressed = True
        if not progressed:  # a cycle cannot be declared (children are nested), but never loop forever
            raise RuntimeError(f"child tables without parents: {[e.name for e in pending]}")
    return metadata, tables
