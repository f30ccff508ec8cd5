"""Many new records of one entity inserted in chunks, their ids returned in row order (imports).

PostgreSQL returns the ids in parameter order with RETURNING. SQLite would then insert row by
row, so there the rows go to the driver's executemany and the ids are read from the table: the
write transaction holds the database lock and rowids are assigned one after another. The SQLite
statement is compiled once per import, and each row becomes the driver's parameter tuple
directly (the codec's conversion, then the column type's own bind processor, as SQLAlchemy would
apply it; the stamp columns converted once), instead of SQLAlchemy building and processing a
parameter dictionary per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select

from ..meta.spec import EntitySpec
from .codec import Codec

__all__ = ["CHUNK", "DriverRows", "driver_statement", "insert_records"]

CHUNK = 2000


def insert_records(
    conn: Connection, table: Table, spec: EntitySpec, codec: Codec, records: Iterable[Mapping[str, Any]], stamp: Mapping[str, Any]
) -> list[int]:
    """Insert ``records`` (JSON values of ``spec``'s columns) with the ``stamp`` columns; their ids in order."""
    converters = {f.name: partial(codec.to_db, f) for f in spec.converted_fields}
    if conn.dialect.name == "sqlite":
        driver = driver_statement(conn, table, spec.column_names, converters, stamp)
        if driver is not None:
            return _insert_sqlite(conn, table, (driver.row(r) for r in records), driver.sql)
        rows: Iterable[Any] = (_stored(spec.column_names, converters, r, stamp) for r in records)
        return _insert_sqlite(conn, table, rows, None)
    ids: list[int] = []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    chunks = iter(records)
    while chunk := [_stored(spec.column_names, converters, r, stamp) for r in islice(chunks, CHUNK)]:
        ids += conn.execute(statement, chunk).scalars()
    return ids


def _stored(
    names: tuple[str, ...], converters: Mapping[str, Callable[[Any], Any]], record: Mapping[str, Any], stamp: Mapping[str, Any]
) -> dict[str, Any]:
    """A record's row as SQLAlchemy parameters (``RecordService.row_values`` plus the stamp)."""
    values = {name: record.get(name) for name in names}
    for name, convert in converters.items():
        if values[name] is not None:
            values[name] = convert(values[name])
    values.update(stamp)
    return values


def _insert_sqlite(conn: Connection, table: Table, rows: Iterable[Any], sql: str | None) -> list[int]:
    ids: list[int] = []
    rows = iter(rows)
    while chunk := list(islice(rows, CHUNK)):
        before = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
        if sql is None:
            conn.execute(insert(table), chunk)
        else:
            conn.exec_driver_sql(sql, chunk)
        after = conn.execute(select(func.max(table.c.id))).scalar_one()
        if after - before != len(chunk):
            raise RuntimeError("rowids were not assigned in sequence; import rolled back")
        ids += range(before + 1, after + 1)
    return ids


class DriverRows:
    """One import's INSERT for the driver, and how a record becomes its parameter tuple."""

    def __init__(self, sql: str, names: list[str], steps: list[tuple[int, Callable[[Any], Any]]], tail: tuple[Any, ...]) -> None:
        self.sql = sql
        self.names = names  # the record's columns, in the statement's order
        self.steps = steps  # (position, conversion) where a value changes on its way to the driver
        self.tail = tail  # the stamp columns' driver values

    def row(self, record: Mapping[str, Any]) -> tuple[Any, ...]:
        get = record.get
        values = [get(name) for name in self.names]
        for position, convert in self.steps:
            values[position] = convert(values[position])
        values.extend(self.tail)
        return tuple(values)


def driver_statement(
    conn: Connection,
    table: Table,
    columns: tuple[str, ...],
    converters: Mapping[str, Callable[[Any], Any]],
    stamp: Mapping[str, Any],
) -> DriverRows | None:
    """SQLite's INSERT of ``columns`` and the stamp, and how a record becomes its parameters;
    None when SQLAlchemy would add values of its own (Python-side column defaults): then it inserts."""
    dialect = conn.dialect
    names = [c.name for c in table.c if c.name in columns]
    stamped = [c.name for c in table.c if c.name in stamp]
    keys = names + stamped
    if len(names) != len(columns) or len(stamped) != len(stamp) or dialect.paramstyle != "qmark":
        return None
    if any(c.default is not None for c in table.c if c.name not in keys):
        return None
    quote = dialect.identifier_preparer
    sql = (
        f"INSERT INTO {quote.format_table(table)} ({', '.join(quote.quote(k) for k in keys)}) "
        f"VALUES ({', '.join('?' for _ in keys)})"
    )
    processors = {c.name: c.type.dialect_impl(dialect).bind_processor(dialect) for c in table.c if c.name in keys}
    steps: list[tuple[int, Callable[[Any], Any]]] = []
    for position, name in enumerate(names):
        convert, process = converters.get(name), processors[name]
        if process is not None:
            steps.append((position, _processed(convert, process)))
        elif convert is not None:
            steps.append((position, convert))
    tail = []
    for key in stamped:
        process = processors[key]
        tail.append(stamp[key] if process is None else process(stamp[key]))
    return DriverRows(sql, names, steps, tuple(tail))


def _processed(convert: Callable[[Any], Any] | None, process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The codec's conversion (of values, not None), then the column's bind processor, which
    SQLAlchemy applies to None too (a JSON column stores ``null``): its answer for None is asked once."""
    empty = process(None)
    if convert is None:
        return lambda value: empty if value is None else process(value)
    return lambda value: empty if value is None else process(convert(value))
