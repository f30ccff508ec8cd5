"""Module manifests and code tables as specs: documents that compile on their own, before any
entity is known (the entities' cross-checks stay in ``compile``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import MetadataError
from .loader import Document
from .messages import say
from .pointer import pointer
from .spec import DictionaryItem, DictionarySpec, MenuItem, ModuleSpec, RoleSpec

__all__ = ["build_dictionary", "build_module"]


def build_dictionary(document: Document) -> tuple[DictionarySpec | None, list[MetadataError]]:
    content = document.content
    errors: list[MetadataError] = []
    seen: set[str] = set()
    for i, item in enumerate(content["items"]):
        code = item["code"]
        if code in seen:
            errors.append(
                MetadataError(
                    document.path, pointer(["items", i, "code"]), say("meta.code.twice", code=code), say("meta.code.twice.hint")
                )
            )
        parent = item.get("parent")
        if parent is not None and parent not in seen:
            errors.append(
                MetadataError(
                    document.path,
                    pointer(["items", i, "parent"]),
                    say("meta.parent.later", parent=parent),
                    say("meta.parent.later.hint"),
                )
            )
        seen.add(code)
    spec = DictionarySpec(
        name=content["dictionary"],
        title=content["title"],
        description=content.get("description", ""),
        standard=content.get("standard", ""),
        hierarchical=bool(content.get("hierarchical", False)),
        source=document.path,
        items=tuple(DictionaryItem(**item) for item in content["items"]),
    )
    return spec, errors


def _menu(items: Iterable[Mapping[str, Any]]) -> tuple[MenuItem, ...]:
    return tuple(
        MenuItem(title=i["title"], entity=i.get("entity"), url=i.get("url"), icon=i.get("icon"), items=_menu(i.get("items", ())))
        for i in items
    )


def build_module(document: Document) -> ModuleSpec:
    c = document.content
    roles = tuple(
        RoleSpec(
            name=r["name"],
            title=r["title"],
            description=r.get("description", ""),
            inherits=tuple(r.get("inherits", ())),
            mfa=bool(r.get("mfa", r.get("require_totp", False))),
            permissions={k: tuple(v) for k, v in r.get("permissions", {}).items()},
        )
        for r in c.get("roles", ())
    )
    return ModuleSpec(
        name=c["module"],
        title=c["title"],
        description=c.get("description", ""),
        version=c.get("version", ""),
        order=c.get("order", 100),
        source=document.path,
        entities=tuple(c.get("entities", ())),
        menu=_menu(c.get("menu", ())),
        roles=roles,
    )
