"""Show stored values to people: enum and dictionary labels, titles of linked records, local dates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from ..meta.spec import EntitySpec, FieldSpec
from .i18n import t

__all__ = ["Display"]


class Display:
    """Formats values of one registry version; link titles are loaded in one query per field."""

    def __init__(self, registry: Any, conn: Any, scope_for: Any) -> None:
        self.registry = registry
        self.conn = conn
        self.scope_for = scope_for  # entity -> SQL condition, so a title never leaks an out-of-scope record
        self.titles: dict[str, dict[int, str]] = {}

    def load_links(self, spec: EntitySpec, records: Iterable[Mapping[str, Any]]) -> None:
        """Fetch the titles of every record the given records link to."""
        rows = list(records)
        for field in spec.column_fields:
            if not field.link:
                continue
            ids = {int(r[field.name]) for r in rows if r.get(field.name) is not None}
            known = self.titles.setdefault(field.link, {})
            missing = sorted(i for i in ids if i is not None and i not in known)
            if missing:
                known.update(self.link_titles(field.link, missing))

    def link_titles(self, entity: str, ids: list[int]) -> dict[int, str]:
        target = self.registry.entity(entity)
        table = self.registry.table(entity)
        column = table.c[target.title_field] if target.title_field else table.c.id
        query = select(table.c.id, column).where(table.c.id.in_(ids))
        scope = self.scope_for(target)
        if scope is not None:
            query = query.where(scope)
        return {row[0]: str(row[1]) for row in self.conn.execute(query)}

    def dictionary_label(self, name: str, code: str) -> str:
        spec = self.registry.catalog.dictionaries.get(name)
        labels = self.registry.dictionary_labels.get(name, {}) if spec else {}
        return str(labels.get(code, code))

    def text(self, field: FieldSpec, value: Any) -> str:
        """The display text of one value."""
        if value is None or value == "":
            return ""
        if field.enum is not None:
            return field.label_of(value)
        if field.dictionary:
            return self.dictionary_label(field.dictionary, str(value))
        if field.link:
            return self.titles.get(field.link, {}).get(value, f"#{value}")
        if field.type == "boolean":
            return t("yes") if value else t("no")
        if field.format == "date-time" and isinstance(value, str):
            return value[:16].replace("T", " ")
        if isinstance(value, list):
            return "、".join(map(str, value))
        return str(value)
