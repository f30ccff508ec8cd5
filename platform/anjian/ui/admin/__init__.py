"""Administration screens (系统管理): users, organisations and grants.

For administrators (FAB's Admin role) and delegated region administrators (``region_admin``),
who see and manage only what lies in their own area. The decisions and the audit entries are
the account store's; these screens only collect input and show field errors next to the fields.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, url_for

from ...errors import AnjianError, FieldError
from ..base import actor, guard, platform
from . import notices as _notices  # noqa: F401  (registers the flash notices' keys)

__all__ = ["USER_TYPE_LABELS", "admin", "admin_areas", "field_errors"]

admin = Blueprint("anjian_admin", __name__, url_prefix="/admin")
guard(admin)  # signed in first; then the administrator check below

USER_TYPE_LABELS = {
    "agency": "监管部门",
    "member_unit": "成员单位",
    "enterprise": "企业",
    "intermediary": "中介机构",
    "public": "社会公众",
}


def admin_areas() -> list[str] | None:
    """The areas the signed-in user administers (None: everything); PermissionDenied for others.

    The one decision behind the 系统管理 menu, FAB's has_access for it, and every admin route.
    """
    return platform().access.check_administrator(actor())


def field_errors(exc: AnjianError) -> dict[str, list[str]]:
    """Field errors keyed by input name (``/region_code`` -> ``region_code``; form-level under "")."""
    result: dict[str, list[str]] = {}
    errors: list[FieldError] = getattr(exc, "errors", None) or []
    if not errors:
        result[""] = [str(exc)]
    for error in errors:
        result.setdefault(error.pointer.strip("/").replace("/", "-"), []).append(error.message)
    return result


@admin.before_request
def _require_administrator() -> None:
    admin_areas()


@admin.get("/")
def index() -> Any:
    return redirect(url_for(".users_view"))


from . import grants, lookups, organisations, users  # noqa: E402,F401  (the routes)
