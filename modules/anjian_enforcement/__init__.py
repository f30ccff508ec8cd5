"""Business rules of administrative enforcement (安全生产行政执法).

``enforcement.check_case`` (on ``penalty_case``): the dates of a case follow its procedure — the
notice, the decision and its service come after 立案, service after the decision, a hearing after
it was asked for — and the hearing is notified at least 7 days before it is held (行政处罚法
Art. 64: 「行政机关应当在举行听证的七日前，通知当事人及有关人员听证的时间、地点」). The 7 days are the
profile setting ``enforcement.hearing_notice`` (working days by Art. 85, see its confidence), so a
province can correct the reading without code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from anjian import FieldError, hookimpl
from anjian.meta.calendar import WorkCalendar

__all__ = ["anjian_validators", "check_case"]

# (later field, earlier field): the later date may not come before the earlier one.
_ORDER = (
    ("notice_served_on", "filed_on", "告知书送达日期不能早于立案日期"),
    ("decision_on", "filed_on", "决定日期不能早于立案日期"),
    ("decision_served_on", "decision_on", "决定书送达日期不能早于决定日期"),
    ("hearing_requested_on", "notice_served_on", "要求听证日期不能早于告知书送达日期"),
    ("hearing_on", "hearing_requested_on", "听证日期不能早于当事人要求听证的日期"),
    ("paid_on", "decision_served_on", "缴纳日期不能早于决定书送达日期"),
)
_NOTICE_DEFAULT: Mapping[str, Any] = {"amount": 7, "unit": "workdays"}
_calendar: tuple[Any, WorkCalendar] | None = None  # the last catalog's arrangements and their calendar


def _work_calendar(catalog: Any) -> WorkCalendar:
    """The catalog's working-day calendar, built once per published version."""
    global _calendar
    arrangements = getattr(catalog, "calendars", ()) or ()
    if _calendar is None or _calendar[0] is not arrangements:
        _calendar = (arrangements, WorkCalendar.from_documents(arrangements))
    return _calendar[1]


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _notice_due(notified: dt.date, ctx: Any) -> tuple[dt.date, str]:
    """The earliest hearing day after a notice on ``notified``, and how the period reads."""
    catalog = getattr(ctx, "catalog", None)
    found = catalog.profile.value("enforcement.hearing_notice") if catalog is not None else None
    setting: Mapping[str, Any] = found if isinstance(found, Mapping) else _NOTICE_DEFAULT
    amount, unit = int(setting.get("amount", 7)), str(setting.get("unit", "workdays"))
    if unit == "workdays":
        return _work_calendar(catalog).add_workdays(notified, amount), f"{amount}个工作日"
    return notified + dt.timedelta(days=amount), f"{amount}日"


def check_case(record: Mapping[str, Any], ctx: Any) -> list[FieldError] | None:
    dates = {name: _date(record.get(name)) for pair in _ORDER for name in pair[:2]}
    dates["hearing_notice_on"] = _date(record.get("hearing_notice_on"))
    errors = [
        FieldError(f"/{later}", message, "enforcement.date_order")
        for later, earlier, message in _ORDER
        if (a := dates[later]) is not None and (b := dates[earlier]) is not None and a < b
    ]
    notified, held = dates["hearing_notice_on"], dates["hearing_on"]
    if notified is not None and held is not None:
        earliest, period = _notice_due(notified, ctx)
        if held < earliest:
            errors.append(
                FieldError(
                    "/hearing_on",
                    f"听证应在通知当事人{period}后举行（行政处罚法第六十四条）：{notified.isoformat()} 通知的，"
                    f"最早 {earliest.isoformat()} 举行",
                    "enforcement.hearing_notice",
                )
            )
    return errors or None


@hookimpl
def anjian_validators() -> Mapping[str, Any]:
    return {"enforcement.check_case": check_case}
