"""Who may do what: the one interface every read and write path asks.

Everything above ``authz`` asks ``Access`` and nothing else: decisions (``check``, ``scope``,
``check_record``), who holds what (accounts, grants, regions, role titles) and the administration
of accounts, grants and organisations. ``anjian.authz.CasbinAccess`` (region-scoped roles) is the
platform's policy. ``DefaultAccess`` lets any signed-in user work with every entity and reserves
publishing to administrators; it is for embedding the engine in tools that have no users of
their own, so it knows no accounts and manages none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table

from .audit import Actor
from .errors import PermissionDenied
from .meta.spec import EntitySpec

__all__ = ["Access", "Account", "DefaultAccess", "Grant", "OrganisationInput"]


@dataclass(frozen=True)
class Grant:
    """A role held over a region (GB/T 2260 code, or ``*``), possibly until a moment."""

    id: int
    username: str
    role: str
    region: str
    expires_at: dt.datetime | None = None


@dataclass(frozen=True)
class Account:
    """A user's place in the platform: type, organisation, region, enterprise (for enterprise users)."""

    username: str
    user_type: str
    org_name: str
    region: str
    enterprise_id: int | None


@dataclass(frozen=True)
class OrganisationInput:
    """What a form or command gives for an organisation (strings as typed, ids as ints)."""

    name: str
    kind: str
    region_code: str
    credit_code: str = ""
    parent_id: int | None = None
    enterprise_id: int | None = None
    active: bool = True

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.strip(),
            "kind": self.kind,
            "region_code": self.region_code.strip(),
            "credit_code": self.credit_code.strip().upper() or None,
            "parent_id": self.parent_id,
            "enterprise_id": self.enterprise_id,
            "active": self.active,
        }


class Access:
    """Interface: decisions, who holds what, and the administration of accounts and grants."""

    # ---- decisions -----------------------------------------------------------------------------

    def check(self, actor: Actor, entity: EntitySpec | None, action: str) -> None:
        raise NotImplementedError

    def scope(self, actor: Actor, entity: EntitySpec, table: Table, action: str = "read") -> ColumnElement[bool] | None:
        raise NotImplementedError

    def check_record(self, actor: Actor, entity: EntitySpec, record: Mapping[str, Any], action: str = "create") -> None:
        raise NotImplementedError

    def allowed(self, username: str, region: str, entity: str, action: str) -> bool:
        """Whether ``username`` may ``action`` on ``entity`` in ``region`` (by their grants)."""
        raise NotImplementedError

    def regions(self, username: str, entity: str, action: str) -> list[str]:
        """The regions of ``username``'s grants that allow ``action`` on ``entity`` (``_audit``, ``_accounts`` too)."""
        raise NotImplementedError

    def explain(self, username: str, entity: str, actions: Iterable[str]) -> list[dict[str, Any]]:
        """Each grant of the user with the actions its role allows on ``entity``."""
        raise NotImplementedError

    # ---- who holds what ------------------------------------------------------------------------

    def account(self, username: str) -> Account | None:
        raise NotImplementedError

    def enterprise_users(self, enterprise_id: Any) -> set[str]:
        """The users who act for an enterprise (its enterprise accounts)."""
        raise NotImplementedError

    def agency_users(self, organisation_name: str) -> set[str]:
        """The agency accounts of the organisation named ``organisation_name`` (e.g. a supervising body)."""
        raise NotImplementedError

    def grants(self) -> Mapping[str, list[Grant]]:
        """Grants in force by user name (users without one are absent)."""
        raise NotImplementedError

    def grants_of(self, username: str) -> list[Grant]:
        return list(self.grants().get(username, ()))

    def holds_role(self, username: str, region: str, roles: Iterable[str]) -> bool:
        """Whether one of the user's grants over ``region`` carries (or includes) one of ``roles``."""
        raise NotImplementedError

    def role_titles(self) -> dict[str, str]:
        """Every role of the live policy with its title, sorted by name."""
        raise NotImplementedError

    # ---- administration (each change audited) --------------------------------------------------

    def check_administrator(self, actor: Actor) -> list[str] | None:
        """The areas ``actor`` administers (None: everything); PermissionDenied for people who administer nothing."""
        raise NotImplementedError

    def check_admin_over(self, actor: Actor, region: str) -> None:
        """Refuse unless ``actor`` administers ``region``."""
        raise NotImplementedError

    def check_may_manage_user(self, actor: Actor, username: str) -> None:
        raise NotImplementedError

    def check_account(self, actor: Actor, username: str, user_type: str, region: str, **options: Any) -> None:
        """Raise what ``save_account`` would raise, writing nothing."""
        raise NotImplementedError

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
        raise NotImplementedError

    def add_grant(self, actor: Actor, username: str, role: str, region: str, expires_at: dt.datetime | None = None) -> int:
        raise NotImplementedError

    def revoke_grant(self, actor: Actor, grant_id: int) -> None:
        raise NotImplementedError

    def organisation(self, organisation_id: int) -> Mapping[str, Any]:
        raise NotImplementedError

    def save_organisation(self, actor: Actor, data: OrganisationInput, organisation_id: int | None = None) -> int:
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

    def allowed(self, username: str, region: str, entity: str, action: str) -> bool:
        return True

    def regions(self, username: str, entity: str, action: str) -> list[str]:
        return []

    def explain(self, username: str, entity: str, actions: Iterable[str]) -> list[dict[str, Any]]:
        return []

    def account(self, username: str) -> Account | None:
        return None

    def enterprise_users(self, enterprise_id: Any) -> set[str]:
        return set()

    def agency_users(self, organisation_name: str) -> set[str]:
        return set()

    def grants(self) -> Mapping[str, list[Grant]]:
        return {}

    def holds_role(self, username: str, region: str, roles: Iterable[str]) -> bool:
        return False

    def role_titles(self) -> dict[str, str]:
        return {}

    def check_administrator(self, actor: Actor) -> list[str] | None:
        if actor.is_admin:
            return None
        raise PermissionDenied("只有系统管理员可以管理用户、机构和授权")

    def _unmanaged(self, *_args: Any, **_options: Any) -> Any:
        raise PermissionDenied("此平台不管理账号、授权和组织机构（DefaultAccess）")

    check_admin_over = check_may_manage_user = check_account = save_account = _unmanaged
    add_grant = revoke_grant = organisation = save_organisation = _unmanaged
