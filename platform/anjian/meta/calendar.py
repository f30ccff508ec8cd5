"""Chinese working days and the deadline arithmetic that legal time limits need.

Legal limits are counted in hours, calendar days or working days (工作日), and the State Council moves
working days every year: holidays (放假) and make-up working weekends (调休上班). The `chinese-calendar`
package knows the years announced before its release; a year announced later is added as a metadata
document (see docs/workflow.md), which replaces the package's arrangement for that whole year. A year
that neither knows counts Monday to Friday, so deadlines never stop working; `WorkCalendar.known`
lets callers warn about it.

Every datetime in and out is naive UTC (how anjian stores time); calendar days are counted in the
agency's local zone, and a day-based deadline ends at 23:59:59 local time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]

from ..messages import message
from . import calendar_messages as _messages  # noqa: F401  (registers the keys used here)

__all__ = ["UNITS", "WorkCalendar", "YearArrangement", "due_at", "shift_for_pause"]

UNITS = ("hours", "days", "workdays")
END_OF_DAY = dt.time(23, 59, 59)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class YearArrangement:
    """One year's official exceptions to the Monday-to-Friday week."""

    year: int
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    title: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        problems = _arrangement_problems(self.year, self.holidays, self.workdays)
        if problems:
            raise ValueError(message("calendar.year", year=self.year, problems=message("calendar.separator").join(problems)))

    @classmethod
    def from_document(cls, content: Mapping[str, Any]) -> YearArrangement:
        """Build from a calendar metadata document (metadata/meta-schemas/calendar.schema.json)."""
        if content.get("calendar") != "cn":
            raise ValueError(message("calendar.kind", kind=repr(content.get("calendar"))))
        year = content.get("year")
        if not isinstance(year, int) or isinstance(year, bool):
            raise ValueError(message("calendar.year_type", year=repr(year)))
        return cls(
            year=year,
            holidays=_dates(content.get("holidays", []), year, "holidays"),
            workdays=_dates(content.get("workdays", []), year, "workdays"),
            title=str(content.get("title", "")),
            source=str(content.get("source", "")),
        )

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day not in self.holidays and day.weekday() < 5


def _dates(values: object, year: int, key: str) -> frozenset[dt.date]:
    if not isinstance(values, list):
        raise ValueError(message("calendar.dates", year=year, key=key))
    days: set[dt.date] = set()
    for value in values:
        if not isinstance(value, str) or not _ISO_DATE.match(value):
            raise ValueError(message("calendar.date_format", year=year, key=key, value=repr(value)))
        try:
            days.add(dt.date.fromisoformat(value))
        except ValueError:
            raise ValueError(message("calendar.date_real", year=year, key=key, value=repr(value))) from None
    return frozenset(days)


def _arrangement_problems(year: int, holidays: frozenset[dt.date], workdays: frozenset[dt.date]) -> list[str]:
    problems = [message("calendar.outside", day=d.isoformat(), year=year) for d in sorted(holidays | workdays) if d.year != year]
    problems += [message("calendar.both", day=d.isoformat()) for d in sorted(holidays & workdays)]
    return problems


@cache
def package_years() -> Mapping[int, YearArrangement]:
    """The arrangements `chinese-calendar` ships, by year (built once: the package's data is static)."""
    holidays: dict[int, set[dt.date]] = {}
    workdays: dict[int, set[dt.date]] = {}
    for day in chinese_calendar.holidays:
        holidays.setdefault(day.year, set()).add(day)
    for day in chinese_calendar.workdays:
        workdays.setdefault(day.year, set()).add(day)
    years = range(min(holidays), max(holidays) + 1)
    version = getattr(chinese_calendar, "__version__", "?")
    return {
        year: YearArrangement(
            year=year,
            holidays=frozenset(holidays.get(year, ())),
            workdays=frozenset(workdays.get(year, ())),
            title=f"chinese-calendar {version}",
            source="chinese-calendar package",
        )
        for year in years
    }


class WorkCalendar:
    """Which dates are working days: package data, overridden per whole year by metadata documents."""

    def __init__(self, years: Mapping[int, YearArrangement] | None = None) -> None:
        given = dict(years or {})
        for year, arrangement in given.items():
            if arrangement.year != year:
                raise ValueError(message("calendar.misfiled", given=arrangement.year, year=year))
        self._years: dict[int, YearArrangement] = {**package_years(), **given}

    @classmethod
    def from_documents(cls, contents: Iterable[Mapping[str, Any]]) -> WorkCalendar:
        """A calendar with the package's years plus these metadata documents (one per year)."""
        years: dict[int, YearArrangement] = {}
        for content in contents:
            arrangement = YearArrangement.from_document(content)
            if arrangement.year in years:
                raise ValueError(message("calendar.duplicate", year=arrangement.year))
            years[arrangement.year] = arrangement
        return cls(years)

    def known(self, year: int) -> bool:
        """True if the official arrangement of *year* is known; otherwise Monday-Friday is assumed."""
        return year in self._years

    def arrangement(self, year: int) -> YearArrangement | None:
        """The arrangement used for *year*, or None when only the Monday-Friday fallback applies."""
        return self._years.get(year)

    def is_workday(self, day: dt.date) -> bool:
        arrangement = self._years.get(day.year)
        if arrangement is None:
            return day.weekday() < 5
        return arrangement.is_workday(day)

    def _workdays_after(self, day: dt.date) -> Iterator[dt.date]:
        while True:
            day += _ONE_DAY
            if self.is_workday(day):
                yield day

    def add_workdays(self, start: dt.date, count: int) -> dt.date:
        """The *count*-th working day after *start*; *start* itself is never counted."""
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"add_workdays needs a count of at least 1, not {count!r}.")
        found = start
        days = self._workdays_after(start)
        for _ in range(count):
            found = next(days)
        return found

    def workdays_between(self, first: dt.date, last: dt.date) -> int:
        """How many working days d have first < d <= last (0 when last <= first)."""
        count = 0
        day = first + _ONE_DAY
        while day <= last:
            count += self.is_workday(day)
            day += _ONE_DAY
        return count

    def next_workday(self, day: dt.date) -> dt.date:
        """*day* itself if it is a working day, else the first working day after it."""
        return day if self.is_workday(day) else next(self._workdays_after(day))


def _check(amount: int, unit: str) -> None:
    if unit not in UNITS:
        raise ValueError(f"unknown time unit {unit!r}. Use one of: {', '.join(UNITS)}.")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
        raise ValueError(f"a time limit needs a whole number of {unit} of at least 1, not {amount!r}.")


def _naive_utc(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is not None:
        raise ValueError(f"{name} must be naive UTC (as stored), not {value.isoformat()}. Use anjian.data.codec.utc_now().")
    return value


def _local_date(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    return moment.replace(tzinfo=dt.UTC).astimezone(zone).date()


def _end_of_day(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=zone).astimezone(dt.UTC).replace(tzinfo=None)


def due_at(
    start: dt.datetime,
    amount: int,
    unit: str,
    calendar: WorkCalendar,
    zone: ZoneInfo,
    roll_to_workday: bool = False,
) -> dt.datetime:
    """When a time limit of *amount* *unit* that starts at *start* runs out (naive UTC).

    hours: exactly *amount* hours later. days: the end of the local day start date + *amount* (the start
    day is not counted); with *roll_to_workday*, a last day that is not a working day moves to the end of
    the next working day (期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日).
    workdays: the end of the *amount*-th working day after the local start date.
    """
    _check(amount, unit)
    _naive_utc(start, "start")
    if unit == "hours":
        return start + dt.timedelta(hours=amount)
    first = _local_date(start, zone)
    if unit == "days":
        last = first + dt.timedelta(days=amount)
        return _end_of_day(calendar.next_workday(last) if roll_to_workday else last, zone)
    return _end_of_day(calendar.add_workdays(first, amount), zone)


def shift_for_pause(
    due: dt.datetime,
    paused_at: dt.datetime,
    resumed_at: dt.datetime,
    unit: str,
    calendar: WorkCalendar,
    zone: ZoneInfo,
    whole_days: bool = False,
) -> dt.datetime:
    """The due time after a pause (中止/暂停) from *paused_at* to *resumed_at* (all naive UTC).

    Time limits in hours or days move by the paused duration; limits in working days move by the working
    days that passed during the pause (local dates d with paused < d <= resumed), keeping the end of day.
    With ``whole_days``, a limit in days moves by the local dates that passed, keeping the end of day too
    (a deadline that ends with a day must not end mid-day after a pause).
    """
    _check(1, unit)
    for name, value in (("due", due), ("paused_at", paused_at), ("resumed_at", resumed_at)):
        _naive_utc(value, name)
    if resumed_at < paused_at:
        raise ValueError(f"a pause cannot end ({resumed_at.isoformat()}) before it starts ({paused_at.isoformat()}).")
    if unit == "days" and whole_days:
        passed = (_local_date(resumed_at, zone) - _local_date(paused_at, zone)).days
        return _end_of_day(_local_date(due, zone) + dt.timedelta(days=passed), zone) if passed else due
    if unit != "workdays":
        return due + (resumed_at - paused_at)
    lost = calendar.workdays_between(_local_date(paused_at, zone), _local_date(resumed_at, zone))
    if lost == 0:
        return due
    return _end_of_day(calendar.add_workdays(_local_date(due, zone), lost), zone)
