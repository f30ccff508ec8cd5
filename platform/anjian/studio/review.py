"""Looking at a draft before it goes live: checks, the reference index and the diff.

The checks are ``anjian check``'s (meta-schemas, compile, cross-references) run over the
published catalog with the module's documents replaced by the draft's, so a reference another
module makes to something the draft removes is found too. Each problem is mapped to the draft
file and JSON pointer it concerns; a problem inside another problem's place (one typo seen by two
checks) is reported once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import MetadataError, MetadataErrors
from ..meta.compile import Catalog, compile_catalog, duplicate_errors
from ..meta.expr import ExpressionError, parse_condition
from ..meta.loader import Document
from ..meta.schema_check import check_document
from .files import draft_documents, module_documents
from .messages import say

__all__ = ["Review", "combined_documents", "diff_files", "preview_catalog", "reference_index", "review_draft"]


def combined_documents(published: Iterable[Document], module: str, draft: Iterable[Document]) -> list[Document]:
    """The whole catalog as the draft would make it: the module's documents replaced by the draft's."""
    published = list(published)
    own = {(d.kind, d.name) for d in module_documents(published, module)}
    return [d for d in published if (d.kind, d.name) not in own] + list(draft)


def _one_per_place(errors: list[MetadataError]) -> list[MetadataError]:
    """Drop a problem when an earlier one sits at the same place or above it in the same file."""
    kept: list[MetadataError] = []
    for error in sorted(errors, key=lambda e: (e.path, len(e.pointer), e.pointer)):
        if any(k.path == error.path and (error.pointer + "/").startswith(k.pointer + "/") and k.pointer for k in kept):
            continue
        if any(k.path == error.path and k.pointer == error.pointer for k in kept):
            continue
        kept.append(error)
    return sorted(kept, key=lambda e: (e.path, e.pointer))


class Review:
    """The outcome of checking a draft: problems by file and pointer, and the catalog if it compiled."""

    def __init__(self, module: str, errors: list[MetadataError], catalog: Catalog | None, documents: list[Document]) -> None:
        self.module = module
        self.errors = errors
        self.catalog = catalog
        self.documents = documents

    @property
    def ok(self) -> bool:
        return not self.errors

    def problems(self) -> list[dict[str, Any]]:
        """Each problem with the draft file it concerns (``file`` empty when it is in another module)."""
        prefix = f"metadata/{self.module}/"
        result = []
        for e in self.errors:
            inside = e.path.startswith(prefix)
            item: dict[str, Any] = {
                "file": e.path[len(prefix) :] if inside else "",
                "elsewhere": "" if inside else e.path,
                "pointer": e.pointer,
                "message": e.message,
                "hint": e.hint or "",
            }
            parts = e.pointer.split("/")
            if inside and len(parts) > 2 and parts[1] == "properties":
                item["field"] = parts[2]
            elif inside and len(parts) > 2 and parts[1] in ("states", "transitions", "deadlines"):
                item[parts[1][:-1]] = parts[2]
            result.append(item)
        return result

    def raise_errors(self) -> None:
        if self.errors:
            raise MetadataErrors(self.errors)


def review_draft(
    module: str, files: Mapping[str, Any], published: Iterable[Document], functions: Mapping[str, frozenset[str]] | None
) -> Review:
    """Every problem of the draft as ``anjian check`` finds it, one message per mistake."""
    draft, errors = draft_documents(module, files)
    manifests = [d for d in draft if d.kind == "module"]
    if not manifests:
        errors.append(
            MetadataError(f"metadata/{module}/module.json", "", say("studio.module.missing"), say("studio.module.missing.hint"))
        )
    for manifest in manifests:
        if manifest.name != module:
            errors.append(
                MetadataError(
                    manifest.path,
                    "/module",
                    say("studio.module.mismatch", found=manifest.name, module=module),
                    say("studio.module.mismatch.hint", module=module),
                )
            )
    documents = combined_documents(published, module, draft)
    errors += duplicate_errors(documents)
    for document in draft:
        errors += check_document(document)
    catalog: Catalog | None = None
    try:
        catalog = compile_catalog(documents, functions)
    except MetadataErrors as exc:
        errors += exc.errors
    return Review(module, _one_per_place(errors), catalog if not errors else None, documents)


def _targets(content: Any) -> set[str]:
    """Entities a document's fields link to or hold as child tables (nested schemas included)."""
    found: set[str] = set()
    stack = [content]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            options = node.get("x-anjian")
            if isinstance(options, dict):
                found.update(str(options[k]) for k in ("link", "child") if isinstance(options.get(k), str))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def preview_catalog(
    module: str,
    files: Mapping[str, Any],
    published: Iterable[Document],
    entity: str,
    functions: Mapping[str, frozenset[str]] | None,
) -> Catalog | None:
    """The catalog one entity's preview needs, compiled alone: the draft's entities and code tables,
    every published code table, and the published entities it links to (transitively). The full
    check stays the editor's; this keeps the preview fast in a large catalog. None if it does not
    compile (the editor then shows the problems)."""
    draft, errors = draft_documents(module, files)
    if errors:
        return None
    own = [d for d in draft if d.kind in ("entity", "dictionary")]  # not the manifest: its roles name other modules
    others = {d.name: d for d in published if d.kind == "entity"}
    names = {d.name for d in own if d.kind == "entity"}
    wanted: dict[str, Document] = {}
    stack = [t for d in own if d.kind == "entity" and d.name == entity for t in _targets(d.content)]
    while stack:
        name = stack.pop()
        if name in names or name in wanted or name not in others:
            continue
        wanted[name] = others[name]
        stack.extend(_targets(others[name].content))
    own_dictionaries = {d.name for d in own if d.kind == "dictionary"}
    dictionaries = [d for d in published if d.kind == "dictionary" and d.name not in own_dictionaries]
    try:
        return compile_catalog([*dictionaries, *own, *wanted.values()], functions)
    except MetadataErrors:
        return None


def _field_places(catalog: Catalog, module: str) -> dict[str, dict[str, list[str]]]:
    """entity → field → the places that name it."""
    index: dict[str, dict[str, list[str]]] = {}

    def note(entity: str, field: str, place: str) -> None:
        index.setdefault(entity, {}).setdefault(field, []).append(place)

    for spec in catalog.entities.values():
        for key, names in (
            ("list_columns", spec.list_columns),
            ("search_fields", spec.search_fields),
            ("filter_fields", spec.filter_fields),
        ):
            for name in names:
                note(spec.name, name, f"{spec.name}: {key}")
        for name in spec.order_by:
            note(spec.name, name.lstrip("-"), f"{spec.name}: order_by")
        for group in (*spec.unique, *spec.indexes):
            for name in group:
                note(spec.name, name, f"{spec.name}: unique/indexes")
        for key in ("title_field", "scope", "owner", "published"):
            value = getattr(spec, key)
            if value:
                note(spec.name, value, f"{spec.name}: {key}")
        for i, section in enumerate(spec.sections):
            for name in section.get("fields", []):
                note(spec.name, str(name), f"{spec.name}: sections/{i} {section.get('title', '')}".rstrip())
        for f in spec.fields:
            if f.link:
                note(f.link, "id", f"{spec.name}.{f.name} → link")
    for process in catalog.processes.values():
        for state in process.states:
            if isinstance(state.editable, tuple):
                for name in state.editable:
                    note(process.entity, name, f"{process.name}: states/{state.name} editable")
        for t in process.transitions:
            for name in (*t.fields, *t.requires, *t.sets):
                note(process.entity, name, f"{process.name}: transitions/{t.name}")
            if t.condition:
                try:
                    used: frozenset[str] = parse_condition(t.condition).names
                except ExpressionError:
                    used = frozenset()
                for name in used:
                    note(process.entity, name, f"{process.name}: transitions/{t.name} condition")
        for d in process.deadlines:
            if d.due_field:
                note(process.entity, d.due_field, f"{process.name}: deadlines/{d.name}")
    return index


def reference_index(catalog: Catalog, module: str) -> dict[str, Any]:
    """Where each field of the module's entities and each state of its processes is used."""
    places = _field_places(catalog, module)
    entities = {}
    for spec in catalog.entities.values():
        if spec.module != module and not (spec.parent and catalog.entities.get(spec.parent, spec).module == module):
            continue
        entities[spec.name] = {
            "fields": {f.name: places.get(spec.name, {}).get(f.name, []) for f in spec.fields},
            "linked_from": places.get(spec.name, {}).get("id", []),
        }
    states: dict[str, dict[str, list[str]]] = {}
    for process in catalog.processes.values():
        if process.entity not in entities:
            continue
        used: dict[str, list[str]] = {s.name: [] for s in process.states}
        used.setdefault(process.start, []).append("start")
        for t in process.transitions:
            for source in t.sources:
                used.setdefault(source, []).append(f"transitions/{t.name} from")
            if t.to:
                used.setdefault(t.to, []).append(f"transitions/{t.name} to")
        for d in process.deadlines:
            for name in (d.start_state, *d.ends, *d.pauses):
                if name:
                    used.setdefault(name, []).append(f"deadlines/{d.name}")
        states[process.name] = used
    return {"entities": entities, "states": states}


def _field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    before, after = old.get("properties", {}) or {}, new.get("properties", {}) or {}
    renamed = {
        name: str(p.get("x-anjian", {}).get("renamed_from"))
        for name, p in after.items()
        if isinstance(p, dict) and p.get("x-anjian", {}).get("renamed_from") in before and name not in before
    }
    added = [n for n in after if n not in before and n not in renamed]
    gone = [n for n in before if n not in after and n not in renamed.values()]
    dropping = set(new.get("x-anjian", {}).get("drop_fields", []) or [])
    removed = [n for n in gone if n not in dropping]
    deleted = [n for n in gone if n in dropping]
    changed = [n for n in after if n in before and before[n] != after[n]]
    result: dict[str, Any] = {}
    for key, value in (("added", added), ("removed", removed), ("deleted", deleted), ("changed", changed), ("renamed", renamed)):
        if value:
            result[key] = value
    if list(before) != list(after) and not result:
        result["reordered"] = True
    return result


def diff_files(published: Mapping[str, Any], draft: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per file: added, removed or changed, and for entities which fields."""
    result = []
    for name in sorted(set(published) | set(draft)):
        if name not in draft:
            result.append({"file": name, "change": "removed"})
        elif name not in published:
            result.append({"file": name, "change": "added"})
        elif published[name] != draft[name]:
            item: dict[str, Any] = {"file": name, "change": "changed"}
            if isinstance(draft[name], dict) and "properties" in draft[name]:
                item["fields"] = _field_changes(published[name], draft[name])
            result.append(item)
    return result
