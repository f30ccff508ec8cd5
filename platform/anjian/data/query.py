"""Read records: one record with its child rows, or a filtered, sorted page.

Every read takes the caller's scope filter (a SQL condition) so the region scope is applied in
the query itself, never by filtering loaded rows in Python.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, RowMapping, Select, and_, func, or_, select, text, union_all

from ..errors import FieldError, NotFound, RecordValidationError
from ..meta.spec import EntitySpec, FieldSpec
from .codec import Codec
from .ranges import RangeScope

__all__ = ["ALL_FIELDS", "MAX_INTEGER", "MIN_INTEGER", "ListQuery", "RecordReader"]

SYSTEM_SORTS = ("id", "created_at", "updated_at")
SYSTEM_FIELDS = ("created_at", "updated_at", "created_by", "updated_by", "row_version", "overrides")
MAX_PAGE_SIZE = 500
MIN_INTEGER, MAX_INTEGER = -(2**63), 2**63 - 1  # what an integer column (and an id) holds
ALL_FIELDS = ("*",)  # ``fields=*``: every column and system field
COMPLEMENT_PROBE = 1000  # count a region scope as "all but those outside" when at most this many are
WALK_MIN_ROWS = 2000  # a region scope matching this many rows pages by walking the sort order
SPLIT_MAX_DEPTH, SPLIT_MAX_VALUES = 2000, 8  # limits of the per-value index walk of a list page
_NARROW: set[tuple[Any, ...]] = set()  # (table, ranges) of region scopes found to leave many rows out


@dataclass(frozen=True)
class ListQuery:
    """Parsed list parameters: filters {field: [values]}, ranges, search text, sort, page."""

    filters: Mapping[str, tuple[Any, ...]]
    ranges: Mapping[str, tuple[Any, Any]]
    search: str
    sort: tuple[str, ...]
    page: int
    page_size: int
    fields: tuple[str, ...] | None = None  # None: the caller's default (lists: the list columns)

    @classmethod
    def parse(cls, spec: EntitySpec, args: Mapping[str, str]) -> ListQuery:
        """Parse query-string arguments; every bad one becomes a field error (422)."""
        errors: list[FieldError] = []
        filterable = filterable_fields(spec)
        filters: dict[str, tuple[Any, ...]] = {}
        ranges: dict[str, tuple[Any, Any]] = {}

        def number(key: str, default: int, low: int, high: int) -> int:
            raw = args.get(key)
            if raw in (None, ""):
                return default
            try:
                value = int(str(raw))
            except ValueError:
                value = low - 1
            if not low <= value <= high:
                errors.append(FieldError(f"/query/{key}", f"应为 {low} 到 {high} 之间的整数", "query"))
                return default
            return value

        page = number("page", 1, 1, 10**9)
        page_size = number("page_size", 20, 1, MAX_PAGE_SIZE)
        sort = tuple(s for s in (args.get("sort") or "").split(",") if s) or spec.order_by or ("-id",)
        sortable = {f.name for f in spec.column_fields if f.type not in ("object", "array")} | set(SYSTEM_SORTS)
        for item in sort:
            if item.lstrip("-") not in sortable:
                errors.append(
                    FieldError("/query/sort", f"不能按「{item.lstrip('-')}」排序；可用：{', '.join(sorted(sortable))}", "query")
                )
        fields = _fields(spec, args.get("fields"), errors)
        for key, raw in args.items():
            if key in ("page", "page_size", "sort", "q", "format", "fields"):
                continue
            name, _, op = key.partition("__")
            if name not in filterable or op not in ("", "from", "to"):
                errors.append(
                    FieldError(f"/query/{key}", f"不支持的筛选条件；可筛选字段：{', '.join(sorted(filterable)) or '无'}", "query")
                )
                continue
            field = filterable[name]
            try:
                if op:
                    low, high = ranges.get(name, (None, None))
                    value = parse_value(field, raw)
                    ranges[name] = (value, high) if op == "from" else (low, value)
                else:
                    filters[name] = tuple(parse_value(field, part) for part in str(raw).split(","))
            except ValueError as exc:
                errors.append(FieldError(f"/query/{key}", str(exc), "query"))
        if errors:
            raise RecordValidationError(spec.name, errors)
        return cls(filters, ranges, str(args.get("q") or "").strip(), sort, page, page_size, fields)


def _fields(spec: EntitySpec, raw: str | None, errors: list[FieldError]) -> tuple[str, ...] | None:
    """``fields=a,b`` (column or system fields; ``*`` for all), or None when not given."""
    if raw is None or raw == "":
        return None
    names = tuple(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
    if "*" in names:
        return ALL_FIELDS
    known = {f.name for f in spec.column_fields} | set(SYSTEM_FIELDS) | {"id"}
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        errors.append(
            FieldError("/query/fields", f"没有这些字段：{', '.join(unknown)}；可用：*, {', '.join(sorted(known))}", "query")
        )
        return None
    return names


def _order(columns: Any, sort: Sequence[str]) -> list[Any]:
    """ORDER BY of a list: its sort keys, then id in the first key's direction (a stable page order)."""
    order = [columns[s.lstrip("-")].desc() if s.startswith("-") else columns[s] for s in sort]
    order.append(columns["id"].desc() if sort[0].startswith("-") else columns["id"])
    return order


def filterable_fields(spec: EntitySpec) -> dict[str, FieldSpec]:
    names = set(spec.filter_fields) | {f.name for f in spec.column_fields if f.link}
    names |= {n for n in (spec.scope, spec.owner) if n}
    return {f.name: f for f in spec.column_fields if f.name in names}


def parse_value(field: FieldSpec, raw: Any) -> Any:
    """A query-string or spreadsheet text converted to the field's type (ValueError if it can't)."""
    text = str(raw).strip()
    try:
        if field.type == "integer":
            number = int(text)
            if not MIN_INTEGER <= number <= MAX_INTEGER:
                raise ValueError
            return number
        if field.type == "number":
            real = float(text)
            if not math.isfinite(real):
                raise ValueError
            return real
        if field.type == "boolean":
            lowered = text.lower()
            if lowered in ("true", "1", "yes", "是", "y"):
                return True
            if lowered in ("false", "0", "no", "否", "n"):
                return False
            raise ValueError
        if field.format == "date":
            return dt.date.fromisoformat(text)
        if field.format == "date-time":
            return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"「{text}」不是有效的{_kind_name(field)}") from None
    return text


def _kind_name(field: FieldSpec) -> str:
    if field.format == "date":
        return "日期"
    if field.format == "date-time":
        return "日期时间"
    return {"integer": "整数", "number": "数字", "boolean": "是/否"}.get(field.type, "值")


class RecordReader:
    """Queries over one registry version."""

    def __init__(self, registry: Any, codec: Codec) -> None:
        self.registry = registry
        self.codec = codec

    def _json(self, spec: EntitySpec, row: Mapping[str, Any] | RowMapping) -> dict[str, Any]:
        result: dict[str, Any] = {"id": row["id"]}
        for field in spec.column_fields:
            result[field.name] = self.codec.to_json(field, row.get(field.name))
        for key in ("created_at", "updated_at", "created_by", "updated_by", "row_version", "overrides"):
            if key in row:
                result[key] = self.codec.to_json(None, row[key])
        return result

    def _children(self, conn: Connection, spec: EntitySpec, parents: dict[int, dict[str, Any]]) -> None:
        for field in spec.child_fields:
            child = self.registry.entity(field.child, child_ok=True)
            table = self.registry.table(child.name)
            for parent in parents.values():
                parent[field.name] = []
            rows = conn.execute(
                select(table)
                .where(table.c.parent_id.in_(list(parents)))
                .order_by(table.c.parent_id, table.c.position, table.c.id)
            ).mappings()
            loaded: dict[int, dict[str, Any]] = {}
            for row in rows:
                item = self._json(child, row)
                parents[row["parent_id"]][field.name].append(item)
                loaded[row["id"]] = item
            if loaded:
                self._children(conn, child, loaded)

    def fetch(
        self, conn: Connection, spec: EntitySpec, record_id: Any, scope: ColumnElement[bool] | None = None
    ) -> dict[str, Any]:
        """One record with its child rows; NotFound if absent or out of scope."""
        table = self.registry.table(spec.name)
        try:
            key = int(record_id)
        except (TypeError, ValueError):
            raise NotFound(f"{spec.title} {record_id} 不存在") from None
        if not 0 < key <= MAX_INTEGER:
            raise NotFound(f"{spec.title} {record_id} 不存在")
        query = select(table).where(table.c.id == key)
        if scope is not None:
            query = query.where(scope)
        row = conn.execute(query).mappings().first()
        if row is None:
            raise NotFound(f"{spec.title} {record_id} 不存在")
        record = self._json(spec, row)
        self._children(conn, spec, {key: record})
        return record

    def filter_values(self, spec: EntitySpec, query: ListQuery) -> dict[str, tuple[Any, ...]]:
        """The values each filter selects: a code of a tree (a county) also selects the codes below it."""
        result = {}
        for name, values in query.filters.items():
            field = spec.by_name.get(name)  # None for "id" (selected rows of a bulk export)
            dictionary = self.registry.catalog.dictionaries.get(field.dictionary or "") if field else None
            if dictionary is not None and dictionary.hierarchical:
                values = tuple(self.registry.with_descendants(dictionary.name, tuple(map(str, values))))
            result[name] = values
        return result

    def conditions(
        self,
        spec: EntitySpec,
        query: ListQuery,
        scope: ColumnElement[bool] | None = None,
        narrowed: Mapping[str, tuple[Any, ...]] | None = None,
    ) -> list[ColumnElement[bool]]:
        """The WHERE conditions of a list: scope, filters (with ``narrowed`` values), ranges and search."""
        table = self.registry.table(spec.name)
        clauses: list[ColumnElement[bool]] = []
        if scope is not None:
            clauses.append(scope)
        for name, values in {**self.filter_values(spec, query), **(narrowed or {})}.items():
            column = table.c[name]
            clauses.append(column == values[0] if len(values) == 1 else column.in_(values))
        for name, (low, high) in query.ranges.items():
            if low is not None:
                clauses.append(table.c[name] >= low)
            if high is not None:
                clauses.append(table.c[name] <= high)
        if query.search and spec.search_fields:
            pattern = "%" + query.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            clauses.append(or_(*(table.c[n].like(pattern, escape="\\") for n in spec.search_fields)))
        return clauses

    def select(self, spec: EntitySpec, query: ListQuery, scope: ColumnElement[bool] | None = None) -> Select[Any]:
        """The filtered, unpaged SELECT of a list (used by lists and exports)."""
        stmt = select(self.registry.table(spec.name))
        clauses = self.conditions(spec, query, scope)
        return stmt.where(and_(*clauses)) if clauses else stmt

    def page(
        self,
        conn: Connection,
        spec: EntitySpec,
        query: ListQuery,
        scope: ColumnElement[bool] | None = None,
        columns: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """``{"items", "total", "page", "page_size"}`` for a list request.

        ``columns``: the fields each item carries besides ``id`` (None: every column and system
        field). Only those columns are read, so a list of list columns never loads long texts.
        """
        table = self.registry.table(spec.name)
        offset = (query.page - 1) * query.page_size
        depth = offset + query.page_size
        names = None if columns is None else [n for n in dict.fromkeys(columns) if n != "id" and n in table.c]
        selected = list(table.c) if names is None else [table.c.id, *(table.c[n] for n in names)]
        wide = self._wide_filter(spec, query)
        present: tuple[Any, ...] = ()
        if wide is not None:
            # A code of a tree selects its descendants too (an IN list of dozens), yet few of them
            # occur: probe which do, and filter (and count) by those alone.
            present = self._present(conn, table, *wide) or wide[1][:1]
        clauses = self.conditions(spec, query, scope, {wide[0]: present} if wide else None)
        where = and_(*clauses) if clauses else None
        total = self._count(conn, table, clauses, scope)
        if isinstance(scope, RangeScope) and total >= WALK_MIN_ROWS:
            # Many rows match: walking the sort order finds a page sooner than reading them all.
            scope = scope.walking()
            clauses = self.conditions(spec, query, scope, {wide[0]: present} if wide else None)
            where = and_(*clauses) if clauses else None
        stmt = select(*selected)
        if (
            wide is not None
            and 1 < len(present) <= SPLIT_MAX_VALUES
            and depth <= SPLIT_MAX_DEPTH
            and self._walks(table, wide[0], query.sort[0].lstrip("-"))
        ):
            # One index walk per code, each stopping at the end of the page, merged: SQLite would
            # otherwise read every match of the IN list and sort them all for a page of 20.
            order = _order(table.c, query.sort)
            parts = [
                select(
                    stmt.where(*self.conditions(spec, query, scope, {wide[0]: (value,)})).order_by(*order).limit(depth).subquery()
                )
                for value in present
            ]
            merged = union_all(*parts).subquery()
            stmt = select(merged).order_by(*_order(merged.c, query.sort))
        else:
            stmt = (stmt if where is None else stmt.where(where)).order_by(*_order(table.c, query.sort))
        rows = conn.execute(stmt.limit(query.page_size).offset(offset))
        if names is None:
            items = [self._json(spec, row) for row in rows.mappings()]
        else:
            to_json = self.codec.to_json
            fields = [spec.by_name.get(n) for n in names]
            pairs = list(zip(names, fields, strict=True))
            items = [
                {"id": row[0], **{name: to_json(field, value) for (name, field), value in zip(pairs, row[1:], strict=True)}}
                for row in rows
            ]
        return {"items": items, "total": total, "page": query.page, "page_size": query.page_size}

    @staticmethod
    def _count(conn: Connection, table: Any, clauses: list[ColumnElement[bool]], scope: Any) -> int:
        """The rows a list matches; a wide region scope alone is counted as all rows minus the few outside it.

        The outside is probed (a bounded index walk per term) in the statement that counts the
        table. When more rows lie outside, the scope is narrow (a county): it is counted directly,
        as cheaply as the rows it holds, and remembered as narrow, so later pages count it directly
        at once rather than at the price of the table (rows outside a scope seldom disappear).
        """
        counted = select(func.count()).select_from(table)
        if isinstance(scope, RangeScope) and clauses == [scope]:
            shape = (table, scope.ranges)
            if shape not in _NARROW:
                total, missing = conn.execute(scope.complement_count(table, table.c.id, COMPLEMENT_PROBE + 1)).one()
                if missing <= COMPLEMENT_PROBE:
                    return int(total) - int(missing)
                if len(_NARROW) >= 1024:  # shapes of the scopes in use; a new catalog has new tables
                    _NARROW.clear()
                _NARROW.add(shape)
        return int(conn.execute(counted.where(and_(*clauses)) if clauses else counted).scalar_one())

    @staticmethod
    def _present(conn: Connection, table: Any, name: str, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """Which of ``values`` occur in column ``name`` (one index probe each, in one statement)."""
        quote = conn.dialect.identifier_preparer.quote
        source, target = quote(table.name), quote(name)
        probes = ", ".join(f"EXISTS (SELECT 1 FROM {source} WHERE {target} = :v{i})" for i in range(len(values)))
        found = conn.execute(text(f"SELECT {probes}"), {f"v{i}": value for i, value in enumerate(values)}).one()
        return tuple(value for value, hit in zip(values, found, strict=True) if hit)

    def _wide_filter(self, spec: EntitySpec, query: ListQuery) -> tuple[str, tuple[Any, ...]] | None:
        """A filter of several values on an indexed column (cheap to probe), or None."""
        indexed = {index.columns[0].name for index in self.registry.table(spec.name).indexes if index.columns}
        for name, values in self.filter_values(spec, query).items():
            if len(values) > 1 and name in indexed:
                return name, values
        return None

    @staticmethod
    def _walks(table: Any, name: str, first_sort: str) -> bool:
        """Whether an index leads with (``name``, ``first_sort``): its walk per value yields sorted rows."""
        return any(tuple(c.name for c in index.columns)[:2] == (name, first_sort) for index in table.indexes)

    def iterate(
        self, conn: Connection, spec: EntitySpec, query: ListQuery, scope: ColumnElement[bool] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every matching record in sort order, streamed (exports)."""
        table = self.registry.table(spec.name)
        order = [table.c[s.lstrip("-")].desc() if s.startswith("-") else table.c[s] for s in query.sort]
        result = conn.execute(self.select(spec, query, scope).order_by(*order, table.c.id).execution_options(yield_per=1000))
        try:
            for row in result.mappings():
                yield self._json(spec, row)
        finally:
            result.close()
