"""The one record service: every write of business data goes through here.

create/update/delete run, in one transaction: normalise -> computed fields -> JSON Schema
validation -> dictionaries, links, attachments, named validators and plugin hooks -> unique
checks -> write (with child rows) -> plugin hook -> audit entry. Any problem raises
RecordValidationError (422) or RecordConflict (409) with field-level JSON pointers, and nothing
is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..access import Access
from ..audit import Actor
from ..errors import FieldError, NotFound, RecordConflict, RecordValidationError
from ..meta.pointer import pointer
from ..meta.spec import EntitySpec, FieldSpec, normalise_text
from ..meta.validation import Violation
from ..store.clock import utc_now
from .changes import field_diff
from .codec import Codec
from .dated_codes import retired_code_errors
from .db import inserted_id, write
from .files import FileStore
from .messages import describe
from .pointers import as_errors, top_pointer, value_at

__all__ = ["RecordListener", "RecordService", "ValidationContext", "as_errors"]

IGNORED_KEYS = frozenset({"id", "created_at", "updated_at", "created_by", "updated_by", "overrides"})


@dataclass(frozen=True)
class ValidationContext:
    """What a named validator or computed function may look at."""

    entity: EntitySpec
    actor: Actor
    old: Mapping[str, Any] | None
    record: Mapping[str, Any]
    # The title of a linked record (``title_of("enterprise", 7)``), for computed titles such as a
    # report's 「<企业> 2025年第3季度…」; set by the record service when it computes fields.
    title_of: Callable[[str, Any], str | None] | None = None
    # The stored values of one linked record (``linked("major_hazard_source", 3)``), for values a
    # record takes from the record it links to (a filing's R value and grade from its register entry).
    linked: Callable[[str, Any], Mapping[str, Any] | None] | None = None
    catalog: Any = None  # the declarations in force: code tables, the regulation profile (periods, limits)
    now: Callable[[], dt.datetime] = utc_now  # the one clock (naive UTC), e.g. for "missing for 30 days"


class RecordListener:
    """An engine part told of every write inside its transaction; raising rolls the write back."""

    def before_write(
        self,
        conn: Connection,
        spec: EntitySpec,
        old: Mapping[str, Any] | None,
        record: Mapping[str, Any] | None,
        actor: Actor,
        action: str,
        step: Any = None,
    ) -> None:
        """``step`` is the workflow transition a write is part of (None for a plain edit)."""

    def after_write(self, conn: Connection, spec: EntitySpec, stored: Mapping[str, Any], actor: Actor, action: str) -> None:
        pass


class RecordService:
    """Create, update and delete records of any published entity."""

    def __init__(
        self, engine: Engine, registry_source: Callable[[], Any], access: Access, hooks: Any, codec: Codec, files: FileStore
    ) -> None:
        self.engine = engine
        self._registry = registry_source
        self.access = access
        self.hooks = hooks
        self.codec = codec
        self.files = files  # who may attach which uploaded file
        # Engine parts that take part in every write (the workflow engine: locks and process starts).
        self.listeners: list[RecordListener] = []

    @property
    def registry(self) -> Any:
        return self._registry()

    # ---- preparing and checking a record (no database writes) -------------------------

    def prepare(
        self, spec: EntitySpec, payload: Any, actor: Actor, old: Mapping[str, Any] | None, partial: bool = False
    ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        """Return (record, overrides) or raise RecordValidationError; touches no table."""
        if not isinstance(payload, Mapping):
            raise RecordValidationError(spec.name, [FieldError("", "请求体应为 JSON 对象", "type")])
        overrides = payload.get("_overrides") or {}
        if not isinstance(overrides, Mapping) or not all(isinstance(v, str) and v.strip() for v in overrides.values()):
            raise RecordValidationError(spec.name, [FieldError("/_overrides", "每项豁免都需要填写原因", "override")])
        data = {k: v for k, v in payload.items() if k not in IGNORED_KEYS and k not in ("_overrides", "row_version")}
        if partial and old is not None:
            data = {**{k: v for k, v in old.items() if k not in IGNORED_KEYS and k != "row_version"}, **data}
        if old is not None:
            # Read-only fields are set when a record is created and kept afterwards.
            for field in spec.column_fields:
                if field.readonly and not field.computed:
                    data[field.name] = old.get(field.name)
        record = self.normalise(spec, data)
        for replaced in self.hooks.anjian_record_normalise(entity=spec, record=record, old=old):
            record.update(replaced or {})
        context = ValidationContext(spec, actor, old, record, catalog=self.registry.catalog, linked=self.linked)
        self.compute(spec, record, context)
        errors = self.schema_errors(spec, record)
        invalid = {e.pointer for e in errors}
        # Rules only see values that passed the schema, so a value gets one clear message.
        errors += [e for e in self.rule_errors(spec, record, context, invalid) if e.pointer not in invalid]
        waived = self._waivers(record, overrides, old, actor)
        errors = [e for e in errors if not (e.overridable and e.pointer in waived)]
        if errors:
            raise RecordValidationError(spec.name, errors)
        # Keep only waivers of rules that actually failed, so a corrected value drops its reason.
        failed = {e.pointer for e in self._overridable_failures(spec, record, context)}
        return record, {p: w for p, w in waived.items() if p in failed}

    def _waivers(
        self, record: Mapping[str, Any], given: Mapping[str, Any], old: Mapping[str, Any] | None, actor: Actor
    ) -> dict[str, dict[str, Any]]:
        """Overrides in force: reasons given now, and stored ones whose value has not changed."""
        result: dict[str, dict[str, Any]] = {}
        for where, entry in ((old or {}).get("overrides") or {}).items():
            if isinstance(entry, Mapping) and value_at(record, where) == entry.get("value"):
                result[where] = dict(entry)
        for where, reason in given.items():
            result[str(where)] = {
                "reason": str(reason).strip(),
                "by": actor.username,
                "at": self.codec.moment(self.codec.now()),
                "value": value_at(record, str(where)),
            }
        return result

    def _overridable_failures(self, spec: EntitySpec, record: Mapping[str, Any], context: ValidationContext) -> list[FieldError]:
        return [e for e in self.rule_errors(spec, record, context, set()) if e.overridable]

    def normalise(self, spec: EntitySpec, data: Mapping[str, Any]) -> dict[str, Any]:
        """Drop empty values and computed inputs, apply defaults, recurse into child rows."""
        record: dict[str, Any] = {}
        fields = spec.by_name
        for key, value in data.items():
            field = fields.get(key)
            if value is None or (value == "" and field is not None and field.type != "string"):
                continue
            if field is not None and field.computed:
                continue
            if field is not None and field.normalise and isinstance(value, str):
                value = normalise_text(value, field.normalise)
            if field is not None and field.child and isinstance(value, list):
                child = self.registry.entity(field.child, child_ok=True)
                value = [self.normalise(child, row) if isinstance(row, Mapping) else row for row in value]
            record[key] = value
        for field in spec.default_fields:
            if field.name not in record:
                record[field.name] = field.default
        return record

    def compute(self, spec: EntitySpec, record: dict[str, Any], context: ValidationContext) -> None:
        if context.title_of is None and spec.computed_fields:
            context = replace(context, title_of=self.title_of, linked=self.linked)
        for field in spec.computed_fields:
            value = self.registry.functions.computed[field.computed](record, context)
            if value is not None:
                record[field.name] = value

    def title_of(self, entity: str, record_id: Any) -> str | None:
        """The title of one record of ``entity`` (None when it or the entity is not there)."""
        if not isinstance(record_id, int) or isinstance(record_id, bool) or entity not in self.registry.catalog.entities:
            return None
        target = self.registry.entity(entity)
        table = self.registry.table(entity)
        column = table.c[target.title_field] if target.title_field else table.c.id
        with self.engine.connect() as conn:
            found = conn.execute(select(column).where(table.c.id == record_id)).scalar()
        return None if found is None else str(found)

    def linked(self, entity: str, record_id: Any) -> Mapping[str, Any] | None:
        """The stored column values of one record of ``entity`` in their JSON form (None when absent)."""
        if not isinstance(record_id, int) or isinstance(record_id, bool) or entity not in self.registry.catalog.entities:
            return None
        target = self.registry.entity(entity)
        table = self.registry.table(entity)
        with self.engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.id == record_id)).mappings().first()
        if row is None:
            return None
        return {f.name: self.codec.to_json(f, row[f.name]) for f in target.column_fields if f.name in row}

    def schema_errors(self, spec: EntitySpec, record: Mapping[str, Any]) -> list[FieldError]:
        """The JSON Schema verdict of the entity's one compiled validator (every write path asks it)."""
        return self.describe_violations(spec, self.registry.validator(spec.name).violations(record))

    def describe_violations(self, spec: EntitySpec, violations: list[Violation]) -> list[FieldError]:
        """The validator's violations as field errors (Chinese messages, JSON pointers)."""
        errors = []
        for violation in violations:
            parts = list(violation.path)
            errors.append(FieldError(pointer(parts), describe(violation, self._field_at(spec, parts)), violation.keyword))
        return errors

    def _field_at(self, spec: EntitySpec, parts: list[Any]) -> FieldSpec | None:
        """The field a pointer's path names (through child rows), for titles and labels."""
        field = None
        for part in parts:
            if isinstance(part, int):
                continue
            if field is not None and field.child:
                spec = self.registry.entity(field.child, child_ok=True)
            field = next((f for f in spec.fields if f.name == part), None)
            if field is None:
                return None
        return field

    def _walk(
        self, spec: EntitySpec, record: Mapping[str, Any], at: list[Any]
    ) -> Iterator[tuple[EntitySpec, Mapping[str, Any], list[Any]]]:
        yield spec, record, at
        for field in spec.child_fields:
            child = self.registry.entity(field.child, child_ok=True)
            rows = record.get(field.name)
            for i, row in enumerate(rows if isinstance(rows, list) else ()):
                if isinstance(row, Mapping):  # anything else is a schema error already
                    yield from self._walk(child, row, at + [field.name, i])

    def rule_errors(
        self, spec: EntitySpec, record: Mapping[str, Any], context: ValidationContext, invalid: set[str]
    ) -> list[FieldError]:
        """Dictionary codes, named validators and plugin hooks (no database)."""
        errors: list[FieldError] = []
        registry = self.registry
        codes = registry.dictionary_codes
        functions = registry.functions.validators
        for node, row, at in self._walk(spec, record, []):
            for field in node.rule_fields:
                value = row.get(field.name)
                if value is None:
                    continue
                where = pointer(at + [field.name]) if at else top_pointer(field.name)
                if where in invalid:
                    continue
                if field.dictionary and value not in codes.get(field.dictionary, frozenset()):
                    errors.append(
                        FieldError(
                            where,
                            f"「{value}」不是{registry.catalog.dictionaries[field.dictionary].title}中的代码",
                            "dictionary",
                        )
                    )
                elif field.dictionary and (context.old is None or value != value_at(context.old, where)):
                    errors += retired_code_errors(registry.catalog.dictionaries[field.dictionary], value, where, self.codec)
                for name in field.validators:
                    errors += as_errors(functions[name](value, context), where)
            if node.validators and not any(p == pointer(at) or p.startswith(pointer(at) + "/") for p in invalid):
                for name in node.validators:
                    errors += as_errors(functions[name](row, context), pointer(at))
        if self.hooks.anjian_record_validate.get_hookimpls():  # no call at all without plugins (imports ask per row)
            for extra in self.hooks.anjian_record_validate(entity=spec, record=record, old=context.old):
                errors += list(extra or ())
        return errors

    def _db_errors(
        self,
        conn: Connection,
        spec: EntitySpec,
        record: Mapping[str, Any],
        record_id: int | None,
        actor: Actor,
        old: Mapping[str, Any] | None = None,
    ) -> tuple[list[FieldError], list[FieldError]]:
        """(422 errors, 409 conflicts): missing link targets and attachments, unique clashes.

        A link to a record outside the actor's scope counts as missing: it must not be probed.
        A link the update leaves unchanged is not checked again: whoever set it could see it; nor
        is a file the record already held in the same field. Any other file id must be one the
        actor may attach there (``FileStore.refused_attachments``).
        """
        errors: list[FieldError] = []
        wanted: dict[str, dict[int, list[str]]] = {}
        files: dict[tuple[str, str, str], list[str]] = {}
        held = self.attached_files(spec, old) if old is not None else set()
        for node, row, at in self._walk(spec, record, []):
            for field in node.column_fields:
                value = row.get(field.name)
                if value is None:
                    continue
                where = pointer(at + [field.name])
                unchanged = old is not None and not at and old.get(field.name) == value
                if field.link and isinstance(value, int) and not isinstance(value, bool) and not unchanged:
                    wanted.setdefault(field.link, {}).setdefault(value, []).append(where)
                if field.attachment is not None:
                    for file_id in value if isinstance(value, list) else [value]:
                        key = (node.name, field.name, str(file_id))
                        if key not in held:
                            files.setdefault(key, []).append(where)
        for target, ids in wanted.items():
            table = self.registry.table(target)
            query = select(table.c.id).where(table.c.id.in_(list(ids)))
            scope = self.access.scope(actor, self.registry.entity(target), table)
            found = set(conn.execute(query if scope is None else query.where(scope)).scalars())
            title = self.registry.entity(target).title
            for missing in sorted(set(ids) - found):
                errors += [FieldError(w, f"关联的{title}记录 (id={missing}) 不存在", "link") for w in ids[missing]]
        refused = self.files.refused_attachments(conn, self.registry, self.access, actor, files)
        for key, pointers in files.items():
            if key in refused:
                errors += [FieldError(where, refused[key], "attachment") for where in pointers]
        conflicts: list[FieldError] = []
        table = self.registry.table(spec.name)
        for group in spec.unique:
            if any(record.get(name) is None for name in group):
                continue
            clause = and_(*(table.c[name] == self.codec.to_db(spec.field(name), record[name]) for name in group))
            if record_id is not None:
                clause = and_(clause, table.c.id != record_id)
            if conn.execute(select(table.c.id).where(clause).limit(1)).first() is not None:
                titles = "、".join(spec.field(name).title for name in group)
                conflicts.append(FieldError("/" + group[0], f"已存在{titles}相同的记录", "unique"))
        return errors, conflicts

    def attached_files(self, spec: EntitySpec, record: Mapping[str, Any]) -> set[tuple[str, str, str]]:
        """(entity, field, file id) of every attachment a record holds, child rows included."""
        held: set[tuple[str, str, str]] = set()
        for node, row, _ in self._walk(spec, record, []):
            for field in node.attachment_fields:
                value = row.get(field.name)
                if value is not None:
                    held.update((node.name, field.name, str(v)) for v in (value if isinstance(value, list) else [value]))
        return held

    # ---- writing ------------------------------------------------------------------------

    def row_values(self, spec: EntitySpec, record: Mapping[str, Any]) -> dict[str, Any]:
        values = {name: record.get(name) for name in spec.column_names}
        for field in spec.converted_fields:  # only these change on the way to storage (imports write millions)
            if values[field.name] is not None:
                values[field.name] = self.codec.to_db(field, values[field.name])
        return values

    def _insert_children(
        self, conn: Connection, spec: EntitySpec, parent_id: int, record: Mapping[str, Any], reusable: Mapping[str, set[int]]
    ) -> None:
        """Insert child rows; a row that names the id it had under this parent keeps it."""
        for field in spec.child_fields:
            child = self.registry.entity(field.child, child_ok=True)
            table = self.registry.table(child.name)
            for position, row in enumerate(record.get(field.name) or ()):
                values = {**self.row_values(child, row), "parent_id": parent_id, "position": position}
                old_id = row.get("id")
                if isinstance(old_id, int) and old_id in reusable.get(child.name, set()):
                    reusable[child.name].discard(old_id)
                    values["id"] = old_id
                child_id = inserted_id(conn.execute(insert(table).values(values)))
                self._insert_children(conn, child, child_id, row, reusable)

    def _delete_children(
        self, conn: Connection, spec: EntitySpec, parent_ids: list[int], deleted: dict[str, set[int]] | None = None
    ) -> dict[str, set[int]]:
        """Delete child rows (depth first); return their ids per child entity, for reuse."""
        deleted = {} if deleted is None else deleted
        for field in spec.child_fields:
            child = self.registry.entity(field.child, child_ok=True)
            table = self.registry.table(child.name)
            ids = list(conn.execute(select(table.c.id).where(table.c.parent_id.in_(parent_ids))).scalars())
            if ids:
                self._delete_children(conn, child, ids, deleted)
                conn.execute(delete(table).where(table.c.id.in_(ids)))
                deleted.setdefault(child.name, set()).update(ids)
        return deleted

    def _finish(
        self,
        conn: Connection,
        spec: EntitySpec,
        record: Mapping[str, Any],
        record_id: int,
        old: Mapping[str, Any] | None,
        actor: Actor,
        action: str,
        overrides: Mapping[str, dict[str, Any]],
        audit_as: tuple[str, Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        from .query import RecordReader

        stored = RecordReader(self.registry, self.codec).fetch(conn, spec, record_id)
        self.hooks.anjian_record_written(entity=spec, action=action, record=stored, connection=conn)
        for listener in self.listeners:
            listener.after_write(conn, spec, stored, actor, action)
        detail: dict[str, Any] = {"changes": field_diff(spec, old, stored)}
        if audit_as is not None:
            action, extra = audit_as[0], audit_as[1]
            detail.update(extra)
        before = (old or {}).get("overrides") or {}
        fresh = {p: w["reason"] for p, w in overrides.items() if p not in before}
        if fresh:
            detail["overrides"] = fresh
        region = spec.region_of(stored)
        audit.append(conn, actor, action, spec.name, record_id, detail, region=region)
        return stored

    def _conflict(self, spec: EntitySpec, exc: IntegrityError) -> RecordConflict:
        text = str(exc.orig).lower()
        if "unique" in text or "duplicate" in text:
            return RecordConflict(spec.name, [FieldError("", "已存在相同的记录", "unique")])
        if "foreign key" in text:
            return RecordConflict(spec.name, [FieldError("", "关联记录不存在或仍被引用", "link")])
        return RecordConflict(spec.name, [FieldError("", f"数据完整性冲突: {exc.orig}", "integrity")])

    def create(self, entity: str, payload: Any, actor: Actor) -> dict[str, Any]:
        """Validate and store a new record; return it as stored."""
        spec = self.registry.entity(entity)
        self.access.check(actor, spec, "create")
        try:
            with write(self.engine) as conn, conn.begin():
                return self.create_in(conn, spec, payload, actor)
        except IntegrityError as exc:
            raise self._conflict(spec, exc) from None

    def create_in(self, conn: Connection, spec: EntitySpec, payload: Any, actor: Actor, action: str = "create") -> dict[str, Any]:
        """Create inside the caller's transaction (the entity-level permission is the caller's to check).

        ``action`` is what the record's region is checked for: "create", or e.g. "amend".
        """
        record, overrides = self.prepare(spec, payload, actor, None)
        self.access.check_record(actor, spec, record, action)
        errors, conflicts = self._db_errors(conn, spec, record, None, actor)
        if errors:
            raise RecordValidationError(spec.name, errors)
        if conflicts:
            raise RecordConflict(spec.name, conflicts)
        for listener in self.listeners:
            listener.before_write(conn, spec, None, record, actor, "create")
        now = self.codec.now()
        values = {
            **self.row_values(spec, record),
            "created_at": now,
            "updated_at": now,
            "created_by": actor.username,
            "updated_by": actor.username,
            "row_version": 1,
            "overrides": overrides or None,
        }
        record_id = inserted_id(conn.execute(insert(self.registry.table(spec.name)).values(values)))
        self._insert_children(conn, spec, record_id, record, {})
        return self._finish(conn, spec, record, record_id, None, actor, "create", overrides)

    def update(self, entity: str, record_id: int, payload: Any, actor: Actor, partial: bool = False) -> dict[str, Any]:
        """Replace (PUT) or merge (PATCH) a record; a stale ``row_version`` is a 409."""

        spec = self.registry.entity(entity)
        self.access.check(actor, spec, "update")
        try:
            with write(self.engine) as conn, conn.begin():
                old = self.read_scoped(conn, spec, record_id, actor)
                return self.update_in(conn, spec, old, payload, actor, partial=partial)
        except IntegrityError as exc:
            raise self._conflict(spec, exc) from None

    def update_in(
        self,
        conn: Connection,
        spec: EntitySpec,
        old: Mapping[str, Any],
        payload: Any,
        actor: Actor,
        *,
        partial: bool = False,
        step: Any = None,
        audit_as: tuple[str, Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Update ``old`` (read in scope by the caller) inside the caller's transaction.

        ``step`` is the workflow transition this write belongs to: its region check uses the
        transition's action instead of "update", and the workflow's field locks allow its fields.
        """
        record_id = old["id"]
        table = self.registry.table(spec.name)
        expected = payload.get("row_version") if isinstance(payload, Mapping) else None
        if expected is not None and expected != old["row_version"]:
            raise RecordConflict(spec.name, [FieldError("/row_version", "记录已被他人修改，请刷新后重试", "stale")])
        record, overrides = self.prepare(spec, payload, actor, old, partial=partial)
        self.access.check_record(actor, spec, record, step.action if step is not None else "update")
        errors, conflicts = self._db_errors(conn, spec, record, record_id, actor, old)
        if errors:
            raise RecordValidationError(spec.name, errors)
        if conflicts:
            raise RecordConflict(spec.name, conflicts)
        for listener in self.listeners:
            listener.before_write(conn, spec, old, record, actor, "update", step)
        values = {
            **self.row_values(spec, record),
            "updated_at": self.codec.now(),
            "updated_by": actor.username,
            "row_version": old["row_version"] + 1,
            "overrides": overrides or None,
        }
        done = conn.execute(
            update(table).where(table.c.id == record_id, table.c.row_version == old["row_version"]).values(values)
        )
        if done.rowcount != 1:
            raise RecordConflict(spec.name, [FieldError("/row_version", "记录已被他人修改，请刷新后重试", "stale")])
        reusable = self._delete_children(conn, spec, [record_id])
        self._insert_children(conn, spec, record_id, record, reusable)
        return self._finish(conn, spec, record, record_id, old, actor, "update", overrides, audit_as)

    def delete(self, entity: str, record_id: int, actor: Actor) -> None:
        """Delete a record and its child rows; refused (409) while other records link to it."""

        spec = self.registry.entity(entity)
        self.access.check(actor, spec, "delete")
        table = self.registry.table(spec.name)
        with write(self.engine) as conn, conn.begin():
            old = self.read_scoped(conn, spec, record_id, actor)
            for listener in self.listeners:
                listener.before_write(conn, spec, old, None, actor, "delete")
            for other, field in self.registry.referrers(spec.name):
                if other.is_child:
                    continue
                other_table = self.registry.table(other.name)
                count = conn.execute(select(func.count()).where(other_table.c[field] == record_id)).scalar_one()
                if count:
                    raise RecordConflict(
                        spec.name, [FieldError("", f"仍有 {count} 条{other.title}记录引用此记录，不能删除", "referenced")]
                    )
            self._delete_children(conn, spec, [record_id])
            conn.execute(delete(table).where(table.c.id == record_id))
            self.hooks.anjian_record_written(entity=spec, action="delete", record=old, connection=conn)
            for listener in self.listeners:
                listener.after_write(conn, spec, old, actor, "delete")
            audit.append(
                conn,
                actor,
                "delete",
                spec.name,
                record_id,
                {"changes": field_diff(spec, old, None)},
                region=spec.region_of(old),
            )

    def read_scoped(self, conn: Connection, spec: EntitySpec, record_id: int, actor: Actor) -> dict[str, Any]:
        """One record as ``actor`` may read it (NotFound when absent or out of their scope)."""
        from .query import RecordReader

        table = self.registry.table(spec.name)
        return RecordReader(self.registry, self.codec).fetch(conn, spec, record_id, scope=self.access.scope(actor, spec, table))

    def require(self, conn: Connection, spec: EntitySpec, record_id: int) -> None:
        table = self.registry.table(spec.name)
        if conn.execute(select(table.c.id).where(table.c.id == record_id)).first() is None:
            raise NotFound(f"{spec.title} {record_id} 不存在")
