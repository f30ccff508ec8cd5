"""Frozen, typed views of declarations: what the engine works from after a load."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from .frozen import FrozenSpec
from .public import PublicProjection

__all__ = [
    "BUILTIN_ROLES",
    "REACH_LEVELS",
    "SYSTEM_COLUMNS",
    "AttachmentSpec",
    "DictionaryItem",
    "DictionarySpec",
    "EntitySpec",
    "FieldSpec",
    "MenuItem",
    "ModuleSpec",
    "RoleSpec",
    "normalise_text",
]

# Roles the engine itself needs; module manifests add the business roles.
BUILTIN_ROLES: dict[str, dict[str, tuple[str, ...]]] = {
    "region_admin": {"_accounts": ("administer",)},  # delegated administrator of users and grants below a region
    "auditor": {"_audit": ("read",)},  # reads the audit log of a region
    "configurator": {"_studio": ("configure",)},  # builds and publishes modules in the studio (建模工作台)
}

# Columns every entity table has; declarations may not use these names.
SYSTEM_COLUMNS = ("id", "created_at", "updated_at", "created_by", "updated_by", "row_version", "overrides")
CHILD_SYSTEM_COLUMNS = ("id", "parent_id", "position")


class AttachmentSpec(FrozenSpec):
    """Upload limits of an attachment field."""

    max_size: int = 20 * 1024 * 1024
    accept: tuple[str, ...] = ()
    multiple: bool = True


class FieldSpec(FrozenSpec):
    """One declared property of an entity."""

    name: str
    title: str
    description: str = ""
    type: str
    nullable: bool = True
    format: str | None = None
    enum: tuple[Any, ...] | None = None
    enum_labels: dict[str, str] = {}
    max_length: int | None = None
    required: bool = False
    default: Any = None
    link: str | None = None
    child: str | None = None
    dictionary: str | None = None
    attachment: AttachmentSpec | None = None
    computed: str | None = None
    validators: tuple[str, ...] = ()
    widget: str | None = None
    renamed_from: str | None = None
    readonly: bool = False
    hidden: bool = False
    placeholder: str = ""
    normalise: tuple[str, ...] = ()  # "strip", "upper": applied to typed text before any check
    schema_: dict[str, Any] = {}

    @property
    def is_child(self) -> bool:
        return self.child is not None

    def label_of(self, value: Any) -> str:
        """The display label of an enum value (the value itself when none is declared)."""
        return self.enum_labels.get(str(value), "" if value is None else str(value))


# How far up the region tree a record with a ``reach`` field is visible, lowest first (FACTS §1.2:
# an accident is reported level by level up to the level its grade requires).
REACH_LEVELS = ("county", "city", "province", "national")


class EntitySpec(FrozenSpec):
    """One entity (a business record type), or a child table of one."""

    name: str
    title: str
    description: str = ""
    module: str | None = None
    parent: str | None = None
    source: str = ""
    pointer: str = ""
    fields: tuple[FieldSpec, ...]
    title_field: str | None = None
    list_columns: tuple[str, ...] = ()
    search_fields: tuple[str, ...] = ()
    filter_fields: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    scope: str | None = None
    owner: str | None = None
    published: str | None = None  # boolean field: true records are readable by public users
    reach: str | None = None  # field: the highest region level (county/city/province/national) that sees a record
    public: PublicProjection | None = None  # fields the public faces may show, and their masks
    validators: tuple[str, ...] = ()
    sections: tuple[dict[str, Any], ...] = ()
    renamed_from: str | None = None
    drop_fields: tuple[str, ...] = ()
    schema_: dict[str, Any] = {}

    @property
    def table(self) -> str:
        return self.name

    @property
    def is_child(self) -> bool:
        return self.parent is not None

    def region_of(self, record: Mapping[str, Any]) -> str:
        """The record's region (its scope column), "" for entities without one."""
        return str(record.get(self.scope) or "") if self.scope else ""

    # Derived views are cached: the record service asks for them on every row of an import.
    @cached_property
    def by_name(self) -> dict[str, FieldSpec]:
        return {f.name: f for f in self.fields}

    def field(self, name: str) -> FieldSpec:
        return self.by_name[name]

    def has_field(self, name: str) -> bool:
        return name in self.by_name

    @cached_property
    def column_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if not f.is_child)

    @cached_property
    def column_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.column_fields)

    @cached_property
    def converted_fields(self) -> tuple[FieldSpec, ...]:
        """Stored fields whose values the codec converts (dates, times, numbers); the rest pass as they are."""
        return tuple(
            f
            for f in self.column_fields
            if f.attachment is None and (f.type == "number" or (f.type == "string" and f.format in ("date", "date-time")))
        )

    @cached_property
    def child_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.is_child)

    @cached_property
    def rule_fields(self) -> tuple[FieldSpec, ...]:
        """Stored fields with rules beyond JSON Schema (dictionary codes, named validators)."""
        return tuple(f for f in self.column_fields if f.dictionary or f.validators)

    @cached_property
    def attachment_fields(self) -> tuple[FieldSpec, ...]:
        """Stored fields holding uploaded file ids."""
        return tuple(f for f in self.column_fields if f.attachment is not None)

    @cached_property
    def computed_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.computed)

    @cached_property
    def default_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.default is not None and not f.computed)

    @property
    def effective_list_columns(self) -> tuple[str, ...]:
        if self.list_columns:
            return self.list_columns
        return tuple(f.name for f in self.column_fields if f.type not in ("object", "array"))[:6]


def normalise_text(value: str, steps: tuple[str, ...]) -> str:
    """Typed text cleaned as a field declares (``strip``, ``upper``) before it is checked and stored."""
    for step in steps:
        value = value.strip() if step == "strip" else value.upper() if step == "upper" else value
    return value


class DictionaryItem(FrozenSpec):
    """One code of a code table."""

    code: str
    label: str
    parent: str | None = None
    level: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    note: str = ""
    attributes: dict[str, float | int | str | bool] = {}  # values rules read with the code (GB 18218 Q, β)

    def in_force(self, on: str) -> bool:
        """Whether the code may be used on the ISO date ``on`` (``valid_to`` is its last day)."""
        return not ((self.valid_to and on > self.valid_to) or (self.valid_from and on < self.valid_from))


class DictionarySpec(FrozenSpec):
    """A code table (GB/T 2260 regions, GB/T 4754 industries, ...)."""

    name: str
    title: str
    description: str = ""
    standard: str = ""
    hierarchical: bool = False
    source: str = ""
    items: tuple[DictionaryItem, ...]

    def codes(self) -> frozenset[str]:
        return self._codes

    @cached_property
    def _codes(self) -> frozenset[str]:  # asked once per checked value: built once per spec
        return frozenset(item.code for item in self.items)

    def prefixes(self, length: int) -> frozenset[str]:
        """The distinct first ``length`` characters of the codes (e.g. the provinces of a region table)."""
        found = self._prefixes.get(length)
        if found is None:
            found = self._prefixes[length] = frozenset(code[:length] for code in self._codes)
        return found

    @cached_property
    def _prefixes(self) -> dict[int, frozenset[str]]:
        return {}

    def item(self, code: str) -> DictionaryItem | None:
        """The item of ``code`` (None when the table has no such code)."""
        return self._by_code.get(code)

    @cached_property
    def _by_code(self) -> dict[str, DictionaryItem]:
        return {i.code: i for i in self.items}

    def is_dated(self, code: str) -> bool:
        """Whether ``code`` has a validity period at all (most codes have none)."""
        return code in self._dated

    @cached_property
    def _dated(self) -> dict[str, DictionaryItem]:
        return {i.code: i for i in self.items if i.valid_from or i.valid_to}

    def out_of_force(self, code: str, on: str) -> DictionaryItem | None:
        """The item of ``code`` if it is not in force on the ISO date ``on`` (retired, or not yet valid).

        ``valid_to`` is the last day a code is in force; ``valid_from`` the first.
        """
        item = self._dated.get(code)
        return item if item is not None and not item.in_force(on) else None


class MenuItem(FrozenSpec):
    """A menu entry: a group of items, an entity's screens, or a URL."""

    title: str
    entity: str | None = None
    url: str | None = None
    icon: str | None = None
    items: tuple[MenuItem, ...] = ()


class RoleSpec(FrozenSpec):
    """A role a module declares: what it may do per entity, and what it includes."""

    name: str
    title: str
    description: str = ""
    inherits: tuple[str, ...] = ()
    permissions: dict[str, tuple[str, ...]] = {}
    mfa: bool = False  # holders must sign in with a second factor (TOTP)


class ModuleSpec(FrozenSpec):
    """A business system: title, menu, entities and roles."""

    name: str
    title: str
    description: str = ""
    version: str = ""
    order: int = 100
    source: str = ""
    entities: tuple[str, ...] = ()
    menu: tuple[MenuItem, ...] = ()
    roles: tuple[RoleSpec, ...] = ()
