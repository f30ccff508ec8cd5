"""Working days and deadlines: National Day 2025 and Spring Festival 2026 as the package knows them."""

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from anjian.messages import use_language
from anjian.workflow.calendar import WorkCalendar, YearArrangement, due_at, package_years, shift_for_pause

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date
CAL = WorkCalendar()
META_SCHEMA = Path(__file__).parents[2] / "metadata" / "meta-schemas" / "calendar.schema.json"

# A fabricated year, only for these tests: New Year 2099-01-01..03 off (Thu-Sat), Sunday 01-04 worked.
YEAR_2099 = {
    "calendar": "cn",
    "year": 2099,
    "title": "2099 (test data)",
    "holidays": ["2099-01-01", "2099-01-02", "2099-01-03"],
    "workdays": ["2099-01-04"],
    "source": "made up for tests",
}


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args)  # naive UTC, as stored


def test_the_package_knows_national_day_2025():
    assert [CAL.is_workday(D(2025, 10, d)) for d in range(1, 9)] == [False] * 8
    assert CAL.is_workday(D(2025, 9, 28))  # Sunday, make-up workday
    assert CAL.is_workday(D(2025, 10, 11))  # Saturday, make-up workday
    assert not CAL.is_workday(D(2025, 10, 12))  # an ordinary Sunday
    assert CAL.known(2025)


def test_the_package_knows_spring_festival_2026():
    assert CAL.known(2026)
    assert not any(CAL.is_workday(D(2026, 2, d)) for d in range(15, 24))  # Feb 15-23 off
    assert CAL.is_workday(D(2026, 2, 14)) and CAL.is_workday(D(2026, 2, 28))  # Saturdays worked
    assert CAL.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert CAL.add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 24)


def test_ten_working_days_from_the_eve_of_national_day_2025():
    # Oct 9, 10, 11 (make-up Saturday), 13-17, 20, 21.
    assert CAL.add_workdays(D(2025, 9, 30), 10) == D(2025, 10, 21)
    assert CAL.add_workdays(D(2025, 9, 30), 3) == D(2025, 10, 11)
    assert CAL.workdays_between(D(2025, 9, 30), D(2025, 10, 21)) == 10


def test_a_make_up_weekend_counts_and_the_start_day_never_does():
    assert CAL.add_workdays(D(2025, 9, 26), 1) == D(2025, 9, 28)  # Friday -> the working Sunday
    assert CAL.workdays_between(D(2025, 9, 27), D(2025, 9, 28)) == 1
    assert CAL.workdays_between(D(2025, 9, 28), D(2025, 9, 28)) == 0
    assert CAL.workdays_between(D(2025, 10, 9), D(2025, 9, 28)) == 0


def test_next_workday():
    assert CAL.next_workday(D(2025, 10, 3)) == D(2025, 10, 9)
    assert CAL.next_workday(D(2025, 10, 9)) == D(2025, 10, 9)
    assert CAL.next_workday(D(2025, 10, 12)) == D(2025, 10, 13)


def test_workdays_deadline_ends_at_local_midnight():
    # 2025-09-30 10:00 local; the 10th working day is Oct 21, ending 23:59:59 local = 15:59:59 UTC.
    assert due_at(utc(2025, 9, 30, 2), 10, "workdays", CAL, SHANGHAI) == utc(2025, 10, 21, 15, 59, 59)


def test_the_local_date_decides_where_counting_starts():
    # 2025-09-29 17:00 UTC is already Tuesday Sep 30 in Shanghai.
    assert due_at(utc(2025, 9, 29, 17), 1, "workdays", CAL, SHANGHAI) == utc(2025, 10, 9, 15, 59, 59)
    assert due_at(utc(2025, 9, 29, 15), 1, "workdays", CAL, SHANGHAI) == utc(2025, 9, 30, 15, 59, 59)


def test_a_days_deadline_ending_in_a_holiday_rolls_to_the_first_workday_after():
    start = utc(2025, 9, 25, 2)  # Thursday Sep 25, local
    assert due_at(start, 7, "days", CAL, SHANGHAI) == utc(2025, 10, 2, 15, 59, 59)
    assert due_at(start, 7, "days", CAL, SHANGHAI, roll_to_workday=True) == utc(2025, 10, 9, 15, 59, 59)
    # A last day on a make-up Saturday is a working day: it stays.
    assert due_at(utc(2025, 10, 4, 2), 7, "days", CAL, SHANGHAI, roll_to_workday=True) == utc(2025, 10, 11, 15, 59, 59)


def test_hours_are_exact_and_cross_local_midnight():
    start = utc(2025, 10, 20, 14, 30)  # 22:30 local on Oct 20
    assert due_at(start, 1, "hours", CAL, SHANGHAI) == utc(2025, 10, 20, 15, 30)  # 23:30 local
    due = due_at(start, 3, "hours", CAL, SHANGHAI)
    assert due == utc(2025, 10, 20, 17, 30)
    assert due.replace(tzinfo=dt.UTC).astimezone(SHANGHAI).date() == D(2025, 10, 21)
    assert due_at(utc(2025, 10, 1), 24, "hours", CAL, SHANGHAI) == utc(2025, 10, 2)  # holidays do not matter


def test_a_metadata_year_overrides_and_is_known():
    calendar = WorkCalendar.from_documents([YEAR_2099])
    assert calendar.known(2099) and not CAL.known(2099)
    assert not calendar.is_workday(D(2099, 1, 2))  # a Friday, declared off
    assert calendar.is_workday(D(2099, 1, 4))  # a Sunday, declared worked
    assert calendar.is_workday(D(2099, 1, 5)) and not calendar.is_workday(D(2099, 1, 10))  # Mon-Fri otherwise
    assert calendar.add_workdays(D(2098, 12, 31), 1) == D(2099, 1, 4)
    assert calendar.known(2025) and not calendar.is_workday(D(2025, 10, 1))  # package years stay


def test_a_metadata_year_replaces_the_whole_package_year():
    plain_2025 = {"calendar": "cn", "year": 2025, "holidays": [], "workdays": [], "source": "test"}
    calendar = WorkCalendar.from_documents([plain_2025])
    assert calendar.is_workday(D(2025, 10, 1)) and not calendar.is_workday(D(2025, 9, 28))


def test_an_unknown_year_falls_back_to_monday_to_friday():
    assert not CAL.known(2099) and not CAL.known(1999)
    assert CAL.is_workday(D(2099, 1, 1)) and not CAL.is_workday(D(2099, 1, 3))  # Thursday, Saturday
    assert CAL.add_workdays(D(2099, 1, 2), 1) == D(2099, 1, 5)
    assert due_at(utc(2099, 1, 2, 2), 1, "workdays", CAL, SHANGHAI) == utc(2099, 1, 5, 15, 59, 59)


def test_the_package_covers_consecutive_years_up_to_2026():
    years = sorted(package_years())
    assert years == list(range(years[0], years[-1] + 1)) and years[-1] >= 2026


def test_pause_shifts_hours_and_days_by_the_paused_time():
    due = utc(2025, 11, 3, 10)
    paused, resumed = utc(2025, 11, 1, 8), utc(2025, 11, 2, 20)
    for unit in ("hours", "days"):
        assert shift_for_pause(due, paused, resumed, unit, CAL, SHANGHAI) == utc(2025, 11, 4, 22)


def test_a_pause_of_whole_days_keeps_a_deadline_at_the_end_of_its_day():
    due = utc(2025, 10, 31, 15, 59, 59)  # 2025-10-31 23:59:59 local
    # Paused 10-09 10:00, resumed 10-14 15:00 local: five dates passed, whatever the hour.
    shifted = shift_for_pause(due, utc(2025, 10, 9, 2), utc(2025, 10, 14, 7), "days", CAL, SHANGHAI, whole_days=True)
    assert shifted == utc(2025, 11, 5, 15, 59, 59)
    assert shift_for_pause(due, utc(2025, 10, 9, 2), utc(2025, 10, 9, 9), "days", CAL, SHANGHAI, whole_days=True) == due


def test_pause_shifts_workdays_by_the_working_days_it_swallowed():
    due = due_at(utc(2025, 9, 22, 2), 5, "workdays", CAL, SHANGHAI)  # Mon Sep 22 -> Sep 28 (the make-up Sunday)
    assert due == utc(2025, 9, 28, 15, 59, 59)
    # Paused Friday Sep 26, resumed Friday Oct 10: Sep 28, 29, 30, Oct 9, 10 were working days.
    shifted = shift_for_pause(due, utc(2025, 9, 26, 2), utc(2025, 10, 10, 2), "workdays", CAL, SHANGHAI)
    assert shifted == utc(2025, 10, 11, 15, 59, 59)  # Sep 28 + 5 working days: Sep 29, 30, Oct 9, 10, 11 (Saturday)


def test_a_pause_over_holidays_only_shifts_nothing():
    due = utc(2025, 10, 20, 15, 59, 59)
    assert shift_for_pause(due, utc(2025, 10, 1, 2), utc(2025, 10, 8, 2), "workdays", CAL, SHANGHAI) == due


@pytest.mark.parametrize(
    ("amount", "unit", "words"),
    [(0, "days", "at least 1"), (-3, "workdays", "at least 1"), (True, "hours", "at least 1"), (2, "weeks", "unknown time unit")],
)
def test_bad_time_limits_are_refused(amount, unit, words):
    with pytest.raises(ValueError, match=words):
        due_at(utc(2025, 1, 6), amount, unit, CAL, SHANGHAI)


def test_bad_calls_are_refused():
    with pytest.raises(ValueError, match="naive UTC"):
        due_at(dt.datetime(2025, 1, 6, tzinfo=dt.UTC), 1, "days", CAL, SHANGHAI)
    with pytest.raises(ValueError, match="before it starts"):
        shift_for_pause(utc(2025, 1, 9), utc(2025, 1, 8), utc(2025, 1, 7), "hours", CAL, SHANGHAI)
    with pytest.raises(ValueError, match="unknown time unit"):
        shift_for_pause(utc(2025, 1, 9), utc(2025, 1, 7), utc(2025, 1, 8), "months", CAL, SHANGHAI)
    with pytest.raises(ValueError, match="at least 1"):
        CAL.add_workdays(D(2025, 1, 6), 0)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"calendar": "hk"}, "not supported"),
        ({"year": "2099"}, "must be an integer"),
        ({"holidays": ["2099-02-30"]}, "not a real date"),
        ({"holidays": ["1/1/2099"]}, "YYYY-MM-DD"),
        ({"workdays": ["2098-12-27"]}, "outside 2099"),
        ({"workdays": ["2099-01-01"]}, "both as a holiday and as a workday"),
    ],
)
def test_bad_calendar_documents_are_refused(change, words):
    with use_language("en"), pytest.raises(ValueError, match=words):
        WorkCalendar.from_documents([{**YEAR_2099, **change}])


def test_one_document_per_year():
    with use_language("en"), pytest.raises(ValueError, match="one document per year"):
        WorkCalendar.from_documents([YEAR_2099, YEAR_2099])


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"calendar": "hk"}, "不支持日历 'hk'"),
        ({"holidays": ["2099-02-30"]}, "'2099-02-30' 不是真实存在的日期"),
        ({"workdays": ["2098-12-27"]}, "2099 年的日历安排：2098-12-27 不在 2099 年内"),
        ({"workdays": ["2099-01-01"]}, "2099-01-01 既列为放假又列为调休上班"),
    ],
)
def test_calendar_documents_are_refused_in_chinese_by_default(change, words):
    with pytest.raises(ValueError, match=words):
        WorkCalendar.from_documents([{**YEAR_2099, **change}])


def test_the_meta_schema_accepts_the_documented_shape_and_rejects_mistakes():
    schema = json.loads(META_SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(YEAR_2099)) == []
    assert YearArrangement.from_document(YEAR_2099).year == 2099
    wrong = {**YEAR_2099, "holidays": ["2099-13-01"], "extra": 1}
    assert {e.validator for e in validator.iter_errors(wrong)} == {"format", "additionalProperties"}
    assert [e.validator for e in validator.iter_errors({k: v for k, v in YEAR_2099.items() if k != "source"})] == ["required"]


days = st.dates(min_value=D(2004, 1, 1), max_value=D(2100, 12, 31))


@given(days, st.integers(min_value=1, max_value=60))
def test_add_workdays_lands_on_a_workday_that_many_workdays_later(day, count):
    found = CAL.add_workdays(day, count)
    assert CAL.is_workday(found) and found > day
    assert CAL.workdays_between(day, found) == count
    assert CAL.workdays_between(day, found - dt.timedelta(days=1)) == count - 1


@given(days, st.integers(min_value=1, max_value=400), st.booleans())
def test_a_days_deadline_is_end_of_a_local_day_never_before_the_plain_one(day, amount, roll):
    start = dt.datetime.combine(day, dt.time(3))
    plain = due_at(start, amount, "days", CAL, SHANGHAI)
    due = due_at(start, amount, "days", CAL, SHANGHAI, roll_to_workday=roll)
    assert due.replace(tzinfo=dt.UTC).astimezone(SHANGHAI).time() == dt.time(23, 59, 59)
    assert due >= plain and (not roll or CAL.is_workday(due.replace(tzinfo=dt.UTC).astimezone(SHANGHAI).date()))
