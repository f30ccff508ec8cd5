"""The navbar menu: FAB's own entries plus one dropdown per published module, rebuilt on publish."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context
from flask_appbuilder.menu import Menu, MenuItem

from ..meta.spec import MenuItem as MenuSpec
from .i18n import t

__all__ = ["ADMIN_ENTRIES", "MENU_PREFIX", "CatalogMenu", "entry_allowed"]

MENU_PREFIX = "anjian:"  # names of generated entries; the security manager asks ``entry_allowed`` about them
GROUP = "_group:"  # names of dropdowns, never confused with an entity of the same name
ADMIN_ENTRIES = (  # 系统管理: (name, href, icon, label key of ui.i18n)
    ("_admin_users", "/admin/users/", "fa-user", "menu_users"),
    ("_admin_organisations", "/admin/organisations/", "fa-sitemap", "menu_organisations"),
    ("_admin_grants", "/admin/grants/", "fa-key", "menu_grants"),
    ("_admin_user_statistics", "/reports/_users", "fa-bar-chart", "menu_user_statistics"),
)


def _items(specs: tuple[MenuSpec, ...], registry: Any) -> list[MenuItem]:
    items = []
    for spec in specs:
        href = spec.url or (f"/e/{spec.entity}/" if spec.entity else "")
        if spec.entity and spec.entity not in registry.catalog.entities:
            continue
        items.append(
            MenuItem(
                name=MENU_PREFIX + (spec.entity or GROUP + spec.title),
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
        self._cache: tuple[tuple[int, str], list[MenuItem]] = ((-1, ""), [])

    def get_list(self) -> list[MenuItem]:
        registry = current_app.extensions["anjian"].registry
        key = (registry.version, t("new"))  # per catalog version and language (labels are words)
        if self._cache[0] != key:
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
                    generated.append(MenuItem(name=MENU_PREFIX + GROUP + module.name, label=module.title, childs=children))
                listed |= set(module.entities)
            loose = [e for e in registry.catalog.top_entities() if e.name not in listed]
            if loose:
                generated.append(
                    MenuItem(
                        name=MENU_PREFIX + GROUP + "_other",
                        label=t("other_data"),
                        childs=[MenuItem(name=MENU_PREFIX + e.name, href=f"/e/{e.name}/", label=e.title) for e in loose],
                    )
                )
            if registry.catalog.processes:
                inbox = MenuItem(name=MENU_PREFIX + "_inbox", href="/e/_inbox/", icon="fa-inbox", label=t("menu_inbox"))
                generated.insert(0, inbox)
            if registry.catalog.reports:
                reports = MenuItem(name=MENU_PREFIX + "_reports", href="/reports/", icon="fa-bar-chart", label=t("menu_reports"))
                generated.insert(1 if registry.catalog.processes else 0, reports)
            notices = MenuItem(name=MENU_PREFIX + "_notices", href="/e/_notices/", icon="fa-bell", label=t("menu_notices"))
            generated.append(notices)
            generated.append(MenuItem(name=MENU_PREFIX + "_audit", href="/e/_audit/", icon="fa-history", label=t("menu_audit")))
            generated.append(
                MenuItem(
                    name=MENU_PREFIX + "_admin",  # the 系统管理 dropdown itself is for administrators only
                    icon="fa-cogs",
                    label=t("menu_admin"),
                    childs=[MenuItem(name=MENU_PREFIX + n, href=h, icon=i, label=t(key)) for n, h, i, key in ADMIN_ENTRIES],
                )
            )
            self._cache = (key, generated)
        return [*_visible(self._cache[1], registry), *self.menu]


def entry_allowed(name: str, permission: str = "menu_access") -> bool:
    """May the signed-in user open the generated entry ``anjian:<name>``?

    The one decision behind the navbar filter below and FAB's ``has_access`` for generated
    names: entities ask the access policy (casbin) for the action (``menu_access`` and
    ``can_list``/``can_show`` mean read, ``can_add`` create, ``can_edit`` update, ``can_delete``
    delete), 系统管理 asks whether the user administers (Admin or ``region_admin``), the audit
    log whether they may read it; module groups are open (empty ones are dropped).
    """
    from flask_login import current_user

    from ..errors import PermissionDenied
    from .views import actor

    if not current_user.is_authenticated:
        return False
    name = name.removeprefix(MENU_PREFIX)
    if name.startswith(GROUP):
        return True
    try:
        if name.startswith("_admin"):
            from .admin import admin_areas

            admin_areas()
        elif name == "_audit":
            from .audit import audit_scope

            audit_scope()
        elif name == "_reports":  # users who may run at least one report
            from .reports import runner

            return bool(runner().available(actor()))
        elif name in ("_inbox", "_notices"):  # users with a role have work and notices
            me = actor()
            return me.is_admin or bool(current_app.extensions["anjian"].access.grants_of(me.username))
        else:
            registry = current_app.extensions["anjian"].registry
            spec = registry.catalog.entities.get(name)
            if spec is not None:
                action = PERMISSION_ACTIONS.get(permission, permission.removeprefix("can_"))
                current_app.extensions["anjian"].access.check(actor(), spec, action)
    except PermissionDenied:
        return False
    return True


PERMISSION_ACTIONS = {
    "menu_access": "read",
    "can_list": "read",
    "can_show": "read",
    "can_get": "read",
    "can_info": "read",
    "can_add": "create",
    "can_post": "create",
    "can_edit": "update",
    "can_put": "update",
    "can_delete": "delete",
}


def _visible(items: list[MenuItem], registry: Any) -> list[MenuItem]:
    """The entries the signed-in user may open, without empty groups."""
    from flask_login import current_user

    if not has_request_context():
        return items  # FAB reads the menu at start-up to create menu permissions
    if not current_user.is_authenticated:
        return []
    result = []
    for item in items:
        if item.childs:
            children = _visible(item.childs, registry)
            if children:
                result.append(MenuItem(name=item.name, href=item.href, icon=item.icon, label=item.label, childs=children))
            continue
        if entry_allowed(item.name):
            counted = item.name.removeprefix(MENU_PREFIX) in ("_inbox", "_notices")
            result.append(_counted(item, item.name.removeprefix(MENU_PREFIX)) if counted else item)
    return result


def _counted(item: MenuItem, kind: str) -> MenuItem:
    """The inbox and message entries with the signed-in user's counts (to-dos, unread notices)."""
    from .views import actor

    platform = current_app.extensions["anjian"]
    with platform.engine.connect() as conn:
        if kind == "_inbox":
            count = platform.inbox.count_todo(conn, actor())
        else:
            count = platform.workflow.notices.unread(conn, actor().username)
    label = f"{item.label} ({count})" if count else item.label
    return MenuItem(name=item.name, href=item.href, icon=item.icon, label=label)
