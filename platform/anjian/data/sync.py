"""Safe schema sync: compare declared tables with the database, plan, and apply.

Additive changes (new table, column, index, a longer string) apply on their own. Anything that
could lose data (dropping a column, a shorter string, a narrower type) is refused unless the
caller confirms, and even then the affected values are exported to a file first. A field
removed from a declaration keeps its column and data. Renames are declared, never guessed.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.types import TypeEngine

from ..errors import SchemaChangeRefused
from .reflection import skipping_expression_indexes

__all__ = ["Change", "Plan", "apply_plan", "plan_sync"]


@dataclass
class Change:
    """One step of a plan; ``affected`` counts stored values that would be lost or touched."""

    kind: str
    table: str
    column: str = ""
    detail: str = ""
    destructive: bool = False
    blocked: bool = False
    affected: int = 0
    old: str = ""
    new: str = ""

    def describe(self) -> str:
        target = f"{self.table}.{self.column}" if self.column else self.table
        mark = "DESTRUCTIVE " if self.destructive else ("BLOCKED " if self.blocked else "")
        return f"{mark}{self.kind} {target}: {self.detail}"


@dataclass
class Plan:
    """What a publish would do to the database."""

    changes: list[Change] = field(default_factory=list)
    exports: list[str] = field(default_factory=list)

    @property
    def destructive(self) -> list[Change]:
        return [c for c in self.changes if c.destructive]

    @property
    def blocked(self) -> list[Change]:
        return [c for c in self.changes if c.blocked]

    @property
    def actions(self) -> list[Change]:
        return [c for c in self.changes if c.kind not in ("retain_column", "note")]

    def render(self) -> str:
        if not self.changes:
            return "schema plan: no database changes"
        lines = ["schema plan:"] + [f"  - {c.describe()}" for c in self.changes]
        if self.exports:
            lines += ["data exported before destructive changes:"] + [f"  - {path}" for path in self.exports]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {"changes": [asdict(c) for c in self.changes], "exports": list(self.exports)}


# Type kinds: the comparison ignores dialect spellings.
def _kind(type_: TypeEngine[Any]) -> tuple[str, int | None]:
    if isinstance(type_, JSON):
        return "json", None
    if isinstance(type_, Boolean):
        return "boolean", None
    if isinstance(type_, DateTime):
        return "datetime", None
    if isinstance(type_, Date):
        return "date", None
    if isinstance(type_, Integer):
        return "integer", None
    if isinstance(type_, Float):
        return "number", None
    if isinstance(type_, String) and not isinstance(type_, Text) and type_.length:
        return "string", type_.length
    if isinstance(type_, String):
        return "text", None
    if type(type_).__name__.upper() in ("JSONB",):
        return "json", None
    return type(type_).__name__.lower(), None


# old kind -> kinds it can become without losing anything
_WIDENS = {
    "integer": {"number", "string", "text"},
    "number": {"text", "string"},
    "boolean": {"text", "string"},
    "date": {"datetime", "text", "string"},
    "datetime": {"text", "string"},
    "string": {"text"},
}


def _compare(old: TypeEngine[Any], new: TypeEngine[Any]) -> str:
    """'same', 'widen' or 'narrow'."""
    (ok, ol), (nk, nl) = _kind(old), _kind(new)
    if ok == nk:
        if ok == "string" and ol != nl:
            return "widen" if (nl or 0) > (ol or 0) else "narrow"
        return "same"
    if nk in _WIDENS.get(ok, set()):
        if nk == "string" and ok in ("integer", "number", "date", "datetime", "boolean"):
            return "widen" if (nl or 0) >= 32 else "narrow"
        return "widen"
    return "narrow"


def _type_text(type_: TypeEngine[Any]) -> str:
    kind, length = _kind(type_)
    return f"{kind}({length})" if length else kind


@skipping_expression_indexes()
def plan_sync(
    connection: Connection,
    metadata: MetaData,
    renamed_tables: dict[str, str],
    renamed_columns: dict[str, dict[str, str]],
    drops: dict[str, tuple[str, ...]],
) -> Plan:
    """Plan the changes that make the database match ``metadata``.

    ``renamed_tables``: new table -> old table; ``renamed_columns``: table -> {new: old};
    ``drops``: table -> columns the declarations ask to drop for good.
    """
    inspector = inspect(connection)
    existing = set(inspector.get_table_names())
    plan = Plan()
    for table in metadata.sorted_tables:
        old_name = renamed_tables.get(table.name)
        if table.name not in existing and old_name and old_name in existing:
            plan.changes.append(Change("rename_table", table.name, detail=f"from {old_name}", old=old_name))
            db_table = old_name
        elif table.name not in existing:
            plan.changes.append(Change("create_table", table.name, detail=f"{len(table.columns)} columns"))
            continue
        else:
            db_table = table.name
        plan.changes.extend(
            _plan_table(connection, inspector, table, db_table, renamed_columns.get(table.name, {}), drops.get(table.name, ()))
        )
    return plan


def _count(connection: Connection, table: str, where: str = "", params: dict[str, Any] | None = None) -> int:
    from sqlalchemy import text

    quoted = connection.dialect.identifier_preparer.quote(table)
    return int(connection.execute(text(f"SELECT count(*) FROM {quoted} {where}"), params or {}).scalar_one())


def _plan_table(
    connection: Connection, inspector: Any, table: Table, db_table: str, renames: dict[str, str], drops: tuple[str, ...]
) -> Iterator[Change]:
    from sqlalchemy import text

    q = connection.dialect.identifier_preparer.quote
    columns = {c["name"]: c for c in inspector.get_columns(db_table)}
    wanted = {c.name for c in table.columns}
    for column in table.columns:
        old = renames.get(column.name)
        if column.name not in columns and old and old in columns:
            yield Change("rename_column", table.name, column.name, f"from {old}", old=old)
            current = columns[old]
        elif column.name not in columns:
            yield Change("add_column", table.name, column.name, _type_text(column.type), new=_type_text(column.type))
            continue
        else:
            current = columns[column.name]
        verdict = _compare(current["type"], column.type)
        if verdict == "same":
            continue
        change = Change(
            f"{verdict}_type",
            table.name,
            column.name,
            f"{_type_text(current['type'])} -> {_type_text(column.type)}",
            old=_type_text(current["type"]),
            new=_type_text(column.type),
        )
        if verdict == "narrow":
            change.destructive = True
            name = current["name"]
            kind, length = _kind(column.type)
            if kind == "string" and _kind(current["type"])[0] in ("string", "text"):
                change.affected = _count(connection, db_table, f"WHERE length({q(name)}) > :n", {"n": length})
                change.detail += f"; {change.affected} values longer than {length} would be cut"
            else:
                change.affected = _count(connection, db_table, f"WHERE {q(name)} IS NOT NULL")
                change.detail += f"; {change.affected} stored values would be converted, unconvertible ones emptied"
        yield change
    renamed_away = set(renames.values())
    for name in columns:
        if name in wanted or name in renamed_away:
            continue
        filled = _count(connection, db_table, f"WHERE {q(name)} IS NOT NULL")
        if name in drops:
            yield Change(
                "drop_column", table.name, name, f"{filled} stored values would be deleted", destructive=True, affected=filled
            )
        else:
            yield Change("retain_column", table.name, name, f"no longer declared; column and its {filled} values are kept")
    index_names = {i["name"]: i for i in inspector.get_indexes(db_table)}
    for index in table.indexes:
        if index.name in index_names:
            continue
        cols = [c.name for c in index.columns]
        change = Change(
            "create_index", table.name, ",".join(cols), f"{'unique ' if index.unique else ''}{index.name}", new=str(index.name)
        )
        if index.unique and all(c in columns or c in renames for c in cols):
            src = [q(renames.get(c, c)) if c not in columns else q(c) for c in cols]
            dupes = int(
                connection.execute(
                    text(
                        f"SELECT count(*) FROM (SELECT {', '.join(src)} FROM {q(db_table)} "
                        f"WHERE {' AND '.join(s + ' IS NOT NULL' for s in src)} GROUP BY {', '.join(src)} HAVING count(*) > 1) d"
                    )
                ).scalar_one()
            )
            if dupes:
                change.blocked = True
                change.affected = dupes
                change.detail += f"; {dupes} values are stored more than once. Resolve the duplicates, then publish again"
        yield change
    # Indexes that back a constraint (PostgreSQL reports them) belong to the constraint, not to us.
    declared = {i.name for i in table.indexes} | {c.name for c in table.constraints if c.name}
    for name, index in index_names.items():
        if index.get("duplicates_constraint"):
            continue
        if name and name.startswith(("ix_", "uq_")) and name not in declared:
            yield Change("drop_index", table.name, ",".join(index["column_names"]), f"{name} no longer declared", old=name)


def _export_column(connection: Connection, table: str, column: str, change: Change, export_dir: Path) -> str:
    """Write (id, value) of every affected stored value to a CSV file; return its path."""
    export_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
    path = export_dir / f"{table}.{column}.{change.kind}.{stamp}.csv"
    db_table = Table(table, MetaData(), autoload_with=connection)
    col = db_table.c[column]
    rows = connection.execute(select(db_table.c.id, col).where(col.is_not(None)).order_by(db_table.c.id))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", column])
        for row in rows:
            writer.writerow(row)
    return str(path.resolve())


def _convert(value: Any, kind: str, length: int | None) -> Any:
    try:
        if kind == "integer":
            number = float(value)
            return int(number) if number.is_integer() else None
        if kind == "number":
            return float(value)
        if kind == "boolean":
            return {"true": True, "1": True, "false": False, "0": False}.get(str(value).strip().lower())
        if kind == "string":
            return str(value)[:length]
        if kind == "text":
            return str(value)
        if kind == "date":
            return dt.date.fromisoformat(str(value)[:10])
        if kind == "datetime":
            return dt.datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None
    return None


def _rewrite_values(connection: Connection, table: str, column: Column[Any]) -> None:
    """Convert stored values in Python before a narrowing type change (unconvertible -> NULL)."""
    db_table = Table(table, MetaData(), autoload_with=connection)
    col = db_table.c[column.name]
    kind, length = _kind(column.type)
    rows = connection.execute(select(db_table.c.id, col).where(col.is_not(None))).all()
    for row_id, value in rows:
        connection.execute(update(db_table).where(db_table.c.id == row_id).values({column.name: _convert(value, kind, length)}))


@skipping_expression_indexes()
def apply_plan(connection: Connection, metadata: MetaData, plan: Plan, *, confirm_destructive: bool, export_dir: Path) -> Plan:
    """Apply ``plan`` inside the caller's transaction; refuse data loss unless confirmed."""
    if plan.blocked or (plan.destructive and not confirm_destructive):
        raise SchemaChangeRefused(plan)
    ops = Operations(MigrationContext.configure(connection))
    tables = {t.name: t for t in metadata.sorted_tables}
    created = [tables[c.table] for c in plan.changes if c.kind == "create_table"]
    metadata.create_all(connection, tables=created)
    for change in plan.changes:
        table = tables[change.table]
        if change.kind == "rename_table":
            ops.rename_table(change.old, change.table)
    by_table: dict[str, list[Change]] = {}
    for change in plan.changes:
        if change.kind not in ("create_table", "rename_table", "retain_column", "create_index", "drop_index"):
            by_table.setdefault(change.table, []).append(change)
    for name, changes in by_table.items():
        table = tables[name]
        for change in changes:
            if change.destructive:
                source = change.old if change.kind == "rename_column" else change.column
                plan.exports.append(_export_column(connection, name, source, change, export_dir))
        for change in changes:
            if change.kind == "narrow_type" and _kind(table.c[change.column].type)[0] not in ("string", "text"):
                _rewrite_values(connection, name, table.c[change.column])
        with ops.batch_alter_table(name) as batch:
            for change in changes:
                if change.kind == "rename_column":
                    batch.alter_column(change.old, new_column_name=change.column)
                elif change.kind == "add_column":
                    column = table.c[change.column]
                    batch.add_column(Column(column.name, column.type, nullable=True))
                elif change.kind == "drop_column":
                    batch.drop_column(change.column)
        for change in changes:
            if change.kind == "narrow_type" and _kind(table.c[change.column].type)[0] == "string":
                col = Table(name, MetaData(), autoload_with=connection).c[change.column]
                length = _kind(table.c[change.column].type)[1]
                connection.execute(
                    update(col.table).where(func.length(col) > length).values({change.column: func.substr(col, 1, length)})
                )
        type_changes = [c for c in changes if c.kind in ("widen_type", "narrow_type")]
        if type_changes:
            with ops.batch_alter_table(name) as batch:
                for change in type_changes:
                    column = table.c[change.column]
                    using = f"{change.column}::{column.type.compile(connection.dialect)}"
                    batch.alter_column(change.column, type_=column.type, existing_nullable=True, postgresql_using=using)
    for change in plan.changes:
        if change.kind == "drop_index":
            ops.drop_index(change.old, table_name=change.table)
    for change in plan.changes:
        if change.kind == "create_index":
            index = next(i for i in tables[change.table].indexes if i.name == change.new)
            index.create(connection)
    return plan
