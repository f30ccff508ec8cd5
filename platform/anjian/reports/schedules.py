"""Scheduled reports (订阅): a user's report delivered weekly or monthly to the message centre and
by e-mail as an XLSX file, each computed with the recipient's own scope.

Why the recipient's scope: a schedule computed with its creator's (or the system's) permissions
would mail a county's figures to a township officer. Each delivery rebuilds the recipient as an
actor from their account at the moment it runs (an inactive user gets nothing, an administrator
removed from Admin loses the whole-province view) and runs the report through ``ReportRunner``
like a page would. A subscription is delivered once per period (``last_period``: 2026-W49,
2026-12), on the first run of the worker's beat in the period; the report's first date range,
unless the subscriber fixed it, covers the week or month just ended.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from .. import audit
from ..audit import Actor
from ..data.db import write
from ..data.users import UserAccount, accounts
from ..errors import AnjianError, FieldError, NotFound, RecordValidationError
from ..store.clock import utc_now
from .export import xlsx_chunks
from .runner import ReportRunner
from .tables import report_subscription
from .values import CHINA

__all__ = ["EVERY", "ReportSchedules", "period_key", "period_range"]

EVERY = {"weekly": "每周", "monthly": "每月"}
MAX_SUBSCRIPTIONS = 50  # per user: a schedule list, not a mail cannon
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
log = logging.getLogger(__name__)


def period_key(every: str, today: dt.date) -> str:
    """The delivery period ``today`` falls in: an ISO week (2026-W49) or a month (2026-12)."""
    if every == "weekly":
        year, week, _ = today.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{today.year}-{today.month:02d}"


def period_range(every: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The week (Monday to Sunday) or month just ended, which a delivery on ``today`` reports."""
    if every == "weekly":
        monday = today - dt.timedelta(days=today.weekday())
        return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)
    first = today.replace(day=1)
    last = first - dt.timedelta(days=1)
    return last.replace(day=1), last


class ReportSchedules:
    """Subscriptions of users to reports, and their delivery (the beat task ``anjian.report_schedules``)."""

    def __init__(self, runner: ReportRunner, notices: Any, settings: Any) -> None:
        self.runner = runner
        self.engine = runner.engine
        self.notices = notices
        self.settings = settings

    # ---- managing (the report page) ------------------------------------------------------------

    def subscribe(self, actor: Actor, name: str, args: Mapping[str, str], every: str, email: bool) -> int:
        """Subscribe ``actor`` to ``name`` with these parameters; bad input is a field error (422)."""
        report = self.runner.report(actor, name)
        errors = []
        if every not in EVERY:
            errors.append(FieldError("/every", "频率应为 weekly（每周）或 monthly（每月）", "enum"))
        clean = {k: v for k, v in args.items() if v}
        try:
            self.runner.parse(report, clean)
        except RecordValidationError as exc:
            errors.extend(exc.errors)
        if errors:
            raise RecordValidationError(name, errors)
        now = utc_now()
        with write(self.engine) as conn, conn.begin():
            if len(self.mine(actor, conn=conn)) >= MAX_SUBSCRIPTIONS:
                raise RecordValidationError(name, [FieldError("", f"每人最多订阅 {MAX_SUBSCRIPTIONS} 份报表", "limit")])
            key = period_key(every, now.astimezone(CHINA).date())
            result = conn.execute(
                insert(report_subscription).values(
                    username=actor.username,
                    report=name,
                    parameters=clean,
                    every=every,
                    email=email,
                    created_at=now,
                    last_period=key,  # the first delivery comes with the next period
                )
            )
            new_id = int(result.inserted_primary_key[0]) if result.inserted_primary_key else 0
            audit.append(conn, actor, "report_subscribe", report.source, new_id, {"report": name, "every": every, **clean})
        return new_id

    def unsubscribe(self, actor: Actor, subscription_id: int) -> None:
        """Cancel one of the caller's own subscriptions (another's is not found)."""
        s = report_subscription
        with write(self.engine) as conn, conn.begin():
            row = conn.execute(select(s).where(s.c.id == subscription_id, s.c.username == actor.username)).first()
            if row is None:
                raise NotFound(f"订阅 {subscription_id} 不存在")
            conn.execute(delete(s).where(s.c.id == subscription_id))
            known = self.runner.registry.catalog.reports.get(row.report)
            entity = known.source if known is not None else ""
            audit.append(conn, actor, "report_unsubscribe", entity, subscription_id, {"report": row.report})

    def mine(self, actor: Actor, report: str | None = None, conn: Connection | None = None) -> list[dict[str, Any]]:
        s = report_subscription
        stmt = select(s).where(s.c.username == actor.username).order_by(s.c.id)
        if report is not None:
            stmt = stmt.where(s.c.report == report)
        if conn is not None:
            return [dict(r._mapping) for r in conn.execute(stmt)]
        with self.engine.connect() as own:
            return [dict(r._mapping) for r in own.execute(stmt)]

    # ---- delivering (the worker) ---------------------------------------------------------------

    def deliver_due(self, now: dt.datetime | None = None) -> int:
        """Deliver every subscription not yet delivered for the current period; returns how many."""
        now = now or utc_now()
        today = now.astimezone(CHINA).date() if now.tzinfo else now.replace(tzinfo=dt.UTC).astimezone(CHINA).date()
        s = report_subscription
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(select(s).order_by(s.c.id))]
            users = accounts(conn, {r["username"] for r in rows})  # the subscribers only
        delivered = 0
        for row in rows:
            key = period_key(row["every"], today)
            if row["last_period"] == key:
                continue
            error = None
            try:
                self._deliver(row, users.get(row["username"]), today, now)
                delivered += 1
            except (AnjianError, OSError, smtplib.SMTPException) as exc:  # refused (no longer permitted) or mail down
                error = str(exc)[:500]
                log.warning("report subscription %s for %s not delivered: %s", row["id"], row["username"], exc)
            with write(self.engine) as conn, conn.begin():
                conn.execute(update(s).where(s.c.id == row["id"]).values(last_period=key, last_sent_at=now, last_error=error))
        return delivered

    def args_for(self, row: Mapping[str, Any], today: dt.date) -> dict[str, str]:
        """The stored parameters; the report's first date range, if not fixed, is the period just ended."""
        args = dict(row["parameters"])
        report = self.runner.registry.catalog.reports.get(row["report"])
        period = report.period if report is not None else None
        if period is not None and not args.get(f"{period.name}_from") and not args.get(f"{period.name}_to"):
            first, last = period_range(row["every"], today)
            args[f"{period.name}_from"], args[f"{period.name}_to"] = first.isoformat(), last.isoformat()
        return args

    def _deliver(self, row: Mapping[str, Any], user: UserAccount | None, today: dt.date, now: dt.datetime) -> None:
        if user is None or not user.active:
            raise NotFound(f"用户 {row['username']} 不存在或已停用")
        recipient = Actor(username=row["username"], address="worker", roles=user.roles, is_admin="Admin" in user.roles)
        result = self.runner.run(recipient, row["report"], self.args_for(row, today), today)
        title = f"{EVERY[row['every']]}报表：{result.report.title}（{period_key(row['every'], today)}）"
        lines = [f"统计范围：{result.scope}"]
        if result.totals is not None:
            lines += [f"{m.title}：{_shown(result.totals.get(m.name), m.format)}" for m in result.report.measures]
        lines.append(f"查看：/reports/{row['report']}")
        body = "\n".join(lines)
        mailed = bool(row["email"] and user.email and self.settings.smtp_host)
        if mailed:
            workbook = b"".join(xlsx_chunks(result, row["username"], now))
            self._mail(user.email, title, body, workbook, f"{row['report']}-{today.strftime('%Y%m%d')}.xlsx")
        with write(self.engine) as conn, conn.begin():
            self.notices.send(conn, [row["username"]], "report", title, body, result.report.source, None, now)
            if mailed or not row["email"]:  # sent here with its workbook, or not wanted: not again as plain text
                from ..workflow.tables import notice

                conn.execute(
                    update(notice)
                    .where(notice.c.username == row["username"], notice.c.kind == "report", notice.c.mailed.is_(False))
                    .values(mailed=True)
                )
            audit.append(
                conn, recipient, "report_delivered", result.report.source, row["id"], {"report": row["report"], "mailed": mailed}
            )

    def _mail(self, address: str, title: str, body: str, workbook: bytes, filename: str) -> None:
        s = self.settings
        message = EmailMessage()
        message["From"] = s.smtp_sender
        message["To"] = address
        message["Subject"] = title
        message.set_content(body)
        message.add_attachment(workbook, maintype=XLSX[0], subtype=XLSX[1], filename=filename)
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
            smtp.send_message(message)


def _shown(value: Any, fmt: str) -> str:
    if value is None:
        return "—"
    if fmt == "percent":
        return f"{float(value) * 100:.1f}%"
    return f"{value:,.2f}" if isinstance(value, float) else str(value)
