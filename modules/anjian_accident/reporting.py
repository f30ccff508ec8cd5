"""事故报送: the rules of a report and its follow-ups (493号令 Art. 9–13, 21号令; FACTS.md §1.2–§1.4).

- Every report is kept as filed: 续报, 补报 and 核报 are appended to ``updates`` and never changed
  or removed afterwards; the accident shows them as its timeline.
- A follow-up that lowers the deaths, missing or injured states why (a count found wrong, a person
  found alive); a 补报 after the window (30 days, 7 for road traffic and fire) is questioned.
- 迟报: the county's receipt more than ``accident.unit_report`` (1 hour) after the accident is
  recorded on the accident (``late_report``, ``report_delay_minutes``) so it can be counted.
- Bad input: an accident in the future, a unit neither linked nor named, a loss that looks like
  元 typed as 万元 (a confirmation: an officer may waive it with a reason).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from anjian import FieldError

from .grading import figures, parse_moment, window_days

__all__ = ["STAMPED", "check_report", "computed_delay", "computed_late"]

STAMPED = ("received_at", "forwarded_city_at", "forwarded_province_at", "forwarded_national_at")
SKEW = dt.timedelta(minutes=5)  # clocks of phones and servers disagree a little
_DECREASE = {"deaths": "死亡", "missing": "失踪", "serious_injuries": "重伤", "minor_injuries": "轻伤"}
_FIELDS = ("kind", "reported_at", "deaths", "missing", "serious_injuries", "minor_injuries", "direct_loss", "account", "reason")


def _setting_number(ctx: Any, name: str, default: float) -> float:
    catalog = getattr(ctx, "catalog", None)
    value = catalog.profile.value(name) if catalog is not None else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def _setting_hours(ctx: Any, name: str, default: int) -> int:
    catalog = getattr(ctx, "catalog", None)
    value = catalog.profile.value(name) if catalog is not None else None
    if isinstance(value, Mapping) and isinstance(value.get("amount"), int):
        amount = int(value["amount"])
        return amount * 24 if value.get("unit") == "days" else amount
    return default


def _now(ctx: Any) -> dt.datetime:
    clock = getattr(ctx, "now", None)
    return clock() if clock is not None else dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _loss_error(pointer: str, value: Any, ctx: Any) -> FieldError | None:
    ceiling = _setting_number(ctx, "accident.loss_confirm_above", 100000)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > ceiling:
        return FieldError(
            pointer,
            f"直接经济损失的单位是万元，{value:g} 万元即 {value / 10000:g} 亿元。是否误填了元？确认无误请填写豁免原因",
            "accident.loss_unit",
            overridable=True,
        )
    return None


def check_report(record: Mapping[str, Any], ctx: Any) -> list[FieldError] | None:
    errors: list[FieldError] = []
    if not record.get("enterprise_id") and not str(record.get("unit_name") or "").strip():
        errors.append(FieldError("/unit_name", "请选择事故发生单位，未登记的单位请填写单位名称", "accident.unit"))
    now = _now(ctx)
    occurred = parse_moment(record.get("occurred_at"))
    if occurred is not None and occurred > now + SKEW:
        errors.append(FieldError("/occurred_at", "事故发生时间不能晚于现在", "accident.future"))
    if record.get("near_miss") and not record.get("near_miss_reason"):
        errors.append(FieldError("/near_miss_reason", "较大涉险事故请选择涉险情形（21号令第二十六条）", "accident.near_miss"))
    loss = _loss_error("/direct_loss", record.get("direct_loss"), ctx)
    if loss:
        errors.append(loss)
    if getattr(ctx, "old", None) is None:  # a new report starts at the county: the steps stamp the rest
        errors += [
            FieldError(f"/{name}", "由接收、上报环节填写，报送时不能填写", "accident.stamped")
            for name in STAMPED
            if record.get(name)
        ]
        if record.get("reach") not in (None, "county"):
            errors.append(FieldError("/reach", "新报送的事故只在县级可见，逐级上报后才扩大", "accident.stamped"))
    errors += _check_updates(record, ctx, occurred, now)
    return errors or None


def _check_updates(record: Mapping[str, Any], ctx: Any, occurred: dt.datetime | None, now: dt.datetime) -> list[FieldError]:
    updates, old = record.get("updates"), getattr(ctx, "old", None) or {}
    rows = [r if isinstance(r, Mapping) else {} for r in updates] if isinstance(updates, list) else []
    filed = {r.get("id"): r for r in old.get("updates") or () if isinstance(r, Mapping)}
    errors: list[FieldError] = []
    kept = {r.get("id") for r in rows if r.get("id") is not None}
    if any(row_id not in kept for row_id in filed):
        errors.append(FieldError("/updates", "已报送的续报、补报、核报不能删除", "accident.kept"))
    previous = figures(record)
    window = dt.timedelta(days=window_days(record, ctx))
    for i, row in enumerate(rows):
        at = f"/updates/{i}"
        stored = filed.get(row.get("id")) if row.get("id") is not None else None
        if stored is not None and any(_same(stored.get(k)) != _same(row.get(k)) for k in _FIELDS):
            errors.append(FieldError(at, "已报送的报告按原样保存，不能修改；如有变化请新增一条续报或补报", "accident.kept"))
        current = figures(row)
        if not str(row.get("reason") or "").strip():
            lowered = [title for name, title in _DECREASE.items() if getattr(current, name) < getattr(previous, name)]
            if lowered:
                errors.append(
                    FieldError(f"{at}/reason", f"{'、'.join(lowered)}人数比上一次报告减少，请说明原因", "accident.lowered")
                )
        reported = parse_moment(row.get("reported_at"))
        if reported is not None and occurred is not None and reported < occurred:
            errors.append(FieldError(f"{at}/reported_at", "报告时间不能早于事故发生时间", "accident.order"))
        if reported is not None and reported > now + SKEW:
            errors.append(FieldError(f"{at}/reported_at", "报告时间不能晚于现在", "accident.future"))
        if row.get("kind") == "supplement" and reported is not None and occurred is not None and reported - occurred > window:
            errors.append(
                FieldError(
                    f"{at}/kind",
                    f"补报应在事故发生之日起{window.days}日内（493号令第十三条）；已超过期限，确认无误请填写豁免原因",
                    "accident.window",
                    overridable=True,
                )
            )
        loss = _loss_error(f"{at}/direct_loss", row.get("direct_loss"), ctx)
        if loss:
            errors.append(loss)
        previous = current
    return errors


def _same(value: Any) -> Any:
    """Compare stored and sent values alike: empty is empty, a number is a number, a moment is a moment."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        moment = parse_moment(value)
        return moment if moment is not None else value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def computed_delay(record: Mapping[str, Any], ctx: Any) -> int | None:
    """Minutes from the accident to the county's receipt."""
    occurred, received = parse_moment(record.get("occurred_at")), parse_moment(record.get("received_at"))
    if occurred is None or received is None:
        return None
    return max(0, int((received - occurred).total_seconds() // 60))


def computed_late(record: Mapping[str, Any], ctx: Any) -> bool | None:
    """迟报: received later than ``accident.unit_report`` (1 hour) after the accident."""
    delay = computed_delay(record, ctx)
    if delay is None:
        return None
    return delay > 60 * _setting_hours(ctx, "accident.unit_report", 1)
