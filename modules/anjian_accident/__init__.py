"""Business rules of accident management and the major hazard register.

- 事故报送 (``accident.*``): the grade from the latest figures (``grading.py``), the rules of a
  report and its follow-ups, 迟报 (``reporting.py``).
- 事故调查处理, 挂牌督办 and 事故案例: values taken from the accident, the entrusting rule, cases from
  closed investigations only (``investigation.py``).
- 重大危险源 (``major_hazard.*``): S, R, α and the grade by GB 18218-2018 (``major_hazard.py``);
  the filing's R value and grade from its register entry.

Every limit that is a reading of the law is a setting of the regulation profile
(``metadata/profiles/national.json``, ``accident.*``), so a province can correct it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from anjian import hookimpl

from . import grading, investigation, major_hazard, reporting

__all__ = ["anjian_computed", "anjian_validators"]

_CST = dt.timedelta(hours=8)  # China Standard Time, for the accident's local date in its title


def _title(record: Mapping[str, Any], ctx: Any) -> str | None:
    """「<unit> <date> <category>事故」, e.g. 「安溪某某有限公司 2025-09-30 机械伤害事故」."""
    title_of = getattr(ctx, "title_of", None)
    unit = (title_of("enterprise", record.get("enterprise_id")) if title_of else None) or record.get("unit_name") or ""
    moment = grading.parse_moment(record.get("occurred_at"))
    catalog = getattr(ctx, "catalog", None)
    table = catalog.dictionaries.get("accident_category") if catalog is not None else None
    item = table.item(str(record.get("category"))) if table is not None and record.get("category") else None
    when = (moment + _CST).date().isoformat() if moment else ""
    return " ".join(part for part in (str(unit), when, f"{item.label if item else ''}事故") if part)


def _current(name: str) -> Any:
    def compute(record: Mapping[str, Any], ctx: Any) -> Any:
        return getattr(grading.latest(record), name)

    return compute


def _grade_changed(record: Mapping[str, Any], ctx: Any) -> bool:
    return grading.computed_grade(record, ctx) != grading.computed_first_grade(record, ctx)


def _final_reported(record: Mapping[str, Any], ctx: Any) -> bool:
    """A 核报 (final figures) has been filed: the 续报 reminders stop."""
    updates = record.get("updates")
    return isinstance(updates, list) and any(isinstance(r, Mapping) and r.get("kind") == "final" for r in updates)


def _required_reach(record: Mapping[str, Any], ctx: Any) -> str:
    return grading.reach_for(grading.computed_grade(record, ctx))


@hookimpl
def anjian_computed() -> Mapping[str, Any]:
    return {
        "accident.title": _title,
        "accident.grade": grading.computed_grade,
        "accident.first_grade": grading.computed_first_grade,
        "accident.grade_changed": _grade_changed,
        "accident.final_reported": _final_reported,
        "accident.required_reach": _required_reach,
        "accident.current_deaths": grading.counted_deaths,
        "accident.current_missing": _current("missing"),
        "accident.current_serious_injuries": _current("serious_injuries"),
        "accident.current_direct_loss": _current("direct_loss"),
        "accident.report_delay": reporting.computed_delay,
        "accident.late_report": reporting.computed_late,
        "accident.investigation_title": investigation.investigation_title,
        "accident.supervision_title": investigation.supervision_title,
        "accident.linked_grade": investigation.linked_grade,
        "accident.linked_date": investigation.linked_date,
        "accident.short_period": investigation.short_period,
        "accident.assessment_due": investigation.assessment_due,
        "accident.case_grade": investigation.case_grade,
        "major_hazard.alpha": major_hazard.computed_alpha,
        "major_hazard.s_value": major_hazard.computed_s,
        "major_hazard.is_major": major_hazard.computed_is_major,
        "major_hazard.r_value": major_hazard.computed_r,
        "major_hazard.grade": major_hazard.computed_grade,
        "major_hazard.filing_level": major_hazard.filing_level,
        "major_hazard.filing_r": major_hazard.filing_r,
    }


@hookimpl
def anjian_validators() -> Mapping[str, Any]:
    return {
        "accident.check_report": reporting.check_report,
        "accident.check_investigation": investigation.check_investigation,
        "accident.case_from_closed": investigation.case_from_closed,
        "major_hazard.check_chemicals": major_hazard.check_chemicals,
    }
