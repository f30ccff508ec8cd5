"""Import and export records as CSV or XLSX, through the record service's rules.

Import is all-or-nothing by default: every row is checked first and, if any row is invalid,
nothing is written and a row-level report says why. With ``skip_invalid`` the valid rows are
written (still in one transaction) and the report lists the skipped ones. Rows are validated
with the entity's one compiled validator, and the same rules as single writes (dictionaries, named
validators, plugin hooks, links, unique values) apply; one audit entry records the import.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, insert, select, tuple_

from .. import audit
from ..audit import Actor
from ..errors import FieldError, PermissionDenied, RecordValidationError
from ..meta.spec import EntitySpec, FieldSpec
from .db import write
from .export import code_header, export_records, has_codes, restore
from .query import parse_value
from .records import RecordService, ValidationContext

__all__ = ["ImportReport", "RowError", "export_records", "import_records", "read_rows"]

CHUNK = 2000


@dataclass(frozen=True)
class RowError:
    """A problem in one row of an imported file (row 2 is the first data row)."""

    row: int
    pointer: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "pointer": self.pointer, "message": self.message}


@dataclass
class ImportReport:
    entity: str
    rows: int = 0
    created: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "rows": self.rows,
            "created": self.created,
            "skipped": self.skipped,
            "committed": self.committed,
            "errors": [e.as_dict() for e in self.errors],
        }


def _header_map(spec: EntitySpec, header: list[str]) -> tuple[list[FieldSpec | None], list[RowError]]:
    by_key: dict[str, FieldSpec] = {}
    codes: dict[str, FieldSpec] = {}  # the code columns of an export (labels sit beside them)
    for f in spec.column_fields:
        by_key[f.name] = f
        by_key.setdefault(f.title, f)
        if has_codes(f):
            codes[code_header(f)] = f
    present = {codes[k].name for k in (restore((h or "").strip()) for h in header) if k in codes}
    fields: list[FieldSpec | None] = []
    errors = []
    for i, name in enumerate(header):
        key = restore((name or "").strip())
        if key in codes:
            fields.append(codes[key])
        elif key in ("", "id", "ID") or (key in by_key and by_key[key].name in present):
            fields.append(None)  # the label column beside a code column is read from the code
        elif key in by_key:
            fields.append(by_key[key])
        else:
            fields.append(None)
            errors.append(RowError(1, f"/{i}", f"未知的列「{key}」；列名应为字段名或字段标题"))
    return fields, errors


def read_rows(path: Path | str, stream: IO[bytes] | None = None) -> Iterator[list[Any]]:
    """Rows of a CSV (UTF-8, with or without BOM) or XLSX file, header first."""
    name = str(path).lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        book = load_workbook(stream or path, read_only=True, data_only=True)
        try:
            for row in book.worksheets[0].iter_rows(values_only=True):
                yield list(row)
        finally:
            book.close()
    elif name.endswith(".csv"):
        raw = stream.read() if stream is not None else Path(path).read_bytes()
        yield from csv.reader(io.StringIO(raw.decode("utf-8-sig")))
    else:
        raise RecordValidationError("import", [FieldError("/file", "只支持 .csv 和 .xlsx 文件", "file")])


def _cell(field: FieldSpec, value: Any) -> Any:
    """A spreadsheet cell as the field's JSON value (labels accepted for enums).

    A blank cell is absent; a cell of another type is read as the field's type where that is
    unambiguous (text "12" in an integer column, a number in a text column); anything else is
    passed on unchanged, so the validator gives the verdict a single write would.
    """
    if value is None or (isinstance(value, str) and (value == "" or value.isspace())):
        return None
    if hasattr(value, "isoformat") and field.format in ("date", "date-time"):
        text = value.isoformat()
        return text[:10] if field.format == "date" else text
    if field.enum is not None:
        text = restore(str(value)).strip()
        for code, label in field.enum_labels.items():
            if text == label:
                text = code
        return next((v for v in field.enum if str(v) == text), value)
    if field.type in ("integer", "number", "boolean"):
        if isinstance(value, bool):
            return value  # a true/false cell is never a number (the validator says so)
        if field.type != "boolean" and isinstance(value, int | float):
            return int(value) if field.type == "integer" and float(value).is_integer() else value
        return parse_value(field, value)
    if field.type == "string":
        # A text cell is the value as typed (validated as the API would); a number cell becomes text.
        # A neutralised export cell ('=…) is restored first.
        return restore(value) if isinstance(value, str) else str(value)
    return value


def _reader(field: FieldSpec) -> Callable[[Any], Any]:
    """``_cell`` for one column, with a quick path for the usual cell (bulk imports read millions)."""
    general = partial(_cell, field)
    if field.enum is not None:
        return _enum_reader(general)
    if field.type == "string":  # dates too: a text cell is read as typed, a date cell by ``_cell``

        def text(value: Any) -> Any:
            if type(value) is str:
                return None if value == "" or value.isspace() else restore(value)
            return general(value)

        return text
    if field.type == "integer":
        return lambda value: value if type(value) is int else general(value)
    return general


_NO_MATCH = object()


def _enum_reader(general: Callable[[Any], Any], remember: int = 1024) -> Callable[[Any], Any]:
    """``_cell`` of an enum column, remembering the answer for each text cell (a column repeats a
    few codes or labels); at most ``remember`` texts, so a column of junk cannot grow it."""
    known: dict[str, Any] = {}

    def read(value: Any) -> Any:
        if type(value) is not str:
            return general(value)
        found = known.get(value, _NO_MATCH)
        if found is _NO_MATCH:
            found = general(value)
            if len(known) < remember:
                known[value] = found
        return found

    return read


def import_records(
    service: RecordService,
    entity: str,
    rows: Iterable[list[Any]],
    actor: Actor,
    *,
    source: str = "",
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
    writing: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check every row, then write the valid ones in one transaction (see module docstring)."""
    registry = service.registry
    spec = registry.entity(entity)
    service.access.check(actor, spec, "import")
    report = ImportReport(entity)
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None:
        report.errors.append(RowError(1, "", "文件为空"))
        return report
    fields, problems = _header_map(spec, [str(h) if h is not None else "" for h in header])
    if problems:
        report.errors = problems
        return report
    digest = hashlib.sha256()
    readers = [_reader(f) if f is not None else None for f in fields]
    good: list[tuple[int, dict[str, Any]]] = []
    for number, raw in enumerate(iterator, start=2):
        if not any(v not in (None, "") for v in raw):
            continue
        report.rows += 1
        digest.update(repr(raw).encode())
        record, errors = _prepare_row(service, spec, fields, raw, actor, readers)
        if errors:
            report.errors += [RowError(number, e.pointer, e.message) for e in errors]
        else:
            good.append((number, record))
        if progress and report.rows % 1000 == 0:
            progress(1000)
    if writing:
        writing(len(good))
    with write(service.engine) as conn:
        transaction = conn.begin()
        try:
            _write_rows(service, conn, spec, good, report, actor, skip_invalid, digest.hexdigest(), source)
        except BaseException:
            transaction.rollback()
            raise
        if report.committed:
            transaction.commit()
        else:
            transaction.rollback()
    report.errors.sort(key=lambda e: (e.row, e.pointer))
    return report


def _write_rows(
    service: RecordService,
    conn: Any,
    spec: EntitySpec,
    good: list[tuple[int, dict[str, Any]]],
    report: ImportReport,
    actor: Actor,
    skip_invalid: bool,
    sha256: str,
    source: str,
) -> None:
    """Insert the valid rows and the audit entry; leaves ``report.committed`` False to roll back."""
    registry = service.registry
    for number, e in _db_errors(service, conn, spec, good, actor):
        report.errors.append(RowError(number, e.pointer, e.message))
    bad_rows = {e.row for e in report.errors}
    if bad_rows and not skip_invalid:
        return
    table = registry.table(spec.name)
    now = service.codec.now()
    stamp = {"created_at": now, "updated_at": now, "created_by": actor.username, "updated_by": actor.username, "row_version": 1}
    valid = [(n, r) for n, r in good if n not in bad_rows]
    ids = _insert_many(conn, table, ({**service.row_values(spec, r), **stamp} for _, r in valid))
    written = service.hooks.anjian_record_written if service.hooks.anjian_record_written.get_hookimpls() else None
    if written is not None or service.listeners:
        for record_id, (_, record) in zip(ids, valid, strict=True):
            stored = {"id": record_id, **record, **stamp}
            if written is not None:
                written(entity=spec, action="create", record=stored, connection=conn)
            for listener in service.listeners:  # imported records start their process like any other
                listener.after_write(conn, spec, stored, actor, "create")
    report.created = len(valid)
    report.skipped = len(bad_rows)
    audit.append(
        conn,
        actor,
        "import",
        spec.name,
        "",
        {
            "source": source,
            "sha256": sha256,
            "rows": report.rows,
            "created": report.created,
            "skipped": report.skipped,
            "ids": _ranges(ids),
        },
    )
    report.committed = True


def _insert_many(conn: Any, table: Any, rows: Iterator[dict[str, Any]]) -> list[int]:
    """Insert in chunks; return the new ids in row order.

    PostgreSQL returns them in order with RETURNING. SQLite would then insert row by row, so
    there the ids are read from the table: the write transaction holds the database lock and
    rowids are assigned one after another.
    """
    ids: list[int] = []
    sqlite = conn.dialect.name == "sqlite"
    while chunk := list(islice(rows, CHUNK)):
        if sqlite:
            before = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
            conn.execute(insert(table), chunk)
            after = conn.execute(select(func.max(table.c.id))).scalar_one()
            if after - before != len(chunk):
                raise RuntimeError("rowids were not assigned in sequence; import rolled back")
            ids += range(before + 1, after + 1)
        else:
            ids += conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk).scalars()
    return ids


def _prepare_row(
    service: RecordService,
    spec: EntitySpec,
    fields: list[FieldSpec | None],
    raw: list[Any],
    actor: Actor,
    readers: list[Callable[[Any], Any] | None] | None = None,
) -> tuple[dict[str, Any], list[FieldError]]:
    errors: list[FieldError] = []
    data: dict[str, Any] = {}
    if readers is None:
        readers = [_reader(f) if f is not None else None for f in fields]
    for f, read, value in zip(fields, readers, raw, strict=False):
        if f is None or read is None:
            continue
        try:
            converted = read(value)
        except ValueError as exc:
            errors.append(FieldError(f"/{f.name}", str(exc), "type"))
            continue
        if converted is not None:
            data[f.name] = converted
    unreadable = {e.pointer for e in errors}
    record = service.normalise(spec, data)
    context = ValidationContext(
        spec, actor, None, record, service.title_of, catalog=service.registry.catalog, linked=service.linked
    )
    service.compute(spec, record, context)
    errors += [e for e in service.schema_errors(spec, record) if e.pointer not in unreadable]
    invalid = {e.pointer for e in errors}
    errors += [e for e in service.rule_errors(spec, record, context, invalid) if e.pointer not in invalid]
    if not errors:
        try:
            service.access.check_record(actor, spec, record, "create")
        except PermissionDenied as exc:
            errors.append(FieldError("", str(exc), "scope"))
    return record, errors


def _db_errors(
    service: RecordService, conn: Any, spec: EntitySpec, good: list[tuple[int, dict[str, Any]]], actor: Actor
) -> Iterator[tuple[int, FieldError]]:
    """Missing (or out-of-scope) link targets, attachments the actor may not attach (as in a single
    write), and unique clashes (stored rows and within the file)."""
    registry = service.registry
    attached = [(number, service.attached_files(spec, r)) for number, r in good] if spec.attachment_fields else []
    if any(keys for _, keys in attached):
        refused = service.files.refused_attachments(conn, registry, service.access, actor, set().union(*(k for _, k in attached)))
        for number, keys in attached:
            for key in sorted(keys & refused.keys()):
                yield number, FieldError(f"/{key[1]}", refused[key], "attachment")
    for f in spec.column_fields:
        if not f.link:
            continue
        wanted = {r[f.name] for _, r in good if r.get(f.name) is not None}
        target = registry.table(f.link)
        scope = service.access.scope(actor, registry.entity(f.link), target)
        found: set[Any] = set()
        ids = list(wanted)
        for start in range(0, len(ids), 900):
            query = select(target.c.id).where(target.c.id.in_(ids[start : start + 900]))
            found |= set(conn.execute(query if scope is None else query.where(scope)).scalars())
        for number, r in good:
            if r.get(f.name) is not None and r[f.name] not in found:
                yield (
                    number,
                    FieldError(f"/{f.name}", f"关联的{registry.entity(f.link).title}记录 (id={r[f.name]}) 不存在", "link"),
                )
    table = registry.table(spec.name)
    for group in spec.unique:
        seen: dict[tuple[Any, ...], int] = {}
        keyed = []
        for number, r in good:
            if any(r.get(n) is None for n in group):
                continue
            key = tuple(service.codec.to_db(spec.field(n), r[n]) for n in group)
            if key in seen:
                yield number, FieldError("/" + group[0], f"与第 {seen[key]} 行重复", "unique")
            else:
                seen[key] = number
                keyed.append(key)
        columns = [table.c[n] for n in group]
        for start in range(0, len(keyed), 500):
            part = keyed[start : start + 500]
            clause = columns[0].in_([k[0] for k in part]) if len(group) == 1 else tuple_(*columns).in_(part)
            for existing in conn.execute(select(*columns).where(clause)):
                number = seen[tuple(existing)]
                yield number, FieldError("/" + group[0], "已存在相同的记录", "unique")


def _ranges(ids: list[int]) -> str:
    """Compact id list: '1-100,105,107-110'."""
    parts: list[str] = []
    for value in sorted(ids):
        if parts and "-" in parts[-1] and int(parts[-1].split("-")[1]) + 1 == value:
            parts[-1] = f"{parts[-1].split('-')[0]}-{value}"
        elif parts and "-" not in parts[-1] and int(parts[-1]) + 1 == value:
            parts[-1] = f"{parts[-1]}-{value}"
        else:
            parts.append(str(value))
    return ",".join(parts)
