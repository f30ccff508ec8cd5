"""Row counts and content checksums of every table: the proof that a restore equals its backup.

A checksum hashes each row's values in primary-key order (all columns when a table has no key),
one canonical JSON line per row, so two databases of the same engine with the same content give
the same digest whatever their page layout. Rows are streamed; nothing is held in memory.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, MetaData, Table, inspect, select

from ..data.reflection import skipping_expression_indexes

__all__ = ["TableSum", "table_checksums"]


@dataclass(frozen=True)
class TableSum:
    """A table's row count and SHA-256 of its rows."""

    rows: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "sha256": self.sha256}


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)


def _user_tables(connection: Connection) -> list[str]:
    names = inspect(connection).get_table_names()
    return sorted(n for n in names if not n.startswith("sqlite_"))


@skipping_expression_indexes()
def table_checksums(connection: Connection) -> dict[str, TableSum]:
    """Every user table's row count and content checksum, in the connection's current snapshot."""
    sums: dict[str, TableSum] = {}
    for name in _user_tables(connection):
        table = Table(name, MetaData(), autoload_with=connection)
        order = list(table.primary_key.columns) or list(table.columns)
        digest = hashlib.sha256()
        count = 0
        result = connection.execute(select(table).order_by(*order).execution_options(yield_per=2000))
        try:
            for row in result:
                line = json.dumps(list(row), default=_plain, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                digest.update(line.encode())
                digest.update(b"\n")
                count += 1
        finally:
            result.close()
        sums[name] = TableSum(count, digest.hexdigest())
    return sums
