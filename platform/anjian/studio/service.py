"""The studio: where configurators work on modules. It calls the engine, it is not a second one.

Checks are ``anjian check``'s, the plan is the publish's own dry run, publishing is the catalog's
publish with the module's documents replaced, renames are ``renamed_from``, deletes are the
sync's destructive path (export first). Every action is audited.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Engine, func, inspect, literal_column, select, table

from .. import audit
from ..audit import Actor
from ..catalog import current_version, load_documents_at
from ..catalog.store import PublishResult
from ..catalog.store import publish as publish_catalog
from ..data.db import write
from ..data.system import catalog_version
from ..errors import FieldError, NotFound, PermissionDenied, RecordConflict, SchemaChangeRefused
from ..messages import current_language
from ..meta.compile import Catalog, compile_catalog
from ..meta.loader import Document
from ..runtime import Platform
from ..workflow.tables import instance
from .designer import entity_file as designer_entity_file
from .drafts import AUDIT_ENTITY, Draft, DraftStore, check_module_name
from .files import file_name, module_documents, read_files, read_zip, write_zip
from .messages import say
from .review import Review, combined_documents, diff_files, preview_catalog, reference_index, review_draft

__all__ = ["CONFIGURE", "STUDIO_OBJECT", "Studio"]

_PUBLISHED: weakref.WeakKeyDictionary[Engine, tuple[int, list[Document]]] = weakref.WeakKeyDictionary()
# catalog version -> entity -> field -> declaration; a version never changes once published
_FIELDS_AT: weakref.WeakKeyDictionary[Engine, dict[int, dict[str, dict[str, Any]]]] = weakref.WeakKeyDictionary()
# (draft, revision, catalog version, named functions, language, content digest) -> its Review: the
# editor checks the whole catalog on every load, and reopening an unchanged draft need not
_REVIEWS: weakref.WeakKeyDictionary[Engine, OrderedDict[tuple[Any, ...], Review]] = weakref.WeakKeyDictionary()
_REVIEWS_LOCK = threading.Lock()
REVIEWS_KEPT = 16  # per database; a Review holds a compiled catalog, so only the recent few
RETIRED_LOOKBACK = 20  # published versions searched for a retired field's last declaration
STUDIO_OBJECT, CONFIGURE = "_studio", "configure"  # what the built-in role ``configurator`` may do


class Studio:
    """Drafts, review, publish, versions and files of modules, for one Platform."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.drafts = DraftStore(platform.engine)

    # ---- who ------------------------------------------------------------------------------

    def may_configure(self, actor: Actor) -> bool:
        return actor.is_admin or bool(self.platform.access.regions(actor.username, STUDIO_OBJECT, CONFIGURE))

    def require(self, actor: Actor) -> None:
        if not self.may_configure(actor):
            raise PermissionDenied(say("studio.forbidden"), subject=actor.username, action=CONFIGURE, object=STUDIO_OBJECT)

    # ---- published ------------------------------------------------------------------------

    def _published(self, version: int | None = None) -> tuple[int, list[Document]]:
        """The documents of a catalog version (default: the newest); a version never changes, so
        the newest one is kept per database until a newer one appears."""
        with self.platform.engine.connect() as conn:
            number = current_version(conn) if version is None else version
            cached = _PUBLISHED.get(self.platform.engine)
            if cached is not None and cached[0] == number:
                return cached
            documents = load_documents_at(conn, number)
        if version is None:
            _PUBLISHED[self.platform.engine] = (number, documents)
        return number, documents

    def published_files(self, module: str, version: int | None = None) -> dict[str, Any]:
        _number, documents = self._published(version)
        return {file_name(d): d.content for d in module_documents(documents, module)}

    def modules(self) -> list[dict[str, Any]]:
        """Published modules and drafts, one row per module."""
        catalog = self.platform.registry.catalog
        drafts: dict[str, list[Draft]] = {}
        for draft in self.drafts.list():
            drafts.setdefault(draft.module, []).append(draft)
        rows = [
            {
                "module": m.name,
                "title": m.title,
                "entities": list(m.entities),
                "published": True,
                "drafts": [d.as_dict(with_files=False) for d in drafts.pop(m.name, [])],
            }
            for m in sorted(catalog.modules.values(), key=lambda m: (m.order, m.name))
        ]
        rows += [
            {
                "module": name,
                "title": ds[0].title,
                "entities": [],
                "published": False,
                "drafts": [d.as_dict(with_files=False) for d in ds],
            }
            for name, ds in sorted(drafts.items())
        ]
        return rows

    def versions(self, module: str) -> list[dict[str, Any]]:
        """Every published version in which the module's files changed (newest first)."""
        result: list[dict[str, Any]] = []
        previous: dict[str, Any] | None = None
        query = select(
            catalog_version.c.version, catalog_version.c.published_at, catalog_version.c.published_by, catalog_version.c.comment
        ).order_by(catalog_version.c.version)
        with self.platform.engine.connect() as conn:
            rows = conn.execute(query).all()
            for row in rows:
                files = {file_name(d): d.content for d in module_documents(load_documents_at(conn, row.version), module)}
                if files and files != previous:
                    result.append(
                        {
                            "version": row.version,
                            "published_at": row.published_at.isoformat() if row.published_at else None,
                            "published_by": row.published_by,
                            "comment": row.comment or "",
                            "files": sorted(files),
                        }
                    )
                previous = files
        return result[::-1]

    # ---- drafts ---------------------------------------------------------------------------

    def create_draft(self, actor: Actor, module: Any, *, from_version: Any = None, title: str = "") -> Draft:
        """A new draft: of the published module (or of an older version: restore), or an empty one."""
        self.require(actor)
        module = check_module_name(module)
        base, _docs = self._published()
        if from_version is not None:
            if isinstance(from_version, bool) or not isinstance(from_version, int) or not 0 < from_version < 2**63:
                raise NotFound(say("studio.version.not_found", module=module, version=from_version))
            files = self.published_files(module, from_version)
            if not files:
                raise NotFound(say("studio.version.not_found", module=module, version=from_version))
            source = f"version {from_version}"
        else:
            files = self.published_files(module)
            source = "published" if files else "new"
        if not files:
            files = {"module.json": {"module": module, "title": title or module, "entities": []}}
        return self.drafts.create(actor, module, files, base_version=base, title=title, source=source)

    def save_draft(self, actor: Actor, draft_id: int, version: Any, **changes: Any) -> Draft:
        self.require(actor)
        return self.drafts.save(actor, draft_id, version, **changes)

    def delete_draft(self, actor: Actor, draft_id: int) -> None:
        self.require(actor)
        self.drafts.delete(actor, draft_id)

    # ---- review ---------------------------------------------------------------------------

    def review(self, draft: Draft) -> Review:
        """``anjian check`` over the draft; the outcome is kept per draft revision, catalog version,
        named functions and language, and found again by the files' digest (so a draft changed
        in memory but not saved is never answered with another revision's result)."""
        number, documents = self._published()
        functions = self.platform.host.functions.names()
        try:
            text = json.dumps(draft.files, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError):  # not plain JSON: check it as it is, keep nothing
            return review_draft(draft.module, draft.files, documents, functions)
        digest = hashlib.sha256(text.encode()).hexdigest()
        named = tuple(sorted((kind, tuple(sorted(names))) for kind, names in functions.items()))
        key = (draft.id, draft.version, draft.module, number, named, current_language(), digest)
        with _REVIEWS_LOCK:
            kept = _REVIEWS.setdefault(self.platform.engine, OrderedDict())
            found = kept.get(key)
            if found is not None:
                kept.move_to_end(key)
                return found
        # Checked over a private copy of the files: later edits of the caller's dicts cannot reach it.
        review = review_draft(draft.module, json.loads(text), documents, functions)
        with _REVIEWS_LOCK:
            kept[key] = review
            while len(kept) > REVIEWS_KEPT:
                kept.popitem(last=False)
        return review

    def preview_catalog(self, draft: Draft, entity: str) -> Catalog | None:
        """What the live preview of ``entity`` renders from (see ``review.preview_catalog``)."""
        _number, documents = self._published()
        return preview_catalog(draft.module, draft.files, documents, entity, self.platform.host.functions.names())

    def diff(self, draft: Draft) -> list[dict[str, Any]]:
        return diff_files(self.published_files(draft.module), draft.files)

    def references(self, draft: Draft) -> dict[str, Any]:
        review = self.review(draft)
        review.raise_errors()
        assert review.catalog is not None
        return reference_index(review.catalog, draft.module)

    def _publish(self, actor: Actor, review: Review, *, dry_run: bool, confirm: bool, comment: str = "") -> PublishResult:
        return publish_catalog(
            self.platform.engine,
            review.documents,
            self.platform.host.functions,
            actor,
            export_dir=self.platform.settings.export_dir,
            confirm_destructive=confirm,
            dry_run=dry_run,
            replace_all=True,
            comment=comment,
        )

    def plan(self, actor: Actor, draft: Draft) -> dict[str, Any]:
        """The publish's own plan, every change with the records of its table, and the diff."""
        self.require(actor)
        review = self.review(draft)
        review.raise_errors()
        result = self._publish(actor, review, dry_run=True, confirm=False)
        counts = self._row_counts(c.table for c in result.plan.changes)
        changes = [{**c, "rows": counts.get(c["table"], 0), "text": _describe(c)} for c in result.plan.as_dict()["changes"]]
        self._count_kept_values(changes)
        return {
            "in_flight": self.in_flight(review),
            "changes": changes,
            "destructive": [f"{c.table}.{c.column}" for c in result.plan.destructive],
            "blocked": [f"{c.table}.{c.column}" for c in result.plan.blocked],
            "documents": result.changed,
            "diff": self.diff(draft),
            "export_dir": str(self.platform.settings.export_dir),
        }

    def in_flight(self, review: Review) -> list[dict[str, Any]]:
        """Per process of the module: records in flight in each state, and the states that would
        disappear with records in them and no migration mapping (``unmapped``)."""
        assert review.catalog is not None
        result = []
        with self.platform.engine.connect() as conn:
            for process in review.catalog.processes.values():
                spec = review.catalog.entities.get(process.entity)
                if spec is None or spec.module != review.module:
                    continue
                counts = _states_in_flight(conn, process.entity)
                states = {s.name for s in process.states}
                mapping = process.migration or {}
                unmapped = sorted(s for s in counts if s not in states and s not in mapping)
                result.append(
                    {
                        "process": process.name,
                        "states": counts,
                        "unmapped": unmapped,
                        "mapped": {k: v for k, v in mapping.items() if k in counts},
                        "targets": [{"name": st.name, "title": st.title} for st in process.states],
                    }
                )
        return result

    def states_in_flight(self, entity: str) -> dict[str, int]:
        """Records of ``entity`` in flight, per process state (the process designer shows them)."""
        with self.platform.engine.connect() as conn:
            return _states_in_flight(conn, entity)

    def retired_fields(self, draft: Draft, entity: str) -> dict[str, dict[str, Any]]:
        """Fields of ``entity`` declared in a published version but not in the draft whose column
        (and data) the database still holds: name -> its last declaration, to bring back."""
        try:
            doc = draft.files[designer_entity_file(draft.files, entity)]
        except KeyError:
            return {}
        declared = set(doc.get("properties", {}))
        engine = self.platform.engine
        cache = _FIELDS_AT.setdefault(engine, {})
        found: dict[str, dict[str, Any]] = {}
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            if entity not in names:
                return {}
            columns = {c["name"] for c in inspect(conn).get_columns(entity)}
            versions = conn.execute(
                select(catalog_version.c.version).order_by(catalog_version.c.version.desc()).limit(RETIRED_LOOKBACK)
            ).scalars()
            for version in versions:
                if version not in cache:
                    cache[version] = {
                        d.name: dict(d.content.get("properties", {}))
                        for d in load_documents_at(conn, version)
                        if d.kind == "entity"
                    }
                for name, schema in cache[version].get(entity, {}).items():
                    if name not in declared and name not in found and name in columns:
                        found[name] = schema
        return found

    def _count_kept_values(self, changes: list[dict[str, Any]]) -> None:
        """Renames and retired fields touch stored values too: count them (the sync counts only losses)."""
        existing = set(self.platform.registry.tables)
        with self.platform.engine.connect() as conn:
            for change in changes:
                column = change["old"] if change["kind"] == "rename_column" else change["column"]
                if change["kind"] in ("rename_column", "retain_column") and change["table"] in existing and column:
                    query = (
                        select(func.count())
                        .select_from(table(change["table"]))
                        .where(literal_column(_quoted(conn, column)).is_not(None))
                    )
                    change["affected"] = int(conn.execute(query).scalar_one())

    def _row_counts(self, tables: Iterable[str]) -> dict[str, int]:
        existing = set(self.platform.registry.tables)
        counts = {}
        with self.platform.engine.connect() as conn:
            for name in sorted(set(tables)):
                if name in existing:
                    counts[name] = int(conn.execute(select(func.count()).select_from(table(name))).scalar_one())
        return counts

    def dry_run(self, actor: Actor, draft: Draft, limit: int = 20) -> dict[str, Any]:
        """How many stored records of each entity would break the draft's rules (with the first ids)."""
        self.require(actor)
        review = self.review(draft)
        review.raise_errors()
        assert review.catalog is not None
        from ..catalog import Registry
        from ..data.query import ListQuery

        live = self.platform.registry
        candidate = Registry(review.catalog, live.version + 1, self.platform.host.functions)
        reader = self.platform.reader
        result: dict[str, Any] = {}
        with self.platform.engine.connect() as conn:
            for spec in review.catalog.entities.values():
                if spec.module != draft.module or spec.is_child:
                    continue
                old_name = spec.name if spec.name in live.catalog.entities else spec.renamed_from
                if not old_name or old_name not in live.catalog.entities:
                    continue
                old = live.catalog.entities[old_name]
                renames = {f.renamed_from: f.name for f in spec.fields if f.renamed_from}
                keep = {f.name for f in spec.column_fields}
                validator = candidate.validator(spec.name)
                checked, failing = 0, 0
                ids: list[int] = []
                reasons: dict[str, int] = {}
                for record in reader.iterate(conn, old, ListQuery.parse(old, {})):
                    body = {renames.get(k, k): v for k, v in record.items() if v is not None}
                    body = {k: v for k, v in body.items() if k in keep}
                    checked += 1
                    violations = [v for v in validator.violations(body) if not _in_child(v.path, spec)]
                    if violations:
                        failing += 1
                        if len(ids) < limit:
                            ids.append(record["id"])
                        for v in violations:
                            key = "/" + "/".join(str(p) for p in v.path) if v.path else v.keyword
                            reasons[key] = reasons.get(key, 0) + 1
                result[spec.name] = {
                    "checked": checked,
                    "failing": failing,
                    "ids": ids,
                    "by_field": reasons,
                    "url": f"/e/{old_name}/",
                }
        return {"entities": result, "failing": sum(r["failing"] for r in result.values())}

    # ---- publish --------------------------------------------------------------------------

    def publish(self, actor: Actor, draft_id: int, version: Any, *, confirm: str = "", comment: str = "") -> dict[str, Any]:
        """Publish the draft if it is the version the caller saw, has no problems, and, when it
        deletes stored data, the module's name was typed to confirm."""
        self.require(actor)
        draft = self.drafts.get(draft_id)
        if version != draft.version:
            text = say("studio.draft.stale", by=draft.updated_by, current=draft.version, given=version)
            raise RecordConflict(AUDIT_ENTITY, [FieldError("/version", text, "stale")])
        review = self.review(draft)
        review.raise_errors()
        unmapped = [f"{p['process']}: {', '.join(p['unmapped'])}" for p in self.in_flight(review) if p["unmapped"]]
        if unmapped:
            text = say("studio.states.unmapped", states="; ".join(unmapped))
            raise RecordConflict(
                AUDIT_ENTITY, [FieldError("/migration", f"{text}。{say('studio.states.unmapped.hint')}", "unmapped")]
            )
        try:  # one pass: the sync itself refuses a destructive plan that was not confirmed
            result = self._publish(
                actor, review, dry_run=False, confirm=confirm == draft.module, comment=comment or f"studio: {draft.module}"
            )
        except SchemaChangeRefused as exc:
            if exc.plan.blocked:
                raise  # duplicates stand in the way of a unique index: the plan says where
            destructive = [f"{c.table}.{c.column}" for c in exc.plan.destructive]
            hint = say("studio.confirm.required.hint", export_dir=self.platform.settings.export_dir)
            text = say("studio.confirm.required", columns=", ".join(destructive), module=draft.module)
            raise RecordConflict(AUDIT_ENTITY, [FieldError("/confirm", f"{text}。{hint}", "confirm_required")]) from None
        self.platform.refresh()
        self.platform.timers.migrate(actor)
        with write(self.platform.engine) as conn, conn.begin():
            audit.append(
                conn,
                actor,
                "studio_publish",
                AUDIT_ENTITY,
                draft_id,
                {"module": draft.module, "version": result.version, "changed": result.changed, "exports": result.plan.exports},
            )
        return {
            "version": result.version,
            "changed": result.changed,
            "plan": result.plan.as_dict(),
            "exports": result.plan.exports,
        }

    def withdraw(self, actor: Actor, module: str, *, confirm: str = "") -> dict[str, Any]:
        """Remove a published module's documents (its tables and data stay), through the same checks:
        refused while another module refers to it, and unless its name is typed to confirm."""
        self.require(actor)
        _number, documents = self._published()
        if not module_documents(documents, module):
            raise NotFound(say("studio.version.not_found", module=module, version="*"))
        if confirm != module:
            text = say("studio.withdraw.confirm", module=module)
            raise RecordConflict(AUDIT_ENTITY, [FieldError("/confirm", text, "confirm_required")])
        remaining = combined_documents(documents, module, [])
        catalog = compile_catalog(remaining, self.platform.host.functions.names())  # MetadataErrors: what still refers to it
        del catalog
        review = Review(module, [], None, remaining)
        result = self._publish(actor, review, dry_run=False, confirm=False, comment=f"studio: withdraw {module}")
        self.platform.refresh()
        with write(self.platform.engine) as conn, conn.begin():
            audit.append(conn, actor, "studio_withdraw", AUDIT_ENTITY, None, {"module": module, "version": result.version})
        return {"version": result.version, "changed": result.changed, "plan": result.plan.as_dict()}

    # ---- files ----------------------------------------------------------------------------

    def export(self, actor: Actor, module: str, files: dict[str, Any], draft_id: int | None = None) -> bytes:
        self.require(actor)
        data = write_zip(module, files)
        with write(self.platform.engine) as conn, conn.begin():
            audit.append(conn, actor, "studio_export", AUDIT_ENTITY, draft_id, {"module": module, "files": sorted(files)})
        return data

    def import_files(
        self,
        actor: Actor,
        draft_id: int,
        version: Any,
        *,
        zip_data: bytes | None = None,
        items: list[tuple[str, bytes]] | None = None,
    ) -> Draft:
        """Replace a draft's files with a zip's or a folder's (checked for paths and size first)."""
        self.require(actor)
        draft = self.drafts.get(draft_id)
        files = read_zip(draft.module, zip_data) if zip_data is not None else read_files(draft.module, items or [])
        return self.drafts.save(
            actor,
            draft_id,
            version,
            files=files,
            action="studio_import",
            detail={"source": "zip" if zip_data is not None else "files"},
        )

    # ---- roles ----------------------------------------------------------------------------

    def roles(self, draft: Draft) -> list[dict[str, Any]]:
        """The module's roles with inheritance and a matrix of entity × actions (workflow included)."""
        manifest = draft.files.get("module.json", {})
        processes = [c for c in draft.files.values() if isinstance(c, dict) and "process" in c]
        result = []
        for role in manifest.get("roles", []) if isinstance(manifest, dict) else []:
            if not isinstance(role, dict):
                continue
            matrix = {str(e): list(a) for e, a in (role.get("permissions") or {}).items() if isinstance(a, list)}
            for process in processes:
                for t in process.get("transitions", []):
                    if isinstance(t, dict) and role.get("name") in t.get("roles", []):
                        matrix.setdefault(str(process.get("entity")), []).append(f"{t.get('name')}")
            result.append(
                {"name": role.get("name"), "title": role.get("title", ""), "inherits": role.get("inherits", []), "matrix": matrix}
            )
        return result

    def grant(self, actor: Actor, username: str, role: str, region: str) -> int:
        """Grant a role to a user over a region (the access service checks the actor administers it)."""
        self.require(actor)
        if role not in self.platform.access.role_titles():
            raise NotFound(f"角色 {role} 尚未发布")
        grant_id = self.platform.access.add_grant(actor, username, role, region)
        with write(self.platform.engine) as conn, conn.begin():
            audit.append(
                conn, actor, "studio_grant", AUDIT_ENTITY, grant_id, {"username": username, "role": role, "region": region}
            )
        return grant_id


def _in_child(path: tuple[str | int, ...], spec: Any) -> bool:
    return bool(path) and path[0] in {f.name for f in spec.child_fields}


_KINDS = {
    "create_table": "新建数据表",
    "rename_table": "数据表改名，数据保留",
    "add_column": "新增字段",
    "rename_column": "字段改名（原 {old}），数据随字段保留",
    "retain_column": "字段不再声明：从表单和列表中移除，列和数据保留，可恢复",
    "drop_column": "永久删除字段中的 {affected} 个值（删除前先导出）",
    "narrow_type": "字段类型收窄：{affected} 个值受影响",
    "widen_type": "字段类型放宽",
    "create_index": "新建索引",
    "drop_index": "删除不再声明的索引",
}


def _describe(change: dict[str, Any]) -> str:
    """A plan step in Chinese for the publish page (the plan's own text stays for the CLI)."""
    text = _KINDS.get(str(change.get("kind")), str(change.get("detail", "")))
    if change.get("blocked"):
        text += f"；有 {change.get('affected', 0)} 个重复值，请先处理重复数据"
    return text.format(old=change.get("old", ""), affected=change.get("affected", 0))


def _quoted(conn: Connection, name: str) -> str:
    return str(conn.dialect.identifier_preparer.quote(name))


def _states_in_flight(conn: Connection, entity: str) -> dict[str, int]:
    rows = conn.execute(
        select(instance.c.state, func.count())
        .where(instance.c.entity == entity, instance.c.ended_at.is_(None))
        .group_by(instance.c.state)
    ).all()
    return {str(state): int(n) for state, n in rows}
