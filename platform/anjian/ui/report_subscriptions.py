"""Report subscriptions on the report page (订阅): weekly or monthly delivery to the message
centre and by e-mail, managed by the user for themself. Routes on the report blueprint; they only
call ``anjian.reports.schedules``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import flash, redirect, request, url_for

from ..errors import AnjianError
from ..reports.schedules import EVERY, ReportSchedules
from .base import actor, platform
from .reports import reports_ui, runner

__all__ = ["conditions", "mine", "schedules", "subscribe_view", "unsubscribe_view"]

RESERVED = {"csrf_token", "every", "email"}  # form fields that are not report parameters


def schedules() -> ReportSchedules:
    p = platform()
    return ReportSchedules(runner(), p.workflow.notices, p.settings)


def conditions(report: Any, parameters: dict[str, str]) -> str:
    """A subscription's parameters in words, by the titles the report page shows."""
    titles: dict[str, str] = {"sort": "排序", "limit": "行数"}
    for p in report.parameters:
        titles.update({p.name: p.title, f"{p.name}_from": f"{p.title}起", f"{p.name}_to": f"{p.title}止"})
    for d in report.dimensions:
        titles.update({d.name: d.title, f"{d.name}_level": f"{d.title}层级"})
    return "；".join(f"{titles.get(k, k)}：{v}" for k, v in parameters.items()) or "默认条件（日期为上一周或上一个月）"


def mine(me: Any, report: Any) -> list[dict[str, Any]]:
    """The signed-in user's subscriptions to ``report``, each with its conditions in words."""
    return [{**row, "shown": conditions(report, row["parameters"])} for row in schedules().mine(me, report.name)]


def _text(exc: AnjianError) -> str:
    details = exc.details()
    parts = [
        f"{str(d.get('pointer', '')).removeprefix('/query/').strip('/')}：{d.get('message', '')}".lstrip("：") for d in details
    ]
    return "；".join(parts) or str(exc)


@reports_ui.post("/<name>/subscriptions")
def subscribe_view(name: str) -> Any:
    """Subscribe to the report with the parameters shown on the page."""
    form = request.form
    args = {k: ",".join(v for v in form.getlist(k) if v.strip()) for k in form if k not in RESERVED}
    every = form.get("every", "")
    try:
        schedules().subscribe(actor(), name, args, every, form.get("email") == "1")
    except AnjianError as exc:
        flash(f"订阅未保存：{_text(exc)}", "danger")
    else:
        flash(
            f"已订阅：{EVERY[every]}发送到消息中心" + ("并发送电子邮件（Excel 附件）" if form.get("email") == "1" else ""),
            "success",
        )
    back = url_for("anjian_reports.report_view", name=name)  # the parameters as a query string, never as url_for options
    return redirect(f"{back}?{urlencode(args)}" if args else back, 303)


@reports_ui.post("/_subscriptions/<int:subscription_id>/delete")
def unsubscribe_view(subscription_id: int) -> Any:
    """Cancel one of the signed-in user's subscriptions."""
    back = request.form.get("report", "")
    try:
        schedules().unsubscribe(actor(), subscription_id)
    except AnjianError as exc:
        flash(_text(exc), "danger")
    else:
        flash("已取消订阅", "success")
    if back in platform().registry.catalog.reports:
        return redirect(url_for("anjian_reports.report_view", name=back), 303)
    return redirect(url_for("anjian_reports.index"), 303)
