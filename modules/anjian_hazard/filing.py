"""重大危险源备案: the filing's validity follows from the assessment date and the re-assessment period.

Why computed: 安监总局令第40号 Art. 11 (FACTS §2, [P]) requires a re-assessment when the
assessment is three years old, so the date is arithmetic, not a value to type; the period is the
regulation profile's ``filing.reassessment_period`` so a province can correct it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

__all__ = ["REASSESSMENT_SETTING", "add_period", "valid_until"]

REASSESSMENT_SETTING = "filing.reassessment_period"


def add_period(start: dt.date, amount: int, unit: str) -> dt.date:
    """``start`` plus whole years, months or days; 29 February plus a year is 28 February."""
    if unit == "days":
        return start + dt.timedelta(days=amount)
    months = amount * 12 if unit == "years" else amount if unit == "months" else None
    if months is None:
        raise ValueError(f"unit {unit!r} is not a calendar period (years, months, days)")
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    day = start.day
    while True:
        try:
            return dt.date(year, month + 1, day)
        except ValueError:
            day -= 1


def valid_until(record: Mapping[str, Any], ctx: Any) -> str | None:
    """The assessment date plus the re-assessment period of the profile in force."""
    catalog = getattr(ctx, "catalog", None)
    period = catalog.profile.value(REASSESSMENT_SETTING) if catalog is not None else None
    assessed = record.get("assessment_on")
    if not isinstance(period, Mapping) or not isinstance(assessed, str):
        return None
    try:
        start = dt.date.fromisoformat(assessed)
    except ValueError:
        return None  # the schema reports the bad date
    return add_period(start, int(period["amount"]), str(period["unit"])).isoformat()
