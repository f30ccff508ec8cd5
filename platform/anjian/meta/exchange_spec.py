"""Exchange declarations (``*.exchange.json``): which records of an entity leave the deployment.

The meta-schema checks a document's shape; ``check_exchanges`` checks what it refers to (the
entity, its fields, the filter's fields and values), each problem naming the file and pointer.
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

__all__ = ["ExchangeSpec", "build_exchange", "check_exchanges"]

register(
    {
        "meta.kind.exchange": ("数据交换", "exchange"),
        "meta.what.exchange_fields": ("字段", "fields"),
        "meta.exchange.field": ("实体 {entity} 没有字段 {name}", "entity {entity} has no field {name}"),
        "meta.exchange.value": ("{value!r} 不是字段 {field} 的取值", "{value!r} is not a value of field {field}"),
        "meta.exchange.value.hint": ("可用的取值：{values}。", "Its values: {values}."),
        "meta.exchange.local": (
            "字段 {name} 是关联、子表或附件字段，只在本级部署内有意义",
            "field {name} is a link, child table or attachment: it means something only inside this deployment",
        ),
        "meta.exchange.local.hint": (
            "请交换它所指向的值（如企业名称、统一社会信用代码），或删去该字段。",
            "Exchange what it points to (a name, a credit code) instead, or leave the field out.",
        ),
    }
)


class ExchangeSpec(FrozenSpec):
    """One exchange: the entity, fields and filter, the direction, target and schedule."""

    name: str
    title: str
    description: str = ""
    entity: str
    fields: tuple[str, ...]
    filter: Mapping[str, tuple[Any, ...]] = {}
    direction: str
    target: str
    every_minutes: int | None = None
    format: str = "json"
    directory: Mapping[str, str] = {}
    source: str = ""


def build_exchange(document: Document) -> ExchangeSpec:
    """The spec of a document that passed the meta-schema (defaults as the meta-schema states them)."""
    content = document.content
    return ExchangeSpec(
        name=content["exchange"],
        title=content["title"],
        description=content.get("description", ""),
        entity=content["entity"],
        fields=tuple(content["fields"]),
        filter={k: tuple(v) for k, v in content.get("filter", {}).items()},
        direction=content["direction"],
        target=content["target"],
        every_minutes=content.get("schedule", {}).get("every_minutes"),
        format=content.get("format", "json"),
        directory=dict(content.get("directory", {})),
        source=document.path,
    )


def check_exchanges(exchanges: Mapping[str, ExchangeSpec], entities: Mapping[str, EntitySpec]) -> list[MetadataError]:
    """Every reference of every exchange that does not resolve."""
    errors = []
    for exchange in exchanges.values():
        spec = entities.get(exchange.entity)
        if spec is None or spec.is_child:
            tops = [n for n, e in entities.items() if not e.is_child]
            hint = known("entities", tops)
            errors.append(MetadataError(exchange.source, "/entity", say("meta.entity.unknown", name=exchange.entity), hint))
            continue
        names = [f.name for f in spec.fields]
        for i, name in enumerate(exchange.fields):
            field = next((f for f in spec.fields if f.name == name), None)
            if field is None:
                message = say("meta.exchange.field", name=name, entity=spec.name)
                errors.append(MetadataError(exchange.source, pointer(["fields", i]), message, known("exchange_fields", names)))
            elif field.link or field.child or field.attachment:
                message = say("meta.exchange.local", name=name)
                errors.append(MetadataError(exchange.source, pointer(["fields", i]), message, say("meta.exchange.local.hint")))
        for name, values in exchange.filter.items():
            field = next((f for f in spec.fields if f.name == name), None)
            if field is None:
                message = say("meta.exchange.field", name=name, entity=spec.name)
                errors.append(MetadataError(exchange.source, pointer(["filter", name]), message, known("exchange_fields", names)))
                continue
            allowed = field.enum or ()
            for j, value in enumerate(values):
                if allowed and value not in allowed:
                    message = say("meta.exchange.value", value=value, field=name)
                    hint = say("meta.exchange.value.hint", values=", ".join(map(str, allowed)))
                    errors.append(MetadataError(exchange.source, pointer(["filter", name, j]), message, hint))
    return errors
