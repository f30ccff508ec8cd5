"""Reading imported rows: spreadsheet cells as JSON values, and one row pipeline per import.

A bulk import checks every row as a single write would (``RecordService.prepare``): the same
normalisation, defaults, computed fields, compiled JSON Schema validator, dictionaries, named
validators, plugin hooks and region check, and so the same verdicts and messages. What a single
write looks up per record (field options, functions, code tables, the validator, today's date)
``RowPipeline`` resolves once per import, since an import checks hundreds of thousands of rows.
Rows that reach child records (only a computed field could add them) take the service's general path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from ..audit import Actor
from ..errors import FieldError, PermissionDenied
from ..meta.pointer import pointer
from ..meta.spec import EntitySpec, FieldSpec, normalise_text
from .dated_codes import local_today, retired_code_errors
from .export import restore
from .pointers import as_errors
from .query import parse_value
from .records import RecordService, ValidationContext

__all__ = ["RowPipeline", "read_cell"]


def read_cell(field: FieldSpec, value: Any) -> Any:
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


def cell_reader(field: FieldSpec) -> Callable[[Any], Any]:
    """``read_cell`` for one column, with a quick path for the usual cell (bulk imports read millions)."""
    general = partial(read_cell, field)
    if field.enum is not None:
        return _enum_reader(general)
    if field.type == "string":  # dates too: a text cell is read as typed, a date cell by ``read_cell``

        def text(value: Any) -> Any:
            if type(value) is str:
                if value == "" or value.isspace():
                    return None
                return restore(value) if value.startswith("'") else value
            return general(value)

        return text
    if field.type == "integer":
        return lambda value: value if type(value) is int else general(value)
    return general


_NO_MATCH = object()


def _enum_reader(general: Callable[[Any], Any], remember: int = 1024) -> Callable[[Any], Any]:
    """``read_cell`` of an enum column, remembering the answer for each text cell (a column repeats a
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


class _Rule:
    """One field's rules, resolved once: its code table, named validators and pointer."""

    __slots__ = ("codes", "dictionary", "name", "validators", "where")

    def __init__(self, registry: Any, field: FieldSpec) -> None:
        self.name = field.name
        self.where = pointer([field.name])
        self.dictionary = registry.catalog.dictionaries[field.dictionary] if field.dictionary else None
        codes = registry.dictionary_codes.get(field.dictionary, frozenset()) if field.dictionary else frozenset()
        self.codes: frozenset[str] = codes
        self.validators = [registry.functions.validators[name] for name in field.validators]


class RowPipeline:
    """The checks of one import's rows, with everything that does not depend on the row resolved once."""

    def __init__(self, service: RecordService, spec: EntitySpec, fields: list[FieldSpec | None], actor: Actor) -> None:
        registry = service.registry
        self.service = service
        self.spec = spec
        self.actor = actor
        self.columns = [(i, f.name, cell_reader(f)) for i, f in enumerate(fields) if f is not None]
        # Per field: (a blank text drops it, a computed input is ignored, normalisation steps), as ``normalise``.
        self.kinds = {f.name: (f.type != "string", bool(f.computed), f.normalise) for f in spec.fields}
        self.defaults = [(f.name, f.default) for f in spec.default_fields]
        self.computed = [(f.name, registry.functions.computed[f.computed]) for f in spec.computed_fields]
        self.validator = registry.validator(spec.name)
        self.rules = [_Rule(registry, f) for f in spec.rule_fields]
        self.row_validators = [registry.functions.validators[name] for name in spec.validators]
        self.hooked = bool(service.hooks.anjian_record_validate.get_hookimpls())
        self.normalise_hooked = bool(service.hooks.anjian_record_normalise.get_hookimpls())
        self.today = local_today(service.codec)  # dated codes are checked against the import's day
        self.context = ValidationContext(
            spec, actor, None, {}, service.title_of, catalog=registry.catalog, linked=service.linked
        ).__dict__
        self.child_names = [f.name for f in spec.child_fields]
        self.attachment_names = [f.name for f in spec.attachment_fields]

    def prepare(self, raw: list[Any]) -> tuple[dict[str, Any], list[FieldError]]:
        """The record a row holds and its problems (none: the row may be written)."""
        errors: list[FieldError] = []
        data: dict[str, Any] = {}
        size = len(raw)
        for i, name, read in self.columns:
            if i >= size:
                break
            try:
                converted = read(raw[i])
            except ValueError as exc:
                errors.append(FieldError(f"/{name}", str(exc), "type"))
                continue
            if converted is not None:
                data[name] = converted
        unreadable = {e.pointer for e in errors}
        record = self._normalise(data)
        if self.normalise_hooked:  # a plugin's normalisation, as a single write applies it
            for replaced in self.service.hooks.anjian_record_normalise(entity=self.spec, record=record, old=None):
                record.update(replaced or {})
        context = self._context(record)
        for name, function in self.computed:
            value = function(record, context)
            if value is not None:
                record[name] = value
        service = self.service
        violations = self.validator.violations(record)
        if violations:
            errors += [e for e in service.describe_violations(self.spec, violations) if e.pointer not in unreadable]
        invalid = {e.pointer for e in errors}
        if self.child_names and any(isinstance(record.get(n), list) for n in self.child_names):
            rules = service.rule_errors(self.spec, record, context, invalid)
        else:
            rules = self._rule_errors(record, context, invalid)
        errors += [e for e in rules if e.pointer not in invalid]
        if not errors:
            try:
                service.access.check_record(self.actor, self.spec, record, "create")
            except PermissionDenied as exc:
                errors.append(FieldError("", str(exc), "scope"))
        return record, errors

    def attached(self, record: Mapping[str, Any]) -> set[tuple[str, str, str]]:
        """(entity, field, file id) of every attachment the record holds (``RecordService.attached_files``)."""
        if self.child_names and any(isinstance(record.get(n), list) for n in self.child_names):
            return self.service.attached_files(self.spec, record)
        held: set[tuple[str, str, str]] = set()
        for name in self.attachment_names:
            value = record.get(name)
            if value is not None:
                held.update((self.spec.name, name, str(v)) for v in (value if isinstance(value, list) else [value]))
        return held

    def _normalise(self, data: dict[str, Any]) -> dict[str, Any]:
        """``RecordService.normalise`` of a row's cells (no child rows: no column holds them)."""
        record: dict[str, Any] = {}
        kinds = self.kinds
        for key, value in data.items():
            blank_drops, computed, steps = kinds[key]
            if value is None or (blank_drops and value == "") or computed:
                continue
            if steps and isinstance(value, str):
                value = normalise_text(value, steps)
            record[key] = value
        for name, default in self.defaults:
            if name not in record:
                record[name] = default
        return record

    def _context(self, record: dict[str, Any]) -> ValidationContext:
        """The row's ``ValidationContext``: the import's one with this record (no dataclass init per row)."""
        context: ValidationContext = object.__new__(ValidationContext)
        context.__dict__.update(self.context)
        context.__dict__["record"] = record
        return context

    def _rule_errors(self, record: Mapping[str, Any], context: ValidationContext, invalid: set[str]) -> list[FieldError]:
        """``RecordService.rule_errors`` of a record without child rows, from the resolved rules."""
        errors: list[FieldError] = []
        for rule in self.rules:
            value = record.get(rule.name)
            if value is None or rule.where in invalid:
                continue
            dictionary = rule.dictionary
            if dictionary is not None and value not in rule.codes:
                errors.append(FieldError(rule.where, f"「{value}」不是{dictionary.title}中的代码", "dictionary"))
            elif dictionary is not None:
                errors += retired_code_errors(dictionary, value, rule.where, self.service.codec, today=self.today)
            for check in rule.validators:
                found = check(value, context)
                if found:
                    errors += as_errors(found, rule.where)
        if self.row_validators and not any(p == "" or p.startswith("/") for p in invalid):
            for check in self.row_validators:
                errors += as_errors(check(record, context), "")
        if self.hooked:
            for extra in self.service.hooks.anjian_record_validate(entity=self.spec, record=record, old=None):
                errors += list(extra or ())
        return errors
