"""事故调查处理 and 挂牌督办: values an investigation takes from its accident (493号令 Art. 19–33; FACTS.md §1.5, §1.6).

- The grade and the accident's date come from the accident report, so the deadlines follow it:
  the report is due 60 days after the accident (30 for 一般 and 较大 where the province applies
  安监总政法〔2013〕115号, the profile's ``accident.apply_115``); the days of a technical appraisal
  are not counted (the process pauses the clock).
- 整改评估 is due one year after the 批复 (安全生产法 2021 Art. 86; ``accident.rectification_assessment``).
- Only an 一般 accident without casualties may be entrusted to the unit itself (Art. 19).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from anjian import FieldError

from .grading import parse_moment

__all__ = [
    "assessment_due",
    "case_from_closed",
    "case_grade",
    "check_investigation",
    "linked_date",
    "linked_grade",
    "short_period",
]


def _accident(record: Mapping[str, Any], ctx: Any) -> Mapping[str, Any] | None:
    linked = getattr(ctx, "linked", None)
    return linked("accident_report", record.get("accident_id")) if linked is not None else None


def linked_grade(record: Mapping[str, Any], ctx: Any) -> str | None:
    accident = _accident(record, ctx)
    return accident.get("grade") if accident else None


def linked_date(record: Mapping[str, Any], ctx: Any) -> str | None:
    """The local (China Standard Time) date of the accident."""
    accident = _accident(record, ctx)
    moment = parse_moment(accident.get("occurred_at")) if accident else None
    return (moment + dt.timedelta(hours=8)).date().isoformat() if moment else None


def short_period(record: Mapping[str, Any], ctx: Any) -> bool | None:
    grade = linked_grade(record, ctx)
    if grade is None:
        return None
    catalog = getattr(ctx, "catalog", None)
    applies = catalog.profile.value("accident.apply_115") if catalog is not None else None
    return bool(applies) and grade in ("general", "larger")


def investigation_title(record: Mapping[str, Any], ctx: Any) -> str | None:
    accident = _accident(record, ctx)
    return f"{accident.get('title') or '事故'}调查" if accident else None


def supervision_title(record: Mapping[str, Any], ctx: Any) -> str | None:
    accident = _accident(record, ctx)
    return f"{accident.get('title') or '事故'}挂牌督办" if accident else None


def assessment_due(record: Mapping[str, Any], ctx: Any) -> str | None:
    approved = record.get("approved_on")
    if not isinstance(approved, str):
        return None
    try:
        day = dt.date.fromisoformat(approved)
    except ValueError:
        return None
    catalog = getattr(ctx, "catalog", None)
    period = catalog.profile.value("accident.rectification_assessment") if catalog is not None else None
    years = int(period["amount"]) if isinstance(period, Mapping) and period.get("unit") == "years" else 1
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28).isoformat()


def check_investigation(record: Mapping[str, Any], ctx: Any) -> list[FieldError] | None:
    if not record.get("entrusted_to_unit"):
        return None
    accident = _accident(record, ctx)
    if accident is None:
        return None
    counted = ("current_deaths", "current_missing", "current_serious_injuries", "minor_injuries")
    casualties = sum(int(accident.get(name) or 0) for name in counted)
    if accident.get("grade") != "general" or casualties:
        return [
            FieldError(
                "/entrusted_to_unit",
                "只有未造成人员伤亡的一般事故才可以委托事故发生单位组织调查（条例第十九条）",
                "accident.entrust",
            )
        ]
    return None


def _investigation(record: Mapping[str, Any], ctx: Any) -> Mapping[str, Any] | None:
    linked = getattr(ctx, "linked", None)
    return linked("accident_investigation", record.get("investigation_id")) if linked is not None else None


def case_grade(record: Mapping[str, Any], ctx: Any) -> str | None:
    investigation = _investigation(record, ctx)
    return investigation.get("accident_grade") if investigation else None


def case_from_closed(record: Mapping[str, Any], ctx: Any) -> list[FieldError] | None:
    """事故案例 are written from closed cases only (结案归档 stamps ``closed_on``)."""
    investigation = _investigation(record, ctx)
    if investigation is not None and not investigation.get("closed_on"):
        return [FieldError("/investigation_id", "只有已结案归档的事故调查才能整理为事故案例", "accident.case_closed")]
    return None
