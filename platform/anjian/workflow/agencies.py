"""The people of an agency a record links to (e.g. the body supervising a 挂牌督办 hidden danger).

Why: a stage may notify the agency a record names (``"notify": ["agency:supervising_agency_id"]``),
not only roles over the record's region; the supervising body is often a higher level. Its people
are the agency accounts whose organisation has the agency's name.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from ..access import Access

__all__ = ["agency_staff", "level_agency_staff"]

AGENCY_ENTITY = "agency"
LEVEL_DIGITS = {"county": 6, "city": 4, "province": 2}  # the digits of a region code that name the area of a level


def agency_staff(conn: Connection, registry: Any, access: Access, agency_id: Any) -> set[str]:
    """Usernames of the agency accounts of the agency record ``agency_id`` (empty when none)."""
    if not isinstance(agency_id, int) or isinstance(agency_id, bool) or AGENCY_ENTITY not in registry.catalog.entities:
        return set()
    table = registry.table(AGENCY_ENTITY)
    name = conn.execute(select(table.c.name).where(table.c.id == agency_id)).scalar()
    if not name:
        return set()
    return access.agency_users(str(name))


def level_agency_staff(
    conn: Connection, registry: Any, access: Access, level: str, region: str, words: Any
) -> dict[str, set[str]]:
    """The agencies of ``level`` over ``region`` whose names contain one of ``words``, with their staff.

    Why: when an agency receives an accident it tells the government of its own level and the
    departments the law lists (493号令 Art. 11); they are the agency records of that level and
    area (e.g. 安溪县人民政府, 安溪县公安局), named by the words of a setting. A level without agency
    records (the ministry) finds none.
    """
    digits = LEVEL_DIGITS.get(level)
    keywords = [str(w) for w in words if str(w).strip()] if isinstance(words, list | tuple) else []
    if digits is None or not keywords or len(region) < digits or AGENCY_ENTITY not in registry.catalog.entities:
        return {}
    table = registry.table(AGENCY_ENTITY)
    area = region[:digits]
    rows = conn.execute(
        select(table.c.name, table.c.region_code).where(table.c.level == level, table.c.region_code.like(f"{area}%"))
    )
    return {
        str(name): access.agency_users(str(name))
        for name, code in rows
        if any(word in str(name) for word in keywords) and str(code or "")[:digits] == area
    }
