"""Organisations (组织机构) users belong to, managed with the same region rules as accounts.

A delegated administrator (``region_admin``) creates and edits organisations inside their own
area only; every change is audited in the transaction that makes it.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update

from .. import audit
from ..access import OrganisationInput
from ..audit import Actor
from ..data.db import inserted_id, write
from ..data.system import account, organisation
from ..errors import FieldError, NotFound, RecordConflict, RecordValidationError
from ..store.clock import utc_now
from .regions import within
from .store import ENTERPRISE_ENTITY, USER_TYPES, AccountStore

__all__ = ["ENTERPRISE_ENTITY", "OrganisationInput", "OrganisationStore"]

USCC_FORMAT = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")  # GB 32100 characters


class OrganisationStore:
    """Create, edit, read organisations; region checks and audit as for accounts."""

    def __init__(self, accounts: AccountStore) -> None:
        self.accounts = accounts
        self.engine = accounts.engine

    def get(self, conn: Connection, organisation_id: int) -> RowMapping:
        row = conn.execute(select(organisation).where(organisation.c.id == organisation_id)).mappings().first()
        if row is None:
            raise NotFound(f"组织机构 {organisation_id} 不存在")
        return row

    def save(self, actor: Actor, data: OrganisationInput, organisation_id: int | None = None) -> int:
        """Create (no id) or update an organisation; returns its id."""
        values = data.values()
        errors = self._errors(values)
        if errors:
            raise RecordValidationError("organisation", errors)
        self.accounts.check_admin_over(actor, values["region_code"])
        with write(self.engine) as conn, conn.begin():
            errors = self._reference_errors(conn, values, organisation_id)
            if errors:
                raise RecordValidationError("organisation", errors)
            self._check_unique(conn, values, organisation_id)
            now = utc_now()
            if organisation_id is None:
                organisation_id = inserted_id(conn.execute(insert(organisation).values(**values, created_at=now, updated_at=now)))
                change = "create"
            else:
                old = self.get(conn, organisation_id)
                self.accounts.check_admin_over(actor, old["region_code"])
                conn.execute(update(organisation).where(organisation.c.id == organisation_id).values(**values, updated_at=now))
                # Accounts show their organisation's name (org_name); keep it current.
                conn.execute(update(account).where(account.c.organisation_id == organisation_id).values(org_name=values["name"]))
                change = "update"
            detail = {"change": change, **values}
            audit.append(conn, actor, "organisation", "_organisations", organisation_id, detail, values["region_code"])
        return organisation_id

    def _errors(self, values: dict[str, Any]) -> list[FieldError]:
        errors = []
        if not values["name"]:
            errors.append(FieldError("/name", "请填写机构名称", "required"))
        elif len(values["name"]) > 200:
            errors.append(FieldError("/name", "机构名称最长 200 字", "maxLength"))
        if values["kind"] not in USER_TYPES:
            errors.append(FieldError("/kind", f"机构类型应为 {', '.join(USER_TYPES)}", "enum"))
        region = self.accounts.region_error(values["region_code"], "/region_code", whole_country=False)
        if region:
            errors.append(region)
        code = values["credit_code"]
        if code and (len(code) != 18 or not USCC_FORMAT.match(code)):
            message = "统一社会信用代码应为 18 位数字或大写字母（不使用 I、O、Z、S、V）"
            errors.append(FieldError("/credit_code", message, "format"))
        if values["kind"] == "enterprise" and values["enterprise_id"] is None:
            errors.append(FieldError("/enterprise_id", "企业类机构需要绑定一家企业", "required"))
        if values["kind"] != "enterprise" and values["enterprise_id"] is not None:
            errors.append(FieldError("/enterprise_id", "只有企业类机构可以绑定企业", "kind"))
        return errors

    def _reference_errors(self, conn: Connection, values: dict[str, Any], organisation_id: int | None) -> list[FieldError]:
        errors = []
        parent_id = values["parent_id"]
        if parent_id is not None:
            parent = conn.execute(select(organisation).where(organisation.c.id == parent_id)).first()
            if parent is None:
                errors.append(FieldError("/parent_id", f"上级机构 {parent_id} 不存在", "exists"))
            elif organisation_id is not None and parent_id in self._self_and_below(conn, organisation_id):
                errors.append(FieldError("/parent_id", "上级机构不能是本机构或其下级机构", "cycle"))
            elif not within(values["region_code"], parent.region_code):
                errors.append(FieldError("/region_code", f"机构所在区划应在上级机构的区划 {parent.region_code} 内", "parent"))
        enterprise_id = values["enterprise_id"]
        if enterprise_id is not None and ENTERPRISE_ENTITY in self.accounts.registry().catalog.entities:
            found = self.accounts.enterprise_region(conn, enterprise_id)
            if found is None:
                errors.append(FieldError("/enterprise_id", f"企业 {enterprise_id} 不存在", "exists"))
            elif not within(found, values["region_code"]):
                errors.append(FieldError("/enterprise_id", f"企业所在区划 {found} 不在机构区划内", "region"))
        return errors

    def _self_and_below(self, conn: Connection, organisation_id: int) -> set[int]:
        rows = conn.execute(select(organisation.c.id, organisation.c.parent_id)).all()
        children: dict[int, list[int]] = {}
        for row_id, parent in rows:
            if parent is not None:
                children.setdefault(parent, []).append(row_id)
        found, stack = set(), [organisation_id]
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(children.get(current, ()))
        return found

    def _check_unique(self, conn: Connection, values: dict[str, Any], organisation_id: int | None) -> None:
        code = values["credit_code"]
        if not code:
            return
        query = select(organisation.c.name).where(organisation.c.credit_code == code)
        if organisation_id is not None:
            query = query.where(organisation.c.id != organisation_id)
        other = conn.execute(query).scalar()
        if other is not None:
            raise RecordConflict("organisation", [FieldError("/credit_code", f"统一社会信用代码已被「{other}」使用", "unique")])
