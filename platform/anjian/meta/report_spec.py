"""Report declarations (``*.report.json``): the typed spec and the checks against the catalog.

A report names its source entity, parameters, dimensions, measures and filters by field name;
it never carries SQL or template text. ``build_report`` turns a meta-schema-checked document into
a ``ReportSpec`` and reports every reference that does not resolve (unknown field, a measure of
the wrong type, a dictionary level that does not exist) at its JSON pointer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from ..errors import MetadataError
from ..messages import register
from .frozen import FrozenSpec
from .loader import Document
from .messages import known, say
from .pointer import pointer
from .process_spec import ProcessSpec
from .spec import DictionarySpec, EntitySpec, FieldSpec
from .statutory_spec import StatutorySpec, build_statutory

__all__ = [
    "STATE_FIELD",
    "ConditionSpec",
    "DimensionSpec",
    "MeasureSpec",
    "ParameterSpec",
    "ReportSpec",
    "build_report",
    "relative_date",
]

STATE_FIELD = "_state"  # the record's current state in its process (anjian_wf_instance)
DEADLINE_PREFIXES = ("_on_time.", "_overdue.")  # a deadline of the record's process (anjian_deadline)
AGGREGATES = ("count", "count_distinct", "sum", "avg", "min", "max")
NUMERIC_AGGREGATES = ("sum", "avg")
TODAY = re.compile(r"^\$today(?:([+-])(\d{1,4}))?$")

register(
    {
        "meta.kind.report": ("报表", "report"),
        "meta.report.field": ("「{entity}」没有字段 {name!r}", "{entity} has no field {name!r}"),
        "meta.report.field.hint": ("可用字段：{names}。", "Fields: {names}."),
        "meta.report.state": ("「{entity}」没有流程，不能使用 _state", "{entity} has no process: _state is unavailable"),
        "meta.report.state.hint": ("去掉 _state，或先为该实体声明流程。", "Drop _state, or declare a process for the entity."),
        "meta.report.measure.type": (
            "{kind} 需要数值字段，{name!r} 的类型是 {type}",
            "{kind} needs a numeric field; {name!r} is of type {type}",
        ),
        "meta.report.measure.type.hint": (
            "sum 和 avg 只用于 integer 或 number 字段；计数请用 count 或 count_distinct。",
            "sum and avg take integer or number fields; use count or count_distinct to count.",
        ),
        "meta.report.measure.field": ("{kind} 需要 field", "{kind} needs a field"),
        "meta.report.measure.field.hint": ("请写出被汇总的字段名。", "Name the field it aggregates."),
        "meta.report.measure.ref": ("未知的指标 {name!r}", "unknown measure {name!r}"),
        "meta.report.measure.ref.hint": (
            "只能引用本报表前面声明的计数类指标：{names}。",
            "Refer to an aggregate measure declared earlier in this report: {names}.",
        ),
        "meta.report.measure.parts": ("{kind} 缺少 {what}", "{kind} lacks {what}"),
        "meta.report.measure.parts.hint": (
            "ratio 需要 numerator 和 denominator；share 需要 of；change 需要 of 和 against。",
            "ratio needs numerator and denominator; share needs of; change needs of and against.",
        ),
        "meta.report.change.period": ("同比/环比需要一个 date_range 参数", "a change measure needs a date_range parameter"),
        "meta.report.change.period.hint": (
            "声明一个 kind 为 date_range 的参数，比较的是该时段与上一时段或上年同期。",
            "Declare a date_range parameter; the change compares its period with the one before or a year earlier.",
        ),
        "meta.report.change.bucket": (
            "环比不能与同一日期字段的时间分组同用",
            "a change against the previous period cannot be combined with a time bucket of the same date field",
        ),
        "meta.report.change.bucket.hint": (
            "按月、季分组时，各组本身就是相邻时段；要比较请用同比（against: last_year）。",
            "With time buckets the groups already are consecutive periods; use against: last_year (同比) to compare.",
        ),
        "meta.report.level": ("字典 {dictionary} 没有层级 {level!r}", "dictionary {dictionary} has no level {level!r}"),
        "meta.report.level.hint": ("可用层级：{names}。", "Levels: {names}."),
        "meta.report.levels.tree": ("levels 只用于树形字典字段", "levels apply to fields of tree dictionaries only"),
        "meta.report.levels.tree.hint": (
            "去掉 levels，或改用树形字典（如 region）字段。",
            "Drop levels, or use a tree-dictionary field.",
        ),
        "meta.report.bucket": ("时间分组需要日期字段，{name!r} 不是", "a time bucket needs a date field; {name!r} is not one"),
        "meta.report.bucket.hint": (
            '请用 format 为 "date" 或 "date-time" 的字段。',
            'Use a field of format "date" or "date-time".',
        ),
        "meta.report.dimension.type": ("不能按 {name!r} 分组（类型 {type}）", "cannot group by {name!r} (type {type})"),
        "meta.report.dimension.type.hint": ("分组字段应为文字、整数或是/否。", "Group by text, integer or boolean fields."),
        "meta.report.param.kind": ("{kind} 参数不能用于字段 {name!r}", "a {kind} parameter cannot use field {name!r}"),
        "meta.report.param.kind.hint": (
            "date_range 用于日期字段；values 用于枚举、字典、是/否或 _state 字段。",
            "date_range takes a date field; values an enum, dictionary, boolean or _state field.",
        ),
        "meta.report.value": ("{value!r} 不是字段 {name!r} 的有效值", "{value!r} is not a valid value of {name!r}"),
        "meta.report.value.hint": ("可用值：{names}。", "Values: {names}."),
        "meta.report.name.twice": (
            "名称 {name!r} 已用于另一参数、分组或指标",
            "{name!r} already names another parameter, dimension or measure",
        ),
        "meta.report.name.twice.hint": ("参数、分组和指标的名称在一张报表内必须唯一。", "Names are unique within a report."),
        "meta.report.order": ("不能按 {name!r} 排序", "cannot order by {name!r}"),
        "meta.report.order.hint": ("可用：{names}。", "Use one of: {names}."),
        "meta.report.chart": ("图表引用了未知的指标 {name!r}", "the chart names an unknown measure {name!r}"),
        "meta.report.module": ("未知的模块 {name!r}", "unknown module {name!r}"),
        "meta.report.source.child": (
            "{name!r} 是子表，不能作报表来源",
            "{name!r} is a child table and cannot be a report source",
        ),
        "meta.report.source.child.hint": ("请以其主实体为来源。", "Use its parent entity as the source."),
    }
)


class ConditionSpec(FrozenSpec):
    """``field op value``: a report filter or a measure's condition (values bound, never spliced)."""

    field: str
    op: str
    value: Any = None


class ParameterSpec(FrozenSpec):
    name: str
    title: str
    kind: str  # date_range | values
    field: str
    default: Any = None


class DimensionSpec(FrozenSpec):
    name: str
    title: str
    field: str
    levels: tuple[str, ...] = ()
    bucket: str | None = None
    dictionary: str | None = None  # the field's dictionary (tree dictionaries drill down by level)


class MeasureSpec(FrozenSpec):
    name: str
    title: str
    kind: str
    field: str | None = None
    where: tuple[ConditionSpec, ...] = ()
    numerator: str | None = None
    denominator: str | None = None
    of: str | None = None
    against: str | None = None
    format: str = "number"

    @property
    def is_aggregate(self) -> bool:
        return self.kind in AGGREGATES


class ReportSpec(FrozenSpec):
    name: str
    title: str
    description: str = ""
    module: str | None = None
    source: str
    parameters: tuple[ParameterSpec, ...] = ()
    dimensions: tuple[DimensionSpec, ...] = ()
    measures: tuple[MeasureSpec, ...]
    filters: tuple[ConditionSpec, ...] = ()
    order: tuple[str, ...] = ()
    limit: int = 200
    totals: bool = True
    chart: str = "bar"
    chart_measures: tuple[str, ...] = ()
    path: str = ""
    fields: dict[str, FieldSpec] = {}  # every field the report names, resolved (links and pseudo-fields too)
    statutory: StatutorySpec | None = None  # statutory statistics of an obligation's filings (statutory_spec.py)

    @cached_property
    def period(self) -> ParameterSpec | None:
        """The date_range parameter change measures compare against (the first one)."""
        return next((p for p in self.parameters if p.kind == "date_range"), None)

    @cached_property
    def by_measure(self) -> dict[str, MeasureSpec]:
        return {m.name: m for m in self.measures}

    @cached_property
    def by_dimension(self) -> dict[str, DimensionSpec]:
        return {d.name: d for d in self.dimensions}


def relative_date(value: Any, today: dt.date) -> Any:
    """``$today``, ``$today+N`` or ``$today-N`` as a date; other values unchanged."""
    if isinstance(value, str):
        match = TODAY.match(value)
        if match:
            sign, days = match.groups()
            delta = dt.timedelta(days=int(days or 0))
            return today - delta if sign == "-" else today + delta
    return value


def field_of(
    entity: EntitySpec, name: str, process: ProcessSpec | None, entities: Mapping[str, EntitySpec] | None = None
) -> FieldSpec | None:
    """The field a report names, or None:

    - a column field of the source entity;
    - ``<link>.<field>``: a column field of the record a link field points to (joined);
    - ``_state``: the record's state in its process (an enum of the states);
    - ``_on_time.<deadline>``: whether the process's deadline was met in time (boolean);
    - ``_overdue.<deadline>``: whether the deadline runs and is past due (boolean).
    """
    if name.startswith(DEADLINE_PREFIXES):
        kind, _, rule = name.partition(".")
        deadline = next((d for d in process.deadlines if d.name == rule), None) if process else None
        if deadline is None:
            return None
        title = f"{deadline.title}{'按时办结' if kind == '_on_time' else '已超期'}"
        return FieldSpec(name=name, title=title, type="boolean", nullable=False)
    if "." in name:
        link_name, _, target_name = name.partition(".")
        link = entity.by_name.get(link_name)
        target = (entities or {}).get(link.link or "") if link is not None else None
        found = target.by_name.get(target_name) if target is not None else None
        if found is None or found.is_child:
            return None
        return found.model_copy(update={"name": name})
    if name == STATE_FIELD:
        if process is None:
            return None
        return FieldSpec(
            name=STATE_FIELD,
            title="环节",
            type="string",
            enum=tuple(s.name for s in process.states),
            enum_labels={s.name: s.title for s in process.states},
        )
    found = entity.by_name.get(name)
    return found if found is not None and not found.is_child else None


class _ReportBuilder:
    """Builds one ReportSpec, collecting every problem with its pointer."""

    def __init__(
        self,
        document: Document,
        entities: Mapping[str, EntitySpec],
        dictionaries: Mapping[str, DictionarySpec],
        processes: Mapping[str, ProcessSpec],
        modules: Mapping[str, Any],
    ) -> None:
        self.document = document
        self.entities = entities
        self.dictionaries = dictionaries
        self.process: ProcessSpec | None = None
        self.modules = modules
        self.processes = processes
        self.errors: list[MetadataError] = []
        self.entity: EntitySpec | None = None
        self.resolved: dict[str, FieldSpec] = {}

    def error(self, parts: list[Any], key: str, hint: str, **values: Any) -> None:
        self.errors.append(MetadataError(self.document.path, pointer(parts), say(key, **values), hint))

    def field(self, name: str, at: list[Any]) -> FieldSpec | None:
        assert self.entity is not None
        found = field_of(self.entity, name, self.process, self.entities)
        if found is not None:
            self.resolved[name] = found
        if found is None:
            if name == STATE_FIELD:
                self.error(at, "meta.report.state", say("meta.report.state.hint"), entity=self.entity.name)
            else:
                names = ", ".join(f.name for f in self.entity.column_fields) + (", _state" if self.process else "")
                names += "；关联字段写作 <链接字段>.<字段>"
                names += "，时限写作 _on_time.<时限> 或 _overdue.<时限>" if self.process else ""
                self.error(
                    at, "meta.report.field", say("meta.report.field.hint", names=names), entity=self.entity.name, name=name
                )
        return found

    def value_ok(self, field: FieldSpec, value: Any, at: list[Any]) -> None:
        """A declared value must fit the field (an enum value, a dictionary code, a date...)."""
        allowed: list[str] = []
        if field.enum is not None:
            allowed = [str(v) for v in field.enum]
        elif field.dictionary and field.dictionary in self.dictionaries:
            allowed = sorted(self.dictionaries[field.dictionary].codes())
        if allowed and str(value) not in allowed:
            shown = ", ".join(allowed[:30]) + (" …" if len(allowed) > 30 else "")
            self.error(at, "meta.report.value", say("meta.report.value.hint", names=shown), value=value, name=field.name)
        if field.format in ("date", "date-time") and isinstance(value, str) and not TODAY.match(value):
            try:
                dt.date.fromisoformat(value[:10])
            except ValueError:
                self.error(
                    at,
                    "meta.report.value",
                    say("meta.report.value.hint", names="YYYY-MM-DD, $today, $today-30"),
                    value=value,
                    name=field.name,
                )

    def conditions(self, items: list[Mapping[str, Any]], at: list[Any]) -> tuple[ConditionSpec, ...]:
        result = []
        for i, item in enumerate(items):
            field = self.field(item["field"], at + [i, "field"])
            value = item.get("value")
            if field is not None and item["op"] not in ("is_null", "not_null"):
                values = value if isinstance(value, list) else [value]
                for j, v in enumerate(values):
                    self.value_ok(field, v, at + [i, "value"] + ([j] if isinstance(value, list) else []))
            result.append(ConditionSpec(field=item["field"], op=item["op"], value=value))
        return tuple(result)

    def build(self) -> ReportSpec | None:
        c = self.document.content
        source = self.entities.get(c["source"])
        if source is None:
            self.error(
                ["source"],
                "meta.entity.unknown",
                known("entities", [e for e, s in self.entities.items() if not s.is_child]),
                name=c["source"],
            )
            return None
        if source.is_child:
            self.error(["source"], "meta.report.source.child", say("meta.report.source.child.hint"), name=source.name)
            return None
        self.entity = source
        self.process = next((p for p in self.processes.values() if p.entity == source.name), None)
        module = c.get("module") or source.module
        if c.get("module") and c["module"] not in self.modules:
            self.error(["module"], "meta.report.module", known("modules", self.modules), name=c["module"])
        names: set[str] = set()

        def claim(name: str, at: list[Any]) -> None:
            if name in names:
                self.error(at, "meta.report.name.twice", say("meta.report.name.twice.hint"), name=name)
            names.add(name)

        parameters = []
        for i, p in enumerate(c.get("parameters", ())):
            claim(p["name"], ["parameters", i, "name"])
            field = self.field(p["field"], ["parameters", i, "field"])
            if field is not None:
                dated = field.format in ("date", "date-time")
                listed = field.enum is not None or bool(field.dictionary) or field.type == "boolean"
                if (p["kind"] == "date_range") != dated or (p["kind"] == "values" and not listed):
                    self.error(
                        ["parameters", i, "kind"],
                        "meta.report.param.kind",
                        say("meta.report.param.kind.hint"),
                        kind=p["kind"],
                        name=field.name,
                    )
                if p["kind"] == "values" and isinstance(p.get("default"), list):
                    for j, v in enumerate(p["default"]):
                        self.value_ok(field, v, ["parameters", i, "default", j])
            parameters.append(
                ParameterSpec(
                    name=p["name"],
                    title=p.get("title") or (field.title if field else p["name"]),
                    kind=p["kind"],
                    field=p["field"],
                    default=p.get("default"),
                )
            )
        dimensions = []
        for i, d in enumerate(c.get("dimensions", ())):
            claim(d["name"], ["dimensions", i, "name"])
            field = self.field(d["field"], ["dimensions", i, "field"])
            dictionary = None
            if field is not None:
                dictionary = field.dictionary
                if field.type not in ("string", "integer", "boolean"):
                    self.error(
                        ["dimensions", i, "field"],
                        "meta.report.dimension.type",
                        say("meta.report.dimension.type.hint"),
                        name=field.name,
                        type=field.type,
                    )
                if d.get("bucket") and field.format not in ("date", "date-time"):
                    self.error(["dimensions", i, "bucket"], "meta.report.bucket", say("meta.report.bucket.hint"), name=field.name)
                if d.get("levels"):
                    tree = self.dictionaries.get(field.dictionary or "")
                    if tree is None or not tree.hierarchical:
                        self.error(["dimensions", i, "levels"], "meta.report.levels.tree", say("meta.report.levels.tree.hint"))
                    else:
                        present = list(dict.fromkeys(item.level for item in tree.items if item.level))
                        for j, level in enumerate(d["levels"]):
                            if level not in present:
                                self.error(
                                    ["dimensions", i, "levels", j],
                                    "meta.report.level",
                                    say("meta.report.level.hint", names=", ".join(present)),
                                    dictionary=tree.name,
                                    level=level,
                                )
            dimensions.append(
                DimensionSpec(
                    name=d["name"],
                    title=d.get("title") or (field.title if field else d["name"]),
                    field=d["field"],
                    levels=tuple(d.get("levels", ())),
                    bucket=d.get("bucket"),
                    dictionary=dictionary,
                )
            )
        measures: list[MeasureSpec] = []
        for i, m in enumerate(c["measures"]):
            claim(m["name"], ["measures", i, "name"])
            at = ["measures", i]
            kind = m["kind"]
            if kind in AGGREGATES and kind != "count":
                if "field" not in m:
                    self.error(at, "meta.report.measure.field", say("meta.report.measure.field.hint"), kind=kind)
                else:
                    field = self.field(m["field"], at + ["field"])
                    if field is not None and kind in NUMERIC_AGGREGATES and field.type not in ("integer", "number"):
                        self.error(
                            at + ["field"],
                            "meta.report.measure.type",
                            say("meta.report.measure.type.hint"),
                            kind=kind,
                            name=field.name,
                            type=field.type,
                        )
            elif "field" in m:
                self.field(m["field"], at + ["field"])
            aggregates = [x.name for x in measures if x.is_aggregate]
            needs = {"ratio": ("numerator", "denominator"), "share": ("of",), "change": ("of", "against")}.get(kind, ())
            for part in needs:
                if part not in m:
                    self.error(at, "meta.report.measure.parts", say("meta.report.measure.parts.hint"), kind=kind, what=part)
                elif part != "against" and m[part] not in aggregates:
                    self.error(
                        at + [part],
                        "meta.report.measure.ref",
                        say("meta.report.measure.ref.hint", names=", ".join(aggregates) or "—"),
                        name=m[part],
                    )
            periods = [p for p in c.get("parameters", ()) if p["kind"] == "date_range"]
            if kind == "change" and not periods:
                self.error(at, "meta.report.change.period", say("meta.report.change.period.hint"))
            bucketed = periods and any(d.get("bucket") and d["field"] == periods[0]["field"] for d in c.get("dimensions", ()))
            if kind == "change" and m.get("against") == "previous" and bucketed:
                self.error(at + ["against"], "meta.report.change.bucket", say("meta.report.change.bucket.hint"))
            where = self.conditions(list(m.get("where", ())), at + ["where"])
            fmt = m.get("format") or ("percent" if kind in ("ratio", "share", "change") else "number")
            measures.append(
                MeasureSpec(
                    name=m["name"],
                    title=m.get("title") or m["name"],
                    kind=kind,
                    field=m.get("field"),
                    where=where,
                    numerator=m.get("numerator"),
                    denominator=m.get("denominator"),
                    of=m.get("of"),
                    against=m.get("against"),
                    format=fmt,
                )
            )
        filters = self.conditions(list(c.get("filters", ())), ["filters"])
        sortable = list(dict.fromkeys([d.name for d in dimensions] + [m.name for m in measures]))
        for i, item in enumerate(c.get("order", ())):
            if item.lstrip("-") not in sortable:
                self.error(["order", i], "meta.report.order", say("meta.report.order.hint", names=", ".join(sortable)), name=item)
        chart = c.get("chart", {})
        for i, name in enumerate(chart.get("measures", ())):
            if name not in {m.name for m in measures}:
                self.error(
                    ["chart", "measures", i],
                    "meta.report.chart",
                    say("meta.report.order.hint", names=", ".join(m.name for m in measures)),
                    name=name,
                )
        statutory = None
        if "statutory" in c:
            statutory, problems = build_statutory(c["statutory"], self.document.path, source, self.process, self.dictionaries)
            self.errors.extend(problems)
        if self.errors:
            return None
        return ReportSpec(
            name=c["report"],
            title=c["title"],
            description=c.get("description", ""),
            module=module,
            source=source.name,
            parameters=tuple(parameters),
            dimensions=tuple(dimensions),
            measures=tuple(measures),
            filters=filters,
            order=tuple(c.get("order", ())),
            limit=int(c.get("limit", 200)),
            totals=bool(c.get("totals", True)),
            chart=chart.get("type", "bar" if dimensions else "table"),
            chart_measures=tuple(chart.get("measures", ())),
            path=self.document.path,
            fields=self.resolved,
            statutory=statutory,
        )


def build_report(
    document: Document,
    entities: Mapping[str, EntitySpec],
    dictionaries: Mapping[str, DictionarySpec],
    processes: Mapping[str, ProcessSpec],
    modules: Mapping[str, Any],
) -> tuple[ReportSpec | None, list[MetadataError]]:
    """The report of a meta-schema-valid document, or None with every problem found."""
    builder = _ReportBuilder(document, entities, dictionaries, processes, modules)
    spec = builder.build()
    return spec, builder.errors
