"""Portal declarations (``*.portal.json``): what one face of the portal shows.

A face (公共服务平台 ``public``, 业务办公平台 ``office``, 辅助决策平台 ``decision``) is rendered by a
package under ``portals/``; its declaration names the columns of published records, the home
blocks, the forms anonymous visitors may file and the phone numbers. ``check_portal`` verifies
every name against the entities, so a face cannot list a field its entity does not make public.
Imports no Flask or SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import MetadataError
from ..messages import register
from .frozen import FrozenSpec
from .loader import Document
from .messages import known, say
from .pointer import pointer
from .spec import EntitySpec

__all__ = ["BlockSpec", "ColumnSpec", "IntakeSpec", "PortalSpec", "SurveySpec", "build_portal", "check_portal"]

register(
    {
        "meta.kind.portal": ("门户", "portal"),
        "meta.what.public": ("公开字段", "a public field"),
        "meta.portal.unpublished": (
            "实体 {name!r} 没有声明 published 和 public，不能在门户栏目中公开",
            "entity {name!r} declares no published and public options, so no portal column may list it",
        ),
        "meta.portal.unpublished.hint": (
            '请在该实体的 x-anjian 中声明 "published"（布尔字段）和 "public"（公开字段及遮蔽方式）。',
            'Declare "published" (a boolean field) and "public" (the public fields and their masks) in its x-anjian.',
        ),
        "meta.portal.field": ("{name!r} 不是实体 {entity!r} 的字段", "{name!r} is not a field of entity {entity!r}"),
        "meta.portal.field.hint": ("请使用以下字段之一：{names}。", "Use one of these fields: {names}."),
        "meta.portal.ref": ("未声明的{what} {name!r}", "undeclared {what} {name!r}"),
        "meta.portal.ref.hint": (
            "请先在本文件中声明它，或使用以下之一：{names}。",
            "Declare it in this file first, or use one of: {names}.",
        ),
        "meta.portal.what.column": ("栏目", "column"),
        "meta.portal.what.intake": ("表单", "intake form"),
        "meta.portal.need": ("{kind} 类区块需要 {key!r}", "a block of kind {kind} needs {key!r}"),
        "meta.portal.need.hint": ('请加上 "{key}"。', 'Add "{key}".'),
        "meta.portal.twice": ("名称 {name!r} 重复", "the name {name!r} is used twice"),
        "meta.portal.twice.hint": (
            "同一门户里的栏目或表单名称不能重复。",
            "Columns and forms of one portal need names of their own.",
        ),
    }
)


class ColumnSpec(FrozenSpec):
    """A column (栏目) listing the published records of an entity that match ``where``."""

    name: str
    title: str
    entity: str
    group: str = ""
    description: str = ""
    where: Mapping[str, Any] = {}


class BlockSpec(FrozenSpec):
    """One block of a face's home page."""

    kind: str
    title: str = ""
    column: str | None = None
    intake: str | None = None
    entity: str | None = None
    where: Mapping[str, Any] = {}
    limit: int = 8


class IntakeSpec(FrozenSpec):
    """A form anonymous visitors file; the answer is the record's tracking code."""

    name: str
    title: str
    entity: str
    fields: tuple[str, ...]
    description: str = ""
    files: str | None = None
    set: Mapping[str, Any] = {}
    anonymous: str | None = None
    named: tuple[str, ...] = ()
    tracking: str | None = None
    per_hour: int = 10
    guide: Mapping[str, Any] = {}  # 办事指南 elements the process cannot know (portal.schema.json#/$defs/guide)
    # A filing that comments on a published record (意见征集): {"field": link field, "until": closing moment
    # of the linked record}; filings are refused after that moment.
    answers: Mapping[str, str] = {}
    # A filing bound to a registry record it names (企业账号申请): {"entity": ..., "match": {my field: its
    # field}, "link": my link field, "region": my region field}; no matching record, no filing.
    bind: Mapping[str, Any] = {}


class SurveySpec(FrozenSpec):
    """A 网上调查: published surveys of ``entity`` (questions in one field), one answer per visitor."""

    name: str
    title: str
    entity: str
    answers: str
    questions: str = "questions"
    closes: str = "closes_at"
    per_hour: int = 20


class PortalSpec(FrozenSpec):
    name: str
    face: str
    title: str
    description: str = ""
    source: str = ""
    columns: tuple[ColumnSpec, ...] = ()
    blocks: tuple[BlockSpec, ...] = ()
    intake: tuple[IntakeSpec, ...] = ()
    contacts: tuple[tuple[str, str], ...] = ()
    surveys: tuple[SurveySpec, ...] = ()
    accounts: Mapping[str, Any] = {}  # public registration: {"region": ..., "verify_hours": ..., "reset_minutes": ...}

    def survey(self, name: str) -> SurveySpec | None:
        return next((s for s in self.surveys if s.name == name), None)

    def column(self, name: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.name == name), None)

    def form(self, name: str) -> IntakeSpec | None:
        return next((f for f in self.intake if f.name == name), None)

    def groups(self) -> dict[str, list[ColumnSpec]]:
        """Columns by navigation group, in declared order."""
        grouped: dict[str, list[ColumnSpec]] = {}
        for column in self.columns:
            grouped.setdefault(column.group or column.title, []).append(column)
        return grouped


def build_portal(document: Document) -> PortalSpec:
    c = document.content
    return PortalSpec(
        name=c["portal"],
        face=c["face"],
        title=c["title"],
        description=c.get("description", ""),
        source=document.path,
        columns=tuple(ColumnSpec(**column) for column in c.get("columns", ())),
        blocks=tuple(BlockSpec(**block) for block in c.get("blocks", ())),
        intake=tuple(
            IntakeSpec(
                **{k: v for k, v in form.items() if k != "identity"},
                anonymous=form.get("identity", {}).get("anonymous"),
                named=tuple(form.get("identity", {}).get("named", ())),
            )
            for form in c.get("intake", ())
        ),
        contacts=tuple((item["title"], item["phone"]) for item in c.get("contacts", ())),
        surveys=tuple(SurveySpec(**survey) for survey in c.get("surveys", ())),
        accounts=c.get("accounts", {}),
    )


def check_portal(portal: PortalSpec, entities: Mapping[str, EntitySpec]) -> list[MetadataError]:
    """Every entity, field, column and form a portal names must exist (and columns be public)."""
    errors: list[MetadataError] = []

    def error(parts: list[Any], message: str, hint: str) -> None:
        errors.append(MetadataError(portal.source, pointer(parts), message, hint))

    def entity(parts: list[Any], name: str) -> EntitySpec | None:
        spec = entities.get(name)
        if spec is None:
            error(parts, say("meta.entity.unknown", name=name), known("entities", entities))
        return spec

    def field(parts: list[Any], spec: EntitySpec, name: str) -> None:
        if not spec.has_field(name):
            names = ", ".join(f.name for f in spec.fields)
            error(parts, say("meta.portal.field", name=name, entity=spec.name), say("meta.portal.field.hint", names=names))

    def unique(kind: str, names: list[str]) -> None:
        seen: set[str] = set()
        for i, name in enumerate(names):
            if name in seen:
                error([kind, i, "name"], say("meta.portal.twice", name=name), say("meta.portal.twice.hint"))
            seen.add(name)

    unique("columns", [c.name for c in portal.columns])
    unique("intake", [f.name for f in portal.intake])
    for i, column in enumerate(portal.columns):
        spec = entity(["columns", i, "entity"], column.entity)
        if spec is None:
            continue
        if not (spec.published and spec.public):
            error(["columns", i, "entity"], say("meta.portal.unpublished", name=spec.name), say("meta.portal.unpublished.hint"))
        for name in column.where:
            field(["columns", i, "where", name], spec, name)
    for i, form in enumerate(portal.intake):
        spec = entity(["intake", i, "entity"], form.entity)
        if spec is None:
            continue
        for j, name in enumerate(form.fields):
            field(["intake", i, "fields", j], spec, name)
        for name in form.set:
            field(["intake", i, "set", name], spec, name)
        for key, value in (("files", form.files), ("tracking", form.tracking)):
            if value:
                field(["intake", i, key], spec, value)
        if form.anonymous:
            field(["intake", i, "identity", "anonymous"], spec, form.anonymous)
        for j, name in enumerate(form.named):
            field(["intake", i, "identity", "named", j], spec, name)
        if form.answers:
            field(["intake", i, "answers", "field"], spec, form.answers["field"])
            link = spec.field(form.answers["field"]).link if spec.has_field(form.answers["field"]) else None
            target = entity(["intake", i, "answers", "field"], link) if link else None
            if target is not None:
                field(["intake", i, "answers", "until"], target, form.answers["until"])
        if form.bind:
            for key in ("link", "region"):
                field(["intake", i, "bind", key], spec, form.bind[key])
            target = entity(["intake", i, "bind", "entity"], form.bind["entity"])
            for mine, theirs in form.bind["match"].items():
                field(["intake", i, "bind", "match", mine], spec, mine)
                if target is not None:
                    field(["intake", i, "bind", "match", mine], target, theirs)
    for i, survey in enumerate(portal.surveys):
        for key, names in (
            ("entity", (survey.closes, survey.questions)),
            ("answers", ("survey", "voter", "choices")),
        ):
            found = entity(["surveys", i, key], getattr(survey, key))
            if found is None:
                continue
            for name in names:
                field(["surveys", i, key], found, name)
    enterprise = portal.accounts.get("enterprise")
    if enterprise:
        requests = portal.form(enterprise["form"])
        if requests is None or not requests.bind or not requests.tracking:
            binding = ", ".join(f.name for f in portal.intake if f.bind and f.tracking)
            what = say("meta.portal.what.intake")
            error(
                ["accounts", "enterprise", "form"],
                say("meta.portal.ref", what=what, name=enterprise["form"]),
                say("meta.portal.ref.hint", names=binding),
            )
        elif requests.entity in entities:
            field(["accounts", "enterprise", "email"], entities[requests.entity], enterprise["email"])
    columns = [c.name for c in portal.columns]
    forms = [f.name for f in portal.intake]
    for i, block in enumerate(portal.blocks):
        needs = {"column": "column", "intake": "intake", "count": "entity"}.get(block.kind)
        if needs and getattr(block, needs) is None:
            error(["blocks", i], say("meta.portal.need", kind=block.kind, key=needs), say("meta.portal.need.hint", key=needs))
        if block.column and block.column not in columns:
            what = say("meta.portal.what.column")
            error(
                ["blocks", i, "column"],
                say("meta.portal.ref", what=what, name=block.column),
                say("meta.portal.ref.hint", names=", ".join(columns)),
            )
        if block.intake and block.intake not in forms:
            what = say("meta.portal.what.intake")
            error(
                ["blocks", i, "intake"],
                say("meta.portal.ref", what=what, name=block.intake),
                say("meta.portal.ref.hint", names=", ".join(forms)),
            )
        if block.entity:
            entity(["blocks", i, "entity"], block.entity)
    return errors
