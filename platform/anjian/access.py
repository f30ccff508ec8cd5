"""Who may do what: the one interface every read and write path asks.

``anjian.authz.CasbinAccess`` (region-scoped roles) is the platform's policy. ``DefaultAccess``
lets any signed-in user work with every entity and reserves publishing to administrators; it is
for embedding the engine in tools that have no users of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Table

from .audit import Actor
from .errors import PermissionDenied
from .meta.spec import EntitySpec

__all__ = ["Access", "DefaultAccess"]


class Access:
    """Interface: decisions (check), read filters (scope) and write checks (check_record)."""

    def check(self, actor: Actor, entity: EntitySpec | None, action: str) -> None:
        raise NotImplementedError

    def scope(self, actor: Actor, entity: EntitySpec, table: Table, action: str = "read") -> ColumnElement[bool] | None:
        raise NotImplementedError

    def check_record(self, actor: Actor, entity: EntitySpec, record: Mapping[str, Any], action: str = "create") -> None:
        raise NotImplementedError


class DefaultAccess(Access):
    """Signed-in users work with entities; administrators also publish and administer."""

    ADMIN_ACTIONS = frozenset({"publish", "administer"})

    def check(self, actor: Actor, entity: EntitySpec | None, action: str) -> None:
        if action in self.ADMIN_ACTIONS and not actor.is_admin:
            obj = entity.name if entity else "*"
            raise PermissionDenied(f"只有管理员可以执行此操作 ({action})", subject=actor.username, action=action, object=obj)

    def scope(self, actor: Actor, entity: EntitySpec, table: Table, action: str = "read") -> ColumnElement[bool] | None:
        return None

    def check_record(self, actor: Actor, entity: EntitySpec, record: Mapping[str, Any], action: str = "create") -> None:
        return None
