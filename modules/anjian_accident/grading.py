"""事故等级 (《生产安全事故报告和调查处理条例》 Art. 3; FACTS.md §1.1).

Why computed: the grade decides who investigates and how far up the accident is reported, so it
must follow from the figures, not be typed. It is the highest of three measures, 以上 inclusive:

| grade | deaths | serious injuries (incl. acute industrial poisoning) | direct loss (万元) |
| --- | --- | --- | --- |
| especially_major 特别重大 | ≥ 30 | ≥ 100 | ≥ 10,000 |
| major 重大 | ≥ 10 | ≥ 50 | ≥ 5,000 |
| larger 较大 | ≥ 3 | ≥ 10 | ≥ 1,000 |
| general 一般 | below | below | below |

Missing persons count as deaths once 30 days have passed since the accident (7 for road-traffic
and fire accidents; FACTS §1.1 rule 3, the profile's ``accident.missing_as_dead`` and
``accident.missing_as_dead_short``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["GRADES", "REACH", "Figures", "grade", "reach_for"]

GRADES = ("general", "larger", "major", "especially_major")
# The level each grade is reported up to (Art. 10): 一般 → city, 较大 → province, 重大 and above → the ministry.
REACH = {"general": "city", "larger": "province", "major": "national", "especially_major": "national"}
_DEATHS = (3, 10, 30)
_SERIOUS = (10, 50, 100)
_LOSS = (1000, 5000, 10000)


@dataclass(frozen=True)
class Figures:
    """The casualties and loss a report states."""

    deaths: int = 0
    missing: int = 0
    serious_injuries: int = 0
    minor_injuries: int = 0
    direct_loss: float = 0.0


def _step(value: float, floors: tuple[float, float, float]) -> int:
    return sum(1 for floor in floors if value >= floor)


def grade(deaths: int, serious_injuries: int, direct_loss: float) -> str:
    """The grade: the highest of the three measures."""
    return GRADES[max(_step(deaths, _DEATHS), _step(serious_injuries, _SERIOUS), _step(direct_loss, _LOSS))]


def reach_for(grade_name: str) -> str:
    return REACH.get(grade_name, "city")


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _amount(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else 0.0


def figures(source: Mapping[str, Any]) -> Figures:
    return Figures(
        _count(source.get("deaths")),
        _count(source.get("missing")),
        _count(source.get("serious_injuries")),
        _count(source.get("minor_injuries")),
        _amount(source.get("direct_loss")),
    )


def latest(record: Mapping[str, Any]) -> Figures:
    """The figures of the last report filed: the last follow-up, else the first report (快报)."""
    updates = record.get("updates")
    rows = [r for r in updates if isinstance(r, Mapping)] if isinstance(updates, list) else []
    return figures(rows[-1] if rows else record)


def parse_moment(value: Any) -> dt.datetime | None:
    """An ISO date-time as naive UTC (a time without offset is China Standard Time)."""
    if not isinstance(value, str) or len(value) < 16:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def window_days(record: Mapping[str, Any], ctx: Any) -> int:
    """Days after which missing persons count as deaths (and the 补报 window closes)."""
    short = bool(record.get("traffic_or_fire"))
    name = "accident.missing_as_dead_short" if short else "accident.missing_as_dead"
    catalog = getattr(ctx, "catalog", None)
    value = catalog.profile.value(name) if catalog is not None else None
    if isinstance(value, Mapping) and isinstance(value.get("amount"), int):
        return int(value["amount"])
    return 7 if short else 30


def counted_deaths(record: Mapping[str, Any], ctx: Any) -> int:
    """Deaths of the latest report, plus the missing once the window has passed."""
    now = latest(record)
    occurred = parse_moment(record.get("occurred_at"))
    clock = getattr(ctx, "now", None)
    if occurred is not None and clock is not None and clock() - occurred >= dt.timedelta(days=window_days(record, ctx)):
        return now.deaths + now.missing
    return now.deaths


def computed_grade(record: Mapping[str, Any], ctx: Any) -> str:
    now = latest(record)
    return grade(counted_deaths(record, ctx), now.serious_injuries, now.direct_loss)


def computed_first_grade(record: Mapping[str, Any], ctx: Any) -> str:
    first = figures(record)
    return grade(first.deaths, first.serious_injuries, first.direct_loss)
