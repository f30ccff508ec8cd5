"""Turn checked documents into a Catalog of specs, with every cross-reference verified."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import MetadataError, MetadataErrors
from .dashboard_spec import DashboardSpec, build_dashboard
from .ecma import pattern_problem
from .exchange_spec import ExchangeSpec, build_exchange, check_exchanges
from .loader import Document
from .messages import say
from .pointer import pointer
from .portal_spec import PortalSpec, build_portal, check_portal
from .process_spec import ProcessSpec, build_process
from .profile import Profile, apply_settings, resolve_profiles
from .public import PublicProjection
from .references import ACTIONS, check_processes, check_references, known
from .report_spec import ReportSpec, build_report
from .schema_check import check_document
from .spec import (
    BUILTIN_ROLES,
    CHILD_SYSTEM_COLUMNS,
    REACH_LEVELS,
    SYSTEM_COLUMNS,
    AttachmentSpec,
    DictionarySpec,
    EntitySpec,
    FieldSpec,
    ModuleSpec,
)
from .standalone import build_dictionary, build_module
from .validation import INT32, INT64, RecordValidator, validation_schema

__all__ = ["ACTIONS", "Catalog", "compile_catalog", "duplicate_errors"]

RESERVED_PREFIXES = ("ab_", "anjian_", "celery_", "kombu_", "alembic", "sqlite_")
SCALAR_TYPES = ("string", "integer", "number", "boolean")


@dataclass(frozen=True)
class Catalog:
    """Everything one set of declarations defines, keyed by name."""

    entities: Mapping[str, EntitySpec] = field(default_factory=dict)
    modules: Mapping[str, ModuleSpec] = field(default_factory=dict)
    dictionaries: Mapping[str, DictionarySpec] = field(default_factory=dict)
    processes: Mapping[str, ProcessSpec] = field(default_factory=dict)
    calendars: tuple[Mapping[str, Any], ...] = ()  # working-day arrangements of years (see workflow.calendar)
    documents: tuple[Document, ...] = ()
    profile: Profile = field(default_factory=Profile)  # the regulation settings in force (meta.profile)
    reports: Mapping[str, ReportSpec] = field(default_factory=dict)  # declared statistics (meta.report_spec)
    dashboards: Mapping[str, DashboardSpec] = field(default_factory=dict)  # KPI cards and widgets (meta.dashboard_spec)
    exchanges: Mapping[str, ExchangeSpec] = field(default_factory=dict)  # what leaves the deployment (meta.exchange_spec)
    portals: Mapping[str, PortalSpec] = field(default_factory=dict)  # the faces of the portal (meta.portal_spec)

    def portal_of(self, face: str) -> PortalSpec | None:
        """The declaration of one face (public, office, decision), if any."""
        return next((p for p in self.portals.values() if p.face == face), None)

    def process_of(self, entity: str) -> ProcessSpec | None:
        """The process records of ``entity`` run through, if it has one."""
        return next((p for p in self.processes.values() if p.entity == entity), None)

    def top_entities(self) -> list[EntitySpec]:
        return [e for e in self.entities.values() if not e.is_child]

    def children_of(self, entity: EntitySpec) -> list[EntitySpec]:
        return [self.entities[f.child] for f in entity.child_fields if f.child is not None and f.child in self.entities]


def _types(schema: Mapping[str, Any]) -> tuple[str, bool]:
    """(main type, nullable) of a property schema."""
    declared = schema.get("type", "string")
    kinds = [declared] if isinstance(declared, str) else list(declared)
    nullable = "null" in kinds or not kinds
    main = next((k for k in kinds if k != "null"), "string")
    return main, nullable


class _Builder:
    """Builds specs from one document, collecting semantic problems instead of stopping."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.errors: list[MetadataError] = []
        self.entities: list[EntitySpec] = []

    def error(self, parts: Iterable[Any], message: str, hint: str) -> None:
        self.errors.append(MetadataError(self.document.path, pointer(parts), message, hint))

    def entity(
        self,
        schema: Mapping[str, Any],
        options: Mapping[str, Any],
        where: list[Any],
        name: str,
        parent: str | None,
        module: str | None,
    ) -> EntitySpec:
        required = set(schema.get("required", []))
        fields: list[FieldSpec] = []
        reserved = CHILD_SYSTEM_COLUMNS if parent else SYSTEM_COLUMNS
        for fname, prop in schema.get("properties", {}).items():
            at = where + ["properties", fname]
            if fname in reserved:
                self.error(at, say("meta.system.column", name=fname), say("meta.system.column.hint", names=", ".join(reserved)))
                continue
            fields.append(self.field(fname, prop, at, fname in required, name, module))
        spec = EntitySpec(
            name=name,
            title=str(schema.get("title") or name),
            description=str(schema.get("description", "")),
            module=module,
            parent=parent,
            source=self.document.path,
            pointer=pointer(where),
            fields=tuple(fields),
            title_field=options.get("title_field"),
            list_columns=tuple(options.get("list_columns", ())),
            search_fields=tuple(options.get("search_fields", ())),
            filter_fields=tuple(options.get("filter_fields", ())),
            order_by=tuple(options.get("order_by", ())),
            unique=tuple(tuple(u) for u in options.get("unique", ())),
            indexes=tuple(tuple(i) for i in options.get("indexes", ())),
            scope=options.get("scope"),
            owner=options.get("owner"),
            published=options.get("published"),
            reach=options.get("reach"),
            public=PublicProjection(**options["public"]) if "public" in options else None,
            validators=tuple(options.get("validators", ())),
            sections=tuple(options.get("sections", ())),
            renamed_from=options.get("renamed_from"),
            drop_fields=tuple(options.get("drop_fields", ())),
            schema_=dict(schema),
        )
        self.check_entity_options(spec, where + ["x-anjian"] if not parent else where)
        self.entities.append(spec)
        return spec

    def field(
        self, name: str, prop: Mapping[str, Any], at: list[Any], required: bool, entity: str, module: str | None
    ) -> FieldSpec:
        options = prop.get("x-anjian", {})
        main, nullable = _types(prop)
        opt_at = at + ["x-anjian"]
        child = options.get("child")
        if child is not None:
            items = prop.get("items", {})
            if main != "array" or _types(items)[0] != "object" or "properties" not in items:
                self.error(
                    opt_at + ["child"],
                    say("meta.child.shape"),
                    say("meta.child.shape.hint"),
                )
            else:
                if "x-anjian" in items:
                    self.error(
                        at + ["items", "x-anjian"],
                        say("meta.child.options"),
                        say("meta.child.options.hint"),
                    )
                if child.startswith(RESERVED_PREFIXES):
                    self.error(
                        opt_at + ["child"],
                        say("meta.child.prefix", prefix=child.split("_")[0]),
                        say("meta.child.prefix.hint", names=", ".join(RESERVED_PREFIXES)),
                    )
                spec = self.entity(items, {}, at + ["items"], child, entity, module)
                for f in spec.fields:
                    if f.computed:
                        self.error(
                            at + ["items", "properties", f.name, "x-anjian", "computed"],
                            say("meta.child.computed"),
                            say("meta.child.computed.hint"),
                        )
        if options.get("link") and main != "integer":
            self.error(
                opt_at + ["link"],
                say("meta.link.type", type=main),
                say("meta.link.type.hint"),
            )
        if options.get("dictionary") and main != "string":
            self.error(
                opt_at + ["dictionary"],
                say("meta.dictionary.type", type=main),
                say("meta.dictionary.type.hint"),
            )
        labels = options.get("enum_labels", {})
        enum = prop.get("enum")
        if labels and enum is None:
            self.error(opt_at + ["enum_labels"], say("meta.labels.no.enum"), say("meta.labels.no.enum.hint"))
        for key in labels:
            if enum is not None and key not in [str(v) for v in enum]:
                self.error(
                    opt_at + ["enum_labels", key],
                    say("meta.label.unknown", key=key),
                    say("meta.label.unknown.hint", names=", ".join(map(str, enum))),
                )
        self.check_storable(prop, at, link=bool(options.get("link")))
        self.check_patterns(prop, at)
        if "default" in prop:
            self.check_default(name, prop, at)
        attachment = options.get("attachment")
        if attachment is not None and main not in ("array", "string"):
            self.error(
                opt_at + ["attachment"],
                say("meta.attachment.type"),
                say("meta.attachment.type.hint"),
            )
        return FieldSpec(
            name=name,
            title=str(prop.get("title") or name),
            description=str(prop.get("description", "")),
            type=main,
            nullable=nullable,
            format=prop.get("format"),
            enum=tuple(enum) if enum is not None else None,
            enum_labels={str(k): str(v) for k, v in labels.items()},
            max_length=prop.get("maxLength"),
            required=required,
            default=prop.get("default"),
            link=options.get("link"),
            child=child,
            dictionary=options.get("dictionary"),
            attachment=AttachmentSpec(**attachment) if attachment is not None else None,
            computed=options.get("computed"),
            validators=tuple(options.get("validators", ())),
            widget=options.get("widget"),
            renamed_from=options.get("renamed_from"),
            readonly=bool(options.get("readonly", prop.get("readOnly", False))) or options.get("computed") is not None,
            hidden=bool(options.get("hidden", False)),
            placeholder=str(options.get("placeholder", "")),
            normalise=tuple(options.get("normalise", ())),
            schema_=dict(prop),
        )

    def check_storable(self, prop: Mapping[str, Any], at: list[Any], *, link: bool) -> None:
        """A column field needs one type, and integer bounds its column can hold."""
        declared = prop.get("type")
        if declared is None:
            self.error(at, say("meta.type.missing"), say("meta.type.missing.hint"))
            return
        kinds = [declared] if isinstance(declared, str) else list(declared)
        solid = [k for k in kinds if k != "null"]
        if len(solid) > 1:
            self.error(at + ["type"], say("meta.type.several", types=", ".join(solid)), say("meta.type.several.hint"))
        if solid == ["integer"]:
            low, high = INT32 if link else INT64
            for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                value = prop.get(keyword)
                if isinstance(value, int | float) and not isinstance(value, bool) and not low <= value <= high:
                    self.error(
                        at + [keyword],
                        say("meta.bound.range", keyword=keyword, value=value, low=low, high=high),
                        say("meta.bound.range.hint"),
                    )

    def check_patterns(self, node: Any, at: list[Any]) -> None:
        """Every pattern in a field (and its nested schemas) must be ECMA-262 and linear-time."""
        if isinstance(node, list):
            for i, item in enumerate(node):
                self.check_patterns(item, at + [i])
        elif isinstance(node, Mapping):
            for key, value in node.items():
                if key == "pattern" and isinstance(value, str):
                    problem = pattern_problem(value)
                    if problem:
                        self.error(at + [key], say(problem, pattern=json.dumps(value)), say(problem + ".hint"))
                elif key not in ("enum", "const", "default", "examples", "x-anjian"):
                    self.check_patterns(value, at + [key])

    def check_default(self, name: str, prop: Mapping[str, Any], at: list[Any]) -> None:
        """The default must pass the same validator records do."""
        holder = EntitySpec(name="default", title="", fields=(), schema_={"type": "object", "properties": {name: dict(prop)}})
        schema = validation_schema(holder)
        try:
            violations = RecordValidator(schema).violations({name: prop["default"]})
        except ValueError:  # a pattern the checks above refuse: that is reported once, there
            return
        if violations:
            first = violations[0]
            problem = first.keyword if first.value is None else f"{first.keyword} {json.dumps(first.value, ensure_ascii=False)}"
            self.error(at + ["default"], say("meta.default.invalid", problem=problem), say("meta.default.invalid.hint"))

    def check_entity_options(self, spec: EntitySpec, at: list[Any]) -> None:
        names = {f.name for f in spec.fields}
        columns = {f.name for f in spec.column_fields}

        def need(parts: list[Any], fieldname: str, pool: set[str], what: str) -> None:
            if fieldname not in pool:
                self.error(
                    at + parts,
                    say("meta.option.field", name=fieldname, what=say(f"meta.what.{what}"), entity=spec.name),
                    say("meta.one.of.hint", names=", ".join(sorted(pool)) or say("meta.none")),
                )

        scalar = {f.name for f in spec.column_fields if f.type not in ("object", "array")}
        for i, fname in enumerate(spec.search_fields):
            if fname in columns and spec.field(fname).type != "string":
                self.error(at + ["search_fields", i], say("meta.search.text", name=fname), say("meta.search.text.hint"))
        for i, fname in enumerate(spec.filter_fields):
            if fname in columns and fname not in scalar:
                self.error(at + ["filter_fields", i], say("meta.filter.scalar", name=fname), say("meta.filter.scalar.hint"))
        for key in ("list_columns", "search_fields", "filter_fields", "drop_fields"):
            for i, fname in enumerate(getattr(spec, key)):
                if key == "drop_fields":
                    if fname in names:
                        self.error(
                            at + [key, i],
                            say("meta.drop.declared", name=fname),
                            say("meta.drop.declared.hint"),
                        )
                    continue
                need([key, i], fname, columns, "stored")
        for i, entry in enumerate(spec.order_by):
            need(["order_by", i], entry.lstrip("-"), scalar | {"id", "created_at", "updated_at"}, "sortable")
        for key in ("unique", "indexes"):
            for i, group in enumerate(getattr(spec, key)):
                for j, fname in enumerate(group):
                    need([key, i, j], fname, columns, "stored")
        if spec.title_field:
            need(["title_field"], spec.title_field, columns, "stored")
        if spec.scope:
            need(["scope"], spec.scope, {f.name for f in spec.column_fields if f.type == "string"}, "string")
        if spec.owner:
            need(["owner"], spec.owner, {f.name for f in spec.column_fields if f.link}, "link")
        if spec.published:
            need(["published"], spec.published, {f.name for f in spec.column_fields if f.type == "boolean"}, "boolean")
        if spec.reach:
            need(["reach"], spec.reach, {f.name for f in spec.column_fields if f.type == "string"}, "string")
            field = spec.by_name.get(spec.reach)
            if field is not None and field.type == "string" and not (field.enum and set(field.enum) <= set(REACH_LEVELS)):
                self.error(at + ["reach"], say("meta.reach.values", name=spec.reach), say("meta.reach.values.hint"))
        for i, section in enumerate(spec.sections):
            for j, fname in enumerate(section.get("fields", ())):
                need(["sections", i, "fields", j], fname, names, "field")
        if spec.public:
            for i, fname in enumerate(spec.public.fields):
                need(["public", "fields", i], fname, columns, "stored")
            for fname in spec.public.mask:
                need(["public", "mask", fname], fname, set(spec.public.fields), "public")


def duplicate_errors(documents: Iterable[Document]) -> list[MetadataError]:
    """Two documents of one set declaring the same name (before they replace published ones)."""
    first: dict[tuple[str, str], str] = {}
    errors = []
    for document in documents:
        key = (document.kind, document.name)
        if key in first:
            where = {
                "entity": "/x-anjian/entity",
                "module": "/module",
                "dictionary": "/dictionary",
                "process": "/process",
                "calendar": "/year",
                "profile": "/profile",
                "report": "/report",
                "dashboard": "/dashboard",
                "exchange": "/exchange",
                "portal": "/portal",
            }[document.kind]
            errors.append(
                MetadataError(
                    document.path,
                    where,
                    say("meta.name.twice", kind=say(f"meta.kind.{document.kind}"), name=document.name, first=first[key]),
                    say("meta.name.twice.hint", kind=say(f"meta.kind.{document.kind}")),
                )
            )
        else:
            first[key] = document.path
    return errors


def compile_catalog(documents: Iterable[Document], functions: Mapping[str, frozenset[str]] | None = None) -> Catalog:
    """Check and compile documents; raise MetadataErrors with every problem found.

    ``functions`` maps a kind ("validator", "computed") to the registered named functions; when
    None, references to named functions are not checked (the engine is not loaded).
    """
    documents = list(documents)
    errors: list[MetadataError] = []
    entities: dict[str, EntitySpec] = {}
    modules: dict[str, ModuleSpec] = {}
    dictionaries: dict[str, DictionarySpec] = {}
    processes: dict[str, ProcessSpec] = {}
    calendars: list[Mapping[str, Any]] = []
    report_documents: list[Document] = []
    dashboard_documents: list[Document] = []
    exchanges: dict[str, ExchangeSpec] = {}
    portals: dict[str, PortalSpec] = {}
    first_seen: dict[tuple[str, str], str] = {}
    profiles = [d for d in documents if d.kind == "profile"]
    profile_problems = [p for d in profiles for p in check_document(d)]
    errors.extend(profile_problems)
    profile, problems = resolve_profiles(profiles if not profile_problems else ())
    errors.extend(problems)

    def claim(kind: str, name: str, document: Document, where: str) -> bool:
        key = ("entity" if kind == "entity" else kind, name)
        if key in first_seen:
            errors.append(
                MetadataError(
                    document.path,
                    where,
                    say("meta.name.twice", kind=say(f"meta.kind.{kind}"), name=name, first=first_seen[key]),
                    say("meta.name.twice.hint", kind=say(f"meta.kind.{kind}")),
                )
            )
            return False
        first_seen[key] = document.path
        return True

    for document in documents:
        problems = check_document(document) if document.kind != "profile" else []  # checked above
        if problems:
            errors.extend(problems)
            continue
        if document.kind == "dictionary":
            dictionary, problems = build_dictionary(document)
            errors.extend(problems)
            if dictionary and claim("dictionary", dictionary.name, document, "/dictionary"):
                dictionaries[dictionary.name] = dictionary
        elif document.kind == "profile":
            claim("profile", document.name, document, "/profile")
        elif document.kind == "process":
            content, problems = apply_settings(document, profile)
            errors.extend(problems)
            process = build_process(content, document.path)
            if claim("process", process.name, document, "/process"):
                processes[process.name] = process
        elif document.kind == "calendar":
            from .calendar import YearArrangement

            try:
                YearArrangement.from_document(document.content)
            except ValueError as exc:
                errors.append(MetadataError(document.path, "/year", str(exc), say("meta.calendar.dates.hint")))
                continue
            if claim("calendar", document.name, document, "/year"):
                calendars.append(document.content)
        elif document.kind == "report":
            report_documents.append(document)  # built once entities, dictionaries and processes are known
        elif document.kind == "dashboard":
            dashboard_documents.append(document)  # built once the reports are
        elif document.kind == "exchange":
            exchange = build_exchange(document)
            if claim("exchange", exchange.name, document, "/exchange"):
                exchanges[exchange.name] = exchange
        elif document.kind == "portal":
            portal = build_portal(document)
            if claim("portal", portal.name, document, "/portal"):
                portals[portal.name] = portal
        elif document.kind == "module":
            module = build_module(document)
            if claim("module", module.name, document, "/module"):
                modules[module.name] = module
        else:
            builder = _Builder(document)
            options = document.content["x-anjian"]
            name = options["entity"]
            if name.startswith(RESERVED_PREFIXES):
                builder.error(
                    ["x-anjian", "entity"],
                    say("meta.entity.prefix", prefix=name.split("_")[0]),
                    say("meta.child.prefix.hint", names=", ".join(RESERVED_PREFIXES)),
                )
            builder.entity(document.content, options, [], name, None, options.get("module"))
            errors.extend(builder.errors)
            for spec in builder.entities:
                where = "/x-anjian/entity" if not spec.parent else spec.pointer + "/x-anjian/child"
                if claim("entity", spec.name, document, where):
                    entities[spec.name] = spec

    # Module membership: a manifest lists its entities; an entity may name its module itself.
    for module in modules.values():
        for i, name in enumerate(module.entities):
            member = entities.get(name)
            if member is None:
                errors.append(
                    MetadataError(
                        module.source,
                        pointer(["entities", i]),
                        say("meta.entity.unknown", name=name),
                        known("entities", entities),
                    )
                )
            elif member.module not in (None, module.name):
                errors.append(
                    MetadataError(
                        module.source,
                        pointer(["entities", i]),
                        say("meta.module.member", name=name, module=member.module),
                        say("meta.module.member.hint"),
                    )
                )
            else:
                _adopt(entities, member, module.name)
    for spec in list(entities.values()):
        if spec.module and spec.module not in modules and not spec.is_child:
            errors.append(
                MetadataError(
                    spec.source, "/x-anjian/module", say("meta.module.unknown", name=spec.module), known("modules", modules)
                )
            )
    errors.extend(check_references(entities, modules, dictionaries, functions))
    errors.extend(check_processes(processes, entities, modules, functions))
    reports: dict[str, ReportSpec] = {}
    for document in report_documents:
        report, problems = build_report(document, entities, dictionaries, processes, modules)
        errors.extend(problems)
        if report is not None and claim("report", report.name, document, "/report"):
            reports[report.name] = report
    dashboards: dict[str, DashboardSpec] = {}
    roles = {r.name for m in modules.values() for r in m.roles} | set(BUILTIN_ROLES)
    declared_reports = {d.name for d in documents if d.kind == "report"}  # a broken one is reported once, by itself
    for document in dashboard_documents:
        dashboard, problems = build_dashboard(document, reports, roles, failed=declared_reports)
        errors.extend(problems)
        if dashboard is not None and claim("dashboard", dashboard.name, document, "/dashboard"):
            dashboards[dashboard.name] = dashboard
    errors.extend(check_exchanges(exchanges, entities))
    for portal in portals.values():
        errors.extend(check_portal(portal, entities))
    if errors:
        raise MetadataErrors(errors)
    return Catalog(
        entities=entities,
        modules=modules,
        dictionaries=dictionaries,
        processes=processes,
        calendars=tuple(calendars),
        documents=tuple(documents),
        profile=profile,
        reports=reports,
        dashboards=dashboards,
        exchanges=exchanges,
        portals=portals,
    )


def _adopt(entities: dict[str, EntitySpec], spec: EntitySpec, module: str) -> None:
    """Set the module of an entity and of its child tables."""
    entities[spec.name] = spec.model_copy(update={"module": module})
    for f in spec.child_fields:
        if f.child in entities:
            _adopt(entities, entities[f.child], module)
