"""Fixtures of the report tests (data in report_world)."""

from __future__ import annotations

import pytest
from report_world import OTHER_COUNTY, TOWN_A, TOWN_B, close


@pytest.fixture
def dangers(published, record_factory):
    """(region, level, found_on, closed) of each created hidden danger."""
    made = []
    plan = [
        (TOWN_A, "general", "2026-01-15", True),
        (TOWN_A, "general", "2026-02-03", False),
        (TOWN_A, "major", "2026-03-09", False),
        (TOWN_B, "general", "2026-03-20", True),
        (TOWN_B, "general", "2025-03-20", False),
        (OTHER_COUNTY, "major", "2026-04-01", False),
        (TOWN_A, "general", "2025-02-01", True),
    ]
    enterprises = {}
    for region, level, found_on, closed in plan:
        if region not in enterprises:
            enterprises[region] = record_factory.create("enterprise", region_code=region)["id"]
        record = record_factory.create(
            "hidden_danger", enterprise_id=enterprises[region], region_code=region, level=level, found_on=found_on
        )
        if closed:
            close(published, record["id"])
        made.append((region, level, found_on, closed))
    return made
