"""Business rules of hidden-danger management (隐患排查治理, 安监总局令第16号).

- ``hazard.statistics_due``: when an enterprise's statistics report is due (Art. 14: quarterly
  reports before the 15th of the following quarter, annual reports before 31 January).
- ``hazard.statistics_title``: a report's title by enterprise and period, e.g.
  「安溪某某有限公司 2025年第3季度隐患排查治理统计报表」.
- ``hazard.plan_complete``: a transition condition; a major hidden danger's rectification plan
  must cover the six items of Art. 15 before it goes to the county.
- ``filing.valid_until``: a major hazard filing's validity, the assessment date plus the
  re-assessment period of the regulation profile (see ``filing.py``).

The days of Art. 14 come from the regulation profile (``hazard.statistics_quarter_day``,
``hazard.statistics_annual_day``; national defaults 15 and 31) so a province can correct them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from anjian import hookimpl

from .filing import valid_until

__all__ = ["PLAN_ITEMS", "anjian_computed", "anjian_conditions", "statistics_due", "statistics_title"]

PLAN_ITEMS = ("plan_goal", "plan_methods", "plan_resources", "plan_organisation", "plan_schedule", "plan_safety")


def statistics_due(period: str, year: int, quarter: int | None, quarter_day: int = 15, annual_day: int = 31) -> dt.date | None:
    """The last day to submit the report of ``period`` (quarter or annual) of ``year``."""
    if period == "annual":
        return dt.date(year + 1, 1, annual_day)
    if period == "quarter" and quarter in (1, 2, 3, 4):
        return dt.date(year + 1, 1, quarter_day) if quarter == 4 else dt.date(year, quarter * 3 + 1, quarter_day)
    return None


def _day(ctx: Any, setting: str, default: int) -> int:
    catalog = getattr(ctx, "catalog", None)
    value = catalog.profile.value(setting) if catalog is not None else None
    return int(value) if isinstance(value, (int, float)) and 1 <= value <= 31 else default


def _statistics_due(record: Mapping[str, Any], ctx: Any) -> str | None:
    year, quarter = record.get("year"), record.get("quarter")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        return None
    due = statistics_due(
        str(record.get("period") or ""),
        year,
        quarter if isinstance(quarter, int) else None,
        _day(ctx, "hazard.statistics_quarter_day", 15),
        _day(ctx, "hazard.statistics_annual_day", 31),
    )
    return due.isoformat() if due else None


def statistics_title(enterprise: str | None, period: str, year: int, quarter: int | None) -> str:
    """「<enterprise> 2025年第3季度隐患排查治理统计报表」 (or 「2025年度…」 for an annual report)."""
    when = f"{year}年第{quarter}季度" if period == "quarter" and quarter else f"{year}年度"
    return f"{enterprise + ' ' if enterprise else ''}{when}隐患排查治理统计报表"


def _statistics_title(record: Mapping[str, Any], ctx: Any) -> str | None:
    year, quarter = record.get("year"), record.get("quarter")
    if not isinstance(year, int) or isinstance(year, bool):
        return None
    title_of = getattr(ctx, "title_of", None)
    enterprise = title_of("enterprise", record.get("enterprise_id")) if title_of else None
    return statistics_title(enterprise, str(record.get("period") or ""), year, quarter if isinstance(quarter, int) else None)


def _plan_complete(record: Mapping[str, Any], ctx: Any) -> bool:
    return all(str(record.get(item) or "").strip() for item in PLAN_ITEMS)


@hookimpl
def anjian_computed() -> Mapping[str, Any]:
    return {
        "hazard.statistics_due": _statistics_due,
        "hazard.statistics_title": _statistics_title,
        "filing.valid_until": valid_until,
    }


@hookimpl
def anjian_conditions() -> Mapping[str, Any]:
    return {"hazard.plan_complete": _plan_complete}
