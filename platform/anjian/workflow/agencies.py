"""The people of an agency a record links to (e.g. the body supervising a 挂牌督办 hidden danger).

Why: a stage may notify the agency a record names (``"notify": ["agency:supervising_agency_id"]``),
not only roles over the record's region; the supervising body is often a higher level. Its people
are the agency accounts whose organisation has the agency's name.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from ..access import Access

__all__ = ["agency_staff"]

AGENCY_ENTITY = "agency"


def agency_staff(conn: Connection, registry: Any, access: Access, agency_id: Any) -> set[str]:
    """Usernames of the agency accounts of the agency record ``agency_id`` (empty when none)."""
    if not isinstance(agency_id, int) or isinstance(agency_id, bool) or AGENCY_ENTITY not in registry.catalog.entities:
        return set()
    table = registry.table(AGENCY_ENTITY)
    name = conn.execute(select(table.c.name).where(table.c.id == agency_id)).scalar()
    if not name:
        return set()
    return access.agency_users(str(name))
