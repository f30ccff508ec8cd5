"""CasbinAccess: the one access policy every read and write path asks.

- ``check``: may the actor do this action on this entity at all (in any of their regions)?
- ``scope``: the SQL condition a read applies: the regions of the actor's grants that allow
  reading (a range scan on the entity's scope column), the actor's own enterprise for enterprise
  users (owner column), or nothing at all when no grant allows reading.
- ``check_record``: a record written must lie in a region where the action is allowed.
Administrators (FAB's Admin role) may do everything. An actor acting through an API key is first
limited to the key's ``entity:action`` scopes (``key_allows``), in all three, before any of that.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Engine, Table, and_, false, or_, true

from ..access import Access, Account, Grant, OrganisationInput
from ..audit import VISITOR, Actor
from ..auth.apikeys import scope_allows
from ..data.ranges import RangeScope
from ..errors import PermissionDenied
from ..meta.spec import BUILTIN_ROLES, REACH_LEVELS, EntitySpec
from ..store.clock import utc_now
from .organisations import OrganisationStore
from .policy import PolicyState
from .regions import ALL, prefix, region_range, within
from .sql import likely
from .store import ENTERPRISE_ENTITY, AccountStore

__all__ = ["BUILTIN_TITLES", "CasbinAccess", "key_allows"]

BUILTIN_TITLES = {"region_admin": "区划管理员", "auditor": "审计员", "configurator": "建模配置员"}

ACTION_NAMES = {
    "read": "查看",
    "create": "新建",
    "update": "修改",
    "delete": "删除",
    "export": "导出",
    "import": "导入",
    "approve": "审批",
    "report": "统计",
}


class CasbinAccess(Access):
    """Region-scoped roles decided by casbin; reloads when grants or the catalog change."""

    def __init__(self, engine: Engine, registry_source: Any, poll_interval: float = 0.5) -> None:
        self.engine = engine
        self._registry = registry_source
        self.poll_interval = poll_interval
        self.store = AccountStore(engine, registry_source, self)
        self.organisations = OrganisationStore(self.store)
        self._state: PolicyState | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    # ---- the policy of the moment ---------------------------------------------------------

    def state(self) -> PolicyState:
        state = self._state
        now = utc_now()
        stale = state is None or (state.valid_until is not None and now >= state.valid_until)
        if stale or time.monotonic() - self._checked >= self.poll_interval:
            state = self.refresh()
        assert state is not None
        return state

    def refresh(self) -> PolicyState:
        with self._lock:
            registry = self._registry()
            with self.engine.connect() as conn:
                key = (registry.version, self.store.version(conn))
                now = utc_now()
                current = self._state
                if current is None or current.key != key or (current.valid_until is not None and now >= current.valid_until):
                    grants, accounts = self.store.load(conn)
                    self._state = PolicyState(
                        key, registry.catalog.modules.values(), grants, accounts, now, registry.catalog.processes.values()
                    )
            self._checked = time.monotonic()
            assert self._state is not None
            return self._state

    # ---- Access -----------------------------------------------------------------------------

    def check(self, actor: Actor, entity: EntitySpec | None, action: str) -> None:
        who = {"subject": actor.username, "action": action, "object": entity.name if entity else "*"}
        if not key_allows(actor, entity.name if entity else "*", action):
            raise PermissionDenied(
                f"API 密钥 {actor.key_id} 的权限范围不包括{_what(entity)}的{ACTION_NAMES.get(action, action)}操作", **who
            )
        if actor.is_admin:
            return
        if entity is None:
            raise PermissionDenied(f"只有管理员可以执行此操作 ({action})", **who)
        if action == "read" and entity.published and self._is_public(actor):
            return  # the public reads what is published (the scope keeps it to that)
        if not self.state().regions(actor.username, entity.name, action):
            raise PermissionDenied(f"您没有{ACTION_NAMES.get(action, action)}「{entity.title}」的权限", **who)

    def _is_public(self, actor: Actor) -> bool:
        return _public(self.state(), actor.username)

    def scope(self, actor: Actor, entity: EntitySpec, table: Table, action: str = "read") -> ColumnElement[bool] | None:
        """The records ``actor`` may ``action`` (read, or e.g. a workflow transition) as one SQL condition."""
        if not key_allows(actor, entity.name, action):
            return false()
        if actor.is_admin:
            return None
        state = self.state()
        if self._is_public(actor):
            # The public (公众) reads published records only, whatever its grants say.
            if action == "read" and entity.published:
                return table.c[entity.published].is_(True)
            return false()
        regions = state.regions(actor.username, entity.name, action)
        if not regions:
            return false()
        account = state.accounts.get(actor.username)
        if account is not None and account.user_type == "enterprise":
            # An enterprise user sees its own enterprise and the records it owns, nothing else.
            if entity.name == ENTERPRISE_ENTITY:
                return table.c.id == account.enterprise_id
            if entity.owner:
                return table.c[entity.owner] == account.enterprise_id
            return false()
        if not entity.scope:
            return None
        if entity.reach:
            return _reach_scope(table.c[entity.scope], table.c[entity.reach], regions)
        if ALL in regions:
            return true()
        column = table.c[entity.scope]
        clauses, ranges = [], []
        for area in _outermost(regions):
            bounds = region_range(area)
            if bounds is None:
                return true()
            low, high = bounds
            ranges.append(bounds)
            if len(low) <= 4:  # a province or city holds much of the table: read newest rows, filter them
                clauses.append(and_(likely(column >= low), likely(column < high)))
            else:
                clauses.append(and_(column >= low, column < high))
        return RangeScope(column, ranges, or_(*clauses)) if clauses else or_(*clauses)

    def check_record(self, actor: Actor, entity: EntitySpec, record: Mapping[str, Any], action: str = "create") -> None:
        record_id = record.get("id")
        who = {"subject": actor.username, "action": action, "object": f"{entity.name}/{record_id}" if record_id else entity.name}
        if not key_allows(actor, entity.name, action):
            raise PermissionDenied(
                f"API 密钥 {actor.key_id} 的权限范围不包括{_what(entity)}的{ACTION_NAMES.get(action, action)}操作", **who
            )
        if actor.is_admin:
            return
        state = self.state()
        account = state.accounts.get(actor.username)
        if account is not None and account.user_type == "enterprise":
            # An enterprise user keeps its own enterprise's record and files records it owns.
            if entity.name == ENTERPRISE_ENTITY and action == "create":
                raise PermissionDenied("企业用户不能登记其他企业", **who)
            if entity.owner and record.get(entity.owner) != account.enterprise_id:
                raise PermissionDenied("企业用户只能填报本企业的记录", **who)
            if entity.name != ENTERPRISE_ENTITY and not entity.owner:
                raise PermissionDenied(f"企业用户不能填报「{entity.title}」", **who)
        if not entity.scope:
            return
        region = str(record.get(entity.scope) or "")
        areas = state.regions(actor.username, entity.name, action)
        if not any(within(region, area) for area in areas):
            raise PermissionDenied(
                f"记录所在区划 {region or '（空）'} 不在您{ACTION_NAMES.get(action, action)}「{entity.title}」的权限范围内", **who
            )

    # ---- who holds what (Access) ------------------------------------------------------------------

    def allowed(self, username: str, region: str, entity: str, action: str) -> bool:
        return self.state().allowed(username, region, entity, action)

    def regions(self, username: str, entity: str, action: str) -> list[str]:
        return self.state().regions(username, entity, action)

    def explain(self, username: str, entity: str, actions: Iterable[str]) -> list[dict[str, Any]]:
        return self.state().explain(username, entity, actions)

    def account(self, username: str) -> Account | None:
        return self.state().accounts.get(username)

    def enterprise_users(self, enterprise_id: Any) -> set[str]:
        return {a.username for a in self.state().accounts.values() if a.enterprise_id == enterprise_id}

    def agency_users(self, organisation_name: str) -> set[str]:
        accounts = self.state().accounts.values()
        return {a.username for a in accounts if a.user_type == "agency" and a.org_name == organisation_name}

    def grants(self) -> Mapping[str, list[Grant]]:
        return self.state().grants

    def holds_role(self, username: str, region: str, roles: Iterable[str]) -> bool:
        return self.state().holds_role(username, region, roles)

    def role_titles(self) -> dict[str, str]:
        titles = {name: BUILTIN_TITLES.get(name, name) for name in BUILTIN_ROLES}
        for module in self._registry().catalog.modules.values():
            titles.update({role.name: role.title for role in module.roles})
        return {name: titles.get(name, name) for name in sorted(self.state().roles)}

    # ---- administration (Access): the account and organisation stores --------------------------

    def check_administrator(self, actor: Actor) -> list[str] | None:
        return self.store.check_administrator(actor)

    def check_admin_over(self, actor: Actor, region: str) -> None:
        self.store.check_admin_over(actor, region)

    def check_may_manage_user(self, actor: Actor, username: str) -> None:
        self.store.check_may_manage_user(actor, username)

    def check_account(self, actor: Actor, username: str, user_type: str, region: str, **options: Any) -> None:
        self.store.check_account(actor, username, user_type, region, **options)

    def save_account(
        self,
        actor: Actor,
        username: str,
        user_type: str,
        region: str,
        org_name: str = "",
        enterprise_id: int | None = None,
        organisation_id: int | None = None,
    ) -> None:
        self.store.save_account(actor, username, user_type, region, org_name, enterprise_id, organisation_id)

    def add_grant(self, actor: Actor, username: str, role: str, region: str, expires_at: dt.datetime | None = None) -> int:
        return self.store.add_grant(actor, username, role, region, expires_at)

    def revoke_grant(self, actor: Actor, grant_id: int) -> None:
        self.store.revoke_grant(actor, grant_id)

    def organisation(self, organisation_id: int) -> Mapping[str, Any]:
        with self.engine.connect() as conn:
            return dict(self.organisations.get(conn, organisation_id))

    def save_organisation(self, actor: Actor, data: OrganisationInput, organisation_id: int | None = None) -> int:
        return self.organisations.save(actor, data, organisation_id)


def key_allows(actor: Actor, entity: str, action: str) -> bool:
    """Whether an API key's scopes cover the action (always, for an actor without a key)."""
    return actor.key_scopes is None or scope_allows(actor.key_scopes, entity, action)


def _what(entity: EntitySpec | None) -> str:
    return f"「{entity.title}」" if entity else "系统管理"


def _public(state: PolicyState, username: str) -> bool:
    if username == VISITOR:  # an anonymous visitor of the public face reads as the public does
        return True
    account = state.accounts.get(username)
    return account is not None and account.user_type == "public"


def _outermost(regions: list[str]) -> list[str]:
    """Drop areas that lie inside another area of the list (fewer, wider ranges)."""
    unique = sorted(set(regions), key=lambda area: len(prefix(area)))
    kept: list[str] = []
    for area in unique:
        if not any(within(area, outer) for outer in kept):
            kept.append(area)
    return kept


def _reach_scope(column: Any, reach: Any, regions: Iterable[str]) -> ColumnElement[bool]:
    """Region ranges, each limited to the records whose reach is at least the grant's level.

    A grant at a city sees a county's record only once the record reaches the city (e.g. an
    accident forwarded upwards, 逐级上报); grants at county level or below see every record in
    their area. An empty reach is the county level.
    """
    clauses: list[ColumnElement[bool]] = []
    for area in sorted(set(regions)):  # not only the outermost: a county grant sees more than the city's
        level = area_level(area)
        visible = [r for r in REACH_LEVELS if REACH_LEVELS.index(r) >= level]
        bounds = region_range(area)
        where = [] if bounds is None else [column >= bounds[0], column < bounds[1]]
        if level > 0:
            where.append(reach.in_(visible))
        clauses.append(and_(true(), *where))
    return or_(false(), *clauses)


def area_level(area: str) -> int:
    """The index in REACH_LEVELS of a grant's area: county (or a township) 0, city 1, province 2, country 3."""
    return {0: 3, 2: 2, 4: 1}.get(len(prefix(area)), 0)
