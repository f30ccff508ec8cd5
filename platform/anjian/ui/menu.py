"""The navbar menu: FAB's own entries plus one dropdown per published module, rebuilt on publish."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_appbuilder.menu import Menu, MenuItem

from ..meta.spec import MenuItem as MenuSpec

__all__ = ["MENU_PREFIX", "CatalogMenu"]

MENU_PREFIX = "anjian:"  # names of generated entries; the security manager lets signed-in users see them


def _items(specs: tuple[MenuSpec, ...], registry: Any) -> list[MenuItem]:
    items = []
    for spec in specs:
        href = spec.url or (f"/e/{spec.entity}/" if spec.entity else "")
        if spec.entity and spec.entity not in registry.catalog.entities:
            continue
        items.append(
            MenuItem(
                name=MENU_PREFIX + (spec.entity or spec.title),
                href=href,
                icon=spec.icon or "",
                label=spec.title,
                childs=_items(spec.items, registry),
            )
        )
    return items


class CatalogMenu(Menu):  # type: ignore[misc]
    """Menu whose module entries follow the live catalog (cached per catalog version)."""

    def __init__(self) -> None:
        super().__init__()
        self._cache: tuple[int, list[MenuItem]] = (-1, [])

    def get_list(self) -> list[MenuItem]:
        registry = current_app.extensions["anjian"].registry
        if self._cache[0] != registry.version:
            modules = sorted(registry.catalog.modules.values(), key=lambda m: (m.order, m.name))
            generated = []
            listed: set[str] = set()
            for module in modules:
                children = _items(module.menu, registry)
                if not children:
                    children = [
                        MenuItem(name=MENU_PREFIX + e, href=f"/e/{e}/", label=registry.catalog.entities[e].title)
                        for e in module.entities
                        if e in registry.catalog.entities
                    ]
                # A module menu of one group shows that group directly.
                if len(children) == 1 and children[0].childs:
                    generated.append(children[0])
                else:
                    generated.append(MenuItem(name=MENU_PREFIX + module.name, label=module.title, childs=children))
                listed |= set(module.entities)
            loose = [e for e in registry.catalog.top_entities() if e.name not in listed]
            if loose:
                generated.append(
                    MenuItem(
                        name=MENU_PREFIX + "_other",
                        label="其他数据",
                        childs=[MenuItem(name=MENU_PREFIX + e.name, href=f"/e/{e.name}/", label=e.title) for e in loose],
                    )
                )
            self._cache = (registry.version, generated)
        return [*self._cache[1], *self.menu]
