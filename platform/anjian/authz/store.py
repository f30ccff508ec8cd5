"""Accounts and grants in the database; every change is audited and bumps the policy version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from .. import audit
from ..audit import Actor
from ..data.codec import utc_now
from ..data.db import write
from ..data.system import account, grant, policy_version
from ..errors import FieldError, NotFound, PermissionDenied, RecordValidationError
from .policy import Account, Grant
from .regions import ALL, is_region_code, within

__all__ = ["USER_TYPES", "AccountStore"]

USER_TYPES = ("agency", "member_unit", "enterprise", "intermediary", "public")


def _bump(conn: Connection) -> None:
    done = conn.execute(update(policy_version).where(policy_version.c.id == 1).values(version=policy_version.c.version + 1))
    if done.rowcount == 0:
        conn.execute(insert(policy_version).values(id=1, version=1))


class AccountStore:
    """Create accounts, grant and revoke roles, read them back for the policy."""

    def __init__(self, engine: Engine, registry_source: Any, access: Any) -> None:
        self.engine = engine
        self._registry = registry_source
        self.access = access

    def version(self, conn: Connection) -> int:
        return int(conn.execute(select(func.coalesce(func.max(policy_version.c.version), 0))).scalar_one())

    def load(self, conn: Connection) -> tuple[list[Grant], dict[str, Account]]:
        grants = [
            Grant(r.id, r.username, r.role, r.region_code, r.expires_at)
            for r in conn.execute(select(grant).where(grant.c.revoked_at.is_(None)))
        ]
        accounts = {
            r.username: Account(r.username, r.user_type, r.org_name, r.region_code, r.enterprise_id)
            for r in conn.execute(select(account))
        }
        return grants, accounts

    def _check_region(self, region: str, pointer: str) -> None:
        codes = self._registry().dictionary_codes.get("region", frozenset())
        if region != ALL and (not is_region_code(region) or region not in codes):
            raise RecordValidationError("grant", [FieldError(pointer, f"行政区划代码 {region} 不存在", "region")])

    def _check_admin_over(self, actor: Actor, region: str) -> None:
        """Only administrators whose own area covers ``region`` may manage it."""
        if actor.is_admin:
            return
        areas = self.access.state().regions(actor.username, "_accounts", "administer")
        if not any(within(region, area) for area in areas):
            raise PermissionDenied(f"您只能管理本级及下级区划的用户和授权（{region} 不在您的管理范围内）")

    def save_account(
        self, actor: Actor, username: str, user_type: str, region: str, org_name: str = "", enterprise_id: int | None = None
    ) -> None:
        if user_type not in USER_TYPES:
            raise RecordValidationError("account", [FieldError("/user_type", f"用户类型应为 {', '.join(USER_TYPES)}", "enum")])
        self._check_region(region, "/region_code")
        self._check_admin_over(actor, region)
        if user_type == "enterprise" and enterprise_id is None:
            raise RecordValidationError("account", [FieldError("/enterprise_id", "企业用户需要绑定一家企业", "required")])
        values = {"user_type": user_type, "org_name": org_name, "region_code": region, "enterprise_id": enterprise_id}
        with write(self.engine) as conn, conn.begin():
            exists = conn.execute(select(account.c.username).where(account.c.username == username)).first()
            if exists:
                conn.execute(update(account).where(account.c.username == username).values(values))
            else:
                conn.execute(insert(account).values(username=username, created_at=utc_now(), **values))
            _bump(conn)
            audit.append(conn, actor, "account", "_accounts", username, values)

    def add_grant(self, actor: Actor, username: str, role: str, region: str, expires_at: dt.datetime | None = None) -> int:
        state = self.access.state()
        if role not in state.roles:
            raise RecordValidationError(
                "grant", [FieldError("/role", f"未知角色 {role}；可用：{', '.join(sorted(state.roles))}", "role")]
            )
        self._check_region(region, "/region_code")
        self._check_admin_over(actor, region)
        with write(self.engine) as conn, conn.begin():
            grant_id = conn.execute(
                insert(grant).values(
                    username=username,
                    role=role,
                    region_code=region,
                    expires_at=expires_at,
                    granted_by=actor.username,
                    granted_at=utc_now(),
                )
            ).inserted_primary_key[0]
            _bump(conn)
            audit.append(
                conn,
                actor,
                "grant",
                "_grants",
                grant_id,
                {"username": username, "role": role, "region": region, "expires_at": expires_at},
                region="" if region == ALL else region,
            )
        self.access.refresh()
        return int(grant_id)

    def revoke_grant(self, actor: Actor, grant_id: int) -> None:
        with write(self.engine) as conn, conn.begin():
            row = conn.execute(select(grant).where(grant.c.id == grant_id, grant.c.revoked_at.is_(None))).first()
            if row is None:
                raise NotFound(f"授权 {grant_id} 不存在或已撤销")
            self._check_admin_over(actor, row.region_code)
            conn.execute(update(grant).where(grant.c.id == grant_id).values(revoked_at=utc_now()))
            _bump(conn)
            audit.append(
                conn,
                actor,
                "revoke",
                "_grants",
                grant_id,
                {"username": row.username, "role": row.role, "region": row.region_code},
            )
        self.access.refresh()
