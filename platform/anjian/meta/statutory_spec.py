"""The ``statutory`` option of a report: figures that registry records owe under a process obligation.

Why declared on the report and not coded per module: the hidden-danger statistics are one of many
reporting duties (quarterly or annual figures from every enterprise of a registry); the obligation
(who owes, how often, ``due_days`` after the period) lives in the process, the report names it and
says which states count as filed and which fields are the figures. Nothing here is hazard-specific.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import MetadataError
from ..messages import register
from .frozen import FrozenSpec
from .messages import known, say
from .pointer import pointer
from .process_spec import ProcessSpec
from .spec import DictionarySpec, EntitySpec

__all__ = ["StatutorySpec", "build_statutory"]

register(
    {
        "meta.statutory.process": (
            "「{entity}」没有声明流程，不能作为法定统计报表",
            "{entity} has no process: no statutory report",
        ),
        "meta.statutory.process.hint": (
            "法定统计的来源须是带报送义务（obligations）的流程实体。",
            "The source of a statutory report is the entity of a process that declares obligations.",
        ),
        "meta.statutory.obligation": ("流程没有报送义务 {name!r}", "the process declares no obligation {name!r}"),
        "meta.statutory.due": ("报送义务 {name!r} 没有 due_days（报送期限）", "obligation {name!r} has no due_days"),
        "meta.statutory.due.hint": (
            "在流程的 obligations 中写出期满后几天内报送，如季度报表 15、年度报表 31。",
            "Give due_days in the process's obligation, e.g. 15 for quarterly, 31 for annual filings.",
        ),
        "meta.statutory.state": ("流程没有状态 {name!r}", "the process has no state {name!r}"),
        "meta.statutory.figure": (
            "{name!r} 不是数值字段，不能作为统计数字",
            "{name!r} is not an integer or number field of the filing",
        ),
        "meta.statutory.figure.hint": ("可用字段：{names}。", "Fields: {names}."),
        "meta.statutory.level": ("区划字典没有层级 {name!r}", "the region dictionary has no level {name!r}"),
        "meta.statutory.scope": ("「{entity}」没有区划范围字段", "{entity} has no region scope field"),
        "meta.statutory.scope.hint": (
            "在实体的 x-anjian.scope 中指定区划字段，汇总和缺报名单按区划统计。",
            "Declare the entity's region scope field (x-anjian.scope).",
        ),
        "meta.what.obligations": ("报送义务", "obligations"),
        "meta.what.levels": ("层级", "levels"),
    }
)


class StatutorySpec(FrozenSpec):
    """One reporting obligation as a statutory report sees it (resolved from the process)."""

    obligation: str
    title: str
    registry: str  # the entity whose records owe the filing (enterprise)
    condition: str | None = None  # which of them owe it
    every: str  # quarter | year
    due_days: int  # days after the period ends
    copy_fields: dict[str, str]  # filing field -> registry field ("id": the registry record)
    period_fields: dict[str, str]  # year / quarter -> filing field
    values: dict[str, Any] = {}  # fixed values of such filings (e.g. period = quarter)
    filed: tuple[str, ...]
    figures: tuple[str, ...]
    region_field: str  # the filing's region scope field
    region_level: str = "county"

    @property
    def owner_field(self) -> str:
        """The filing field that names the registry record (copied from its id)."""
        return next(k for k, v in self.copy_fields.items() if v == "id")


def build_statutory(
    content: Mapping[str, Any],
    path: str,
    entity: EntitySpec,
    process: ProcessSpec | None,
    dictionaries: Mapping[str, DictionarySpec],
) -> tuple[StatutorySpec | None, list[MetadataError]]:
    """The statutory option of a report (``content`` is its ``statutory`` object) or its problems."""
    errors: list[MetadataError] = []

    def error(parts: list[Any], key: str, hint: str, **values: Any) -> None:
        errors.append(MetadataError(path, pointer(["statutory", *parts]), say(key, **values), hint))

    if process is None:
        error([], "meta.statutory.process", say("meta.statutory.process.hint"), entity=entity.name)
        return None, errors
    obligations = {o["name"]: o for o in process.content.get("obligations", ())}
    ob = obligations.get(content["obligation"])
    if ob is None:
        error(["obligation"], "meta.statutory.obligation", known("obligations", obligations), name=content["obligation"])
    elif "due_days" not in ob:
        error(["obligation"], "meta.statutory.due", say("meta.statutory.due.hint"), name=ob["name"])
    elif "id" not in ob["copy"].values():
        error(["obligation"], "meta.statutory.obligation", say("meta.obligation.copy.from.hint"), name=ob["name"])
    for i, state in enumerate(content["filed"]):
        if state not in process.by_state:
            error(["filed", i], "meta.statutory.state", known("states", process.by_state), name=state)
    numeric = [f.name for f in entity.column_fields if f.type in ("integer", "number") and not f.link]
    for i, name in enumerate(content["figures"]):
        if name not in numeric:
            error(["figures", i], "meta.statutory.figure", say("meta.statutory.figure.hint", names=", ".join(numeric)), name=name)
    level = content.get("region_level", "county")
    region = dictionaries.get("region")
    if region is not None and level not in {item.level for item in region.items}:
        error(
            ["region_level"],
            "meta.statutory.level",
            known("levels", sorted({i.level for i in region.items if i.level})),
            name=level,
        )
    if not entity.scope:
        error([], "meta.statutory.scope", say("meta.statutory.scope.hint"), entity=entity.name)
    if errors or ob is None:
        return None, errors
    return (
        StatutorySpec(
            obligation=ob["name"],
            title=ob["title"],
            registry=ob["registry"],
            condition=ob.get("condition"),
            every=ob["every"],
            due_days=int(ob["due_days"]),
            copy_fields=dict(ob["copy"]),
            period_fields=dict(ob["period"]),
            values=dict(ob.get("values", {})),
            filed=tuple(content["filed"]),
            figures=tuple(content["figures"]),
            region_field=str(entity.scope),
            region_level=level,
        ),
        errors,
    )
