"""Shared by the report tests: users, grants, and hidden dangers in two townships of 安溪县 and one county of 厦门, some closed, over two years."""

from __future__ import annotations

import datetime as dt

from anjian import Actor

ADMIN = Actor("admin", is_admin=True)
TOWN_A, TOWN_B, OTHER_COUNTY = "350524100000", "350524101000", "350203"
TODAY = dt.date(2026, 6, 30)


def grant(platform, username, role, region, user_type="agency"):
    """Give ``username`` an account and ``role`` over ``region``."""
    platform.access.save_account(ADMIN, username, user_type, region, org_name="安溪县应急管理局")
    platform.access.add_grant(ADMIN, username, role, region)


def close(platform, record_id):
    """Put a hidden danger in the state 已销号 (the process's end) directly."""
    from sqlalchemy import update

    from anjian.workflow.tables import instance

    with platform.engine.begin() as conn:
        conn.execute(
            update(instance).where(instance.c.entity == "hidden_danger", instance.c.record_id == record_id).values(state="closed")
        )
