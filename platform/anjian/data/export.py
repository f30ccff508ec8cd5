"""Export records as CSV or XLSX that a clerk can read and a spreadsheet cannot run.

- **Readable.** A field holding codes (an enum, a code-table value such as a region or an
  industry, a link to another record) is written twice: its title column holds the label
  (安溪县, 煤炭开采和洗选业, the linked record's title) and ``<title>（代码）`` holds the code.
  Import reads the code column and skips the label beside it (``code_header``), so an exported
  file imports again.
- **Inert.** A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a line break is
  a formula to Excel, LibreOffice and Google Sheets (OWASP "CSV injection"): it gets a leading
  ``'`` (``neutralise``; ``restore`` takes it off again on import). XLSX cells are also typed as
  text, never as formulas; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO, Any

from sqlalchemy import Connection, select

from .. import audit
from ..audit import Actor
from ..meta.spec import EntitySpec, FieldSpec
from .db import write
from .query import ListQuery, RecordReader
from .records import RecordService

__all__ = ["CODE_SUFFIX", "code_header", "export_records", "has_codes", "neutralise", "restore"]

CODE_SUFFIX = "（代码）"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")  # XLSX stores a carriage return as a line feed
CHUNK = 1000


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet shows as text: a leading ``'`` before a formula trigger.

    A value that already starts with quotes before a trigger gets one more, so ``restore`` is exact.
    """
    if isinstance(value, str) and value.lstrip("'").startswith(TRIGGERS):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The text ``neutralise`` was given (an imported cell)."""
    if value.startswith("'") and value.lstrip("'").startswith(TRIGGERS):
        return value[1:]
    return value


def has_codes(field: FieldSpec) -> bool:
    """Whether the field's values are codes with labels (written as a label and a code column)."""
    return field.enum is not None or bool(field.dictionary) or bool(field.link)


def code_header(field: FieldSpec) -> str:
    return f"{field.title}{CODE_SUFFIX}"


class _Labels:
    """Labels of codes: enum labels, code-table labels, and titles of linked records (scoped)."""

    def __init__(self, service: RecordService, conn: Connection, actor: Actor, columns: list[FieldSpec]) -> None:
        self.service, self.conn, self.actor = service, conn, actor
        self.dictionaries = service.registry.dictionary_labels
        self.links = [f for f in columns if f.link]
        self.titles: dict[str, dict[Any, str]] = {}

    def load(self, records: list[dict[str, Any]]) -> None:
        """Read the titles of the records linked from ``records`` (one query per link field)."""
        registry = self.service.registry
        for field in self.links:
            target = registry.entity(field.link or "")
            table = registry.table(target.name)
            ids = {r.get(field.name) for r in records} - {None}
            if not target.title_field or not ids:
                self.titles[field.name] = {}
                continue
            query = select(table.c.id, table.c[target.title_field]).where(table.c.id.in_(ids))
            scope = self.service.access.scope(self.actor, target, table)  # a title out of scope stays hidden
            rows = self.conn.execute(query if scope is None else query.where(scope))
            self.titles[field.name] = {row[0]: "" if row[1] is None else str(row[1]) for row in rows}

    def of(self, field: FieldSpec, value: Any) -> Any:
        if value is None:
            return ""
        if field.enum is not None:
            return field.label_of(value)
        if field.dictionary:
            return self.dictionaries.get(field.dictionary, {}).get(str(value), "")
        return self.titles.get(field.name, {}).get(value, "")


def _rows(
    service: RecordService, conn: Connection, spec: EntitySpec, query: ListQuery, actor: Actor, columns: list[FieldSpec]
) -> Iterator[list[Any]]:
    reader = RecordReader(service.registry, service.codec)
    scope = service.access.scope(actor, spec, service.registry.table(spec.name))
    labels = _Labels(service, conn, actor, columns)
    records = reader.iterate(conn, spec, query, scope)
    while chunk := list(islice(records, CHUNK)):
        labels.load(chunk)
        for record in chunk:
            row: list[Any] = [record["id"]]
            for field in columns:
                value = record.get(field.name)
                if has_codes(field):
                    row += [labels.of(field, value), "" if value is None else value]
                else:
                    row.append("" if value is None else value)
            yield [neutralise(cell) for cell in row]


def _header(columns: list[FieldSpec]) -> list[str]:
    header = ["id"]
    for field in columns:
        header += [field.title, code_header(field)] if has_codes(field) else [field.title]
    return [neutralise(h) for h in header]


def _write_xlsx(title: str, header: list[str], rows: Iterable[list[Any]], out: IO[bytes]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])

    def cells(values: list[Any]) -> list[Any]:
        result = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it looks like a formula
            result.append(cell)
        return result

    sheet.append(cells(header))
    count = 0
    for row in rows:
        sheet.append(cells(row))
        count += 1
    book.save(out)
    return count


def _write_csv(header: list[str], rows: Iterable[list[Any]], out: IO[bytes]) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    text.flush()
    text.detach()
    return count


def export_records(service: RecordService, entity: str, query: ListQuery, fmt: str, out: IO[bytes], actor: Actor) -> int:
    """Write the records a list query selects (scope applied) as CSV or XLSX; return the count."""
    registry = service.registry
    spec = registry.entity(entity)
    service.access.check(actor, spec, "export")
    columns = [f for f in spec.column_fields if f.type not in ("object", "array") and f.attachment is None]
    with service.engine.connect() as conn:
        rows = _rows(service, conn, spec, query, actor, columns)
        if fmt == "xlsx":
            count = _write_xlsx(spec.title, _header(columns), rows, out)
        else:
            count = _write_csv(_header(columns), rows, out)
    with write(service.engine) as conn, conn.begin():
        audit.append(
            conn,
            actor,
            "export",
            spec.name,
            "",
            {"format": fmt, "count": count, "filters": {k: list(v) for k, v in query.filters.items()}, "search": query.search},
        )
    return count
