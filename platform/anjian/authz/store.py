"""Accounts and grants in the database; every change is audited and bumps the policy version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from .. import audit
from ..audit import Actor
from ..data.db import inserted_id, write
from ..data.system import account, grant, organisation, policy_version
from ..errors import FieldError, NotFound, PermissionDenied, RecordValidationError
from ..store.clock import utc_now
from .policy import Account, Grant
from .regions import ALL, is_region_code, within

__all__ = ["ENTERPRISE_ENTITY", "USER_TYPES", "AccountStore"]

ENTERPRISE_ENTITY = "enterprise"  # the entity an enterprise user or organisation is bound to
SEPARATED_ROLES = frozenset({"auditor"})  # only system administrators grant these

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

    def registry(self) -> Any:
        """The live registry (entity tables, the region dictionary)."""
        return self._registry()

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

    def region_error(self, region: str, pointer: str, *, whole_country: bool = True) -> FieldError | None:
        """A field error when ``region`` is no code of the region dictionary (``*``: everywhere)."""
        codes = self.registry().dictionary_codes.get("region", frozenset())
        if region == ALL and whole_country:
            return None
        if region == ALL or not is_region_code(region) or region not in codes:
            return FieldError(pointer, f"行政区划代码 {region or '（空）'} 不存在", "region")
        return None

    def _check_region(self, region: str, pointer: str) -> None:
        error = self.region_error(region, pointer)
        if error:
            raise RecordValidationError("grant", [error])

    def admin_areas(self, actor: Actor) -> list[str] | None:
        """The areas ``actor`` administers: None for administrators (everything), [] for nobody."""
        if actor.is_admin:
            return None
        areas: list[str] = self.access.state().regions(actor.username, "_accounts", "administer")
        return areas

    def check_administrator(self, actor: Actor) -> list[str] | None:
        """``admin_areas``, refusing people who administer nothing."""
        areas = self.admin_areas(actor)
        if areas is not None and not areas:
            raise PermissionDenied("只有系统管理员和区划管理员可以管理用户、机构和授权")
        return areas

    def check_admin_over(self, actor: Actor, region: str) -> None:
        """Only administrators whose own area covers ``region`` may manage it."""
        areas = self.admin_areas(actor)
        if areas is not None and not any(within(region, area) for area in areas):
            raise PermissionDenied(f"您只能管理本级及下级区划的用户、机构和授权（{region} 不在您的管理范围内）")

    def check_may_manage_user(self, actor: Actor, username: str) -> None:
        """A delegated administrator manages a user only when the account and all its grants lie in their area.

        Otherwise a county administrator could reset the password of someone holding rights
        above the county and act with those rights.
        """
        if actor.is_admin:
            return
        state = self.access.state()
        held = state.accounts.get(username)
        if held is None:
            raise PermissionDenied(f"用户 {username} 没有平台账号，只有系统管理员可以管理")
        self.check_admin_over(actor, held.region)
        for g in state.grants.get(username, ()):
            self.check_admin_over(actor, g.region)

    def _organisation_for_account(
        self, conn: Connection, actor: Actor, organisation_id: int, user_type: str, region: str
    ) -> tuple[Any, list[FieldError]]:
        row = conn.execute(select(organisation).where(organisation.c.id == organisation_id)).first()
        if row is None:
            return None, [FieldError("/organisation_id", f"组织机构 {organisation_id} 不存在", "exists")]
        errors = []
        if not row.active:
            errors.append(FieldError("/organisation_id", f"组织机构「{row.name}」已停用", "inactive"))
        if row.kind != user_type:
            errors.append(FieldError("/user_type", f"用户类型应与所属机构「{row.name}」的类型一致（{row.kind}）", "organisation"))
        if region and region != ALL and not within(region, row.region_code):
            errors.append(FieldError("/region_code", f"用户所在区划应在所属机构的区划 {row.region_code} 内", "organisation"))
        self.check_admin_over(actor, row.region_code)
        return row, errors

    def account_values(
        self,
        conn: Connection,
        actor: Actor,
        username: str,
        user_type: str,
        region: str,
        org_name: str = "",
        enterprise_id: int | None = None,
        organisation_id: int | None = None,
    ) -> dict[str, Any]:
        """The stored values of an account, after every check (all field errors at once); writes nothing."""
        errors = []
        if username.startswith("@"):  # reserved for the engine's own actors (the anonymous visitor)
            errors.append(FieldError("/username", "用户名不能以 @ 开头", "pattern"))
        if user_type not in USER_TYPES:
            errors.append(FieldError("/user_type", f"用户类型应为 {', '.join(USER_TYPES)}", "enum"))
        region_error = self.region_error(region, "/region_code", whole_country=False)
        if region_error:
            errors.append(region_error)
        if organisation_id is not None:
            org, org_errors = self._organisation_for_account(conn, actor, organisation_id, user_type, region)
            errors += org_errors
            if org is not None:
                org_name = org.name
                enterprise_id = enterprise_id if enterprise_id is not None else org.enterprise_id
            if org is not None and org.enterprise_id is not None and enterprise_id != org.enterprise_id:
                message = f"企业用户应绑定所属组织的企业（{org.enterprise_id}）"
                errors.append(FieldError("/enterprise_id", message, "organisation"))
        if user_type == "enterprise" and enterprise_id is None:
            errors.append(FieldError("/enterprise_id", "企业用户需要绑定一家企业", "required"))
        enterprise_region = self.enterprise_region(conn, enterprise_id) if enterprise_id is not None else None
        if enterprise_id is not None and enterprise_region is None:
            errors.append(FieldError("/enterprise_id", f"企业 {enterprise_id} 不存在", "exists"))
        elif enterprise_region is not None and not region_error and not within(enterprise_region, region):
            errors.append(FieldError("/enterprise_id", f"企业所在区划 {enterprise_region} 不在账号区划 {region} 内", "region"))
        if errors:
            raise RecordValidationError("account", errors)
        self.check_admin_over(actor, region)  # and so over the bound enterprise, which lies within the region
        if username in self.access.state().accounts:
            self.check_may_manage_user(actor, username)  # moving someone else's user into one's area is no way in
        return {
            "user_type": user_type,
            "org_name": org_name,
            "region_code": region,
            "enterprise_id": enterprise_id,
            "organisation_id": organisation_id,
        }

    def enterprise_region(self, conn: Connection, enterprise_id: int) -> str | None:
        """The region of an enterprise record (None if there is no such record)."""
        registry = self.registry()
        if ENTERPRISE_ENTITY not in registry.catalog.entities:
            return None
        table, spec = registry.table(ENTERPRISE_ENTITY), registry.entity(ENTERPRISE_ENTITY)
        row = conn.execute(select(table).where(table.c.id == enterprise_id)).mappings().first()
        return None if row is None else spec.region_of(row)

    def check_account(self, actor: Actor, username: str, user_type: str, region: str, **options: Any) -> None:
        """Raise what ``save_account`` would raise, writing nothing (to check before creating a login)."""
        with self.engine.connect() as conn:
            self.account_values(conn, actor, username, user_type, region, **options)

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
        """Create or update an account; a given organisation supplies the name (and the enterprise)."""
        with write(self.engine) as conn, conn.begin():
            values = self.account_values(conn, actor, username, user_type, region, org_name, enterprise_id, organisation_id)
            exists = conn.execute(select(account.c.username).where(account.c.username == username)).first()
            if exists:
                conn.execute(update(account).where(account.c.username == username).values(values))
            else:
                conn.execute(insert(account).values(username=username, created_at=utc_now(), **values))
            _bump(conn)
            audit.append(conn, actor, "account", "_accounts", username, values, region=region)
        self.access.refresh()  # this process sees the account at once (others within the poll interval)

    def add_grant(self, actor: Actor, username: str, role: str, region: str, expires_at: dt.datetime | None = None) -> int:
        state = self.access.state()
        if role not in state.roles:
            raise RecordValidationError(
                "grant", [FieldError("/role", f"未知角色 {role}；可用：{', '.join(sorted(state.roles))}", "role")]
            )
        self._check_region(region, "/region_code")
        self.check_admin_over(actor, region)
        if not actor.is_admin and (username == actor.username or role in SEPARATED_ROLES):
            # 三员分立: a delegated administrator grants neither themself nor the audit role.
            raise PermissionDenied("授权管理员不能给自己授权，也不能授予审计员角色")
        with write(self.engine) as conn, conn.begin():
            grant_id = inserted_id(
                conn.execute(
                    insert(grant).values(
                        username=username,
                        role=role,
                        region_code=region,
                        expires_at=expires_at,
                        granted_by=actor.username,
                        granted_at=utc_now(),
                    )
                )
            )
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
            self.check_admin_over(actor, row.region_code)
            conn.execute(update(grant).where(grant.c.id == grant_id).values(revoked_at=utc_now()))
            _bump(conn)
            audit.append(
                conn,
                actor,
                "revoke",
                "_grants",
                grant_id,
                {"username": row.username, "role": row.role, "region": row.region_code},
                region="" if row.region_code == ALL else row.region_code,
            )
        self.access.refresh()
