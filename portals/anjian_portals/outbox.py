"""Mail owed by a workflow step (the activation link of an approved enterprise account request).

The step's transaction writes an outbox row (``ActivationOutbox``, a record-service listener told
of the step's write), so a rolled-back approval owes nothing and a committed one cannot lose its
mail; ``deliver`` sends the rows after the commit (the web process, once the officer's answer is
out) and again, if the SMTP server failed, when a web process next looks for owed mail (at most
every minute, on any request) — up to ``MAX_ATTEMPTS`` times. A row is claimed before sending,
so two processes never send it together; a claim older than ``CLAIM_MINUTES`` is taken again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, Engine, insert, or_, select, update

from anjian.audit import Actor
from anjian.data.records import RecordListener
from anjian.errors import NotFound
from anjian.meta.spec import EntitySpec
from anjian.runtime import Platform
from anjian.store.clock import utc_now
from anjian.store.db import write

from .mail import MailFailed, mail_configured, send_mail
from .tables import ensure_tables, portal_outbox
from .tokens import issue

__all__ = ["ACTIVATE", "CLAIM_MINUTES", "MAX_ATTEMPTS", "ActivationOutbox", "activation_mail", "deliver", "owed"]

ACTIVATE = "enterprise"  # token purpose and outbox kind of an enterprise account's activation
CLAIM_MINUTES = 10
MAX_ATTEMPTS = 5


def activation_mail(portal_title: str, record: Mapping[str, Any], link: str, minutes: int) -> tuple[str, str]:
    """(subject, body) of the mail that lets the applicant choose a password."""
    return (
        f"{portal_title}：开通企业账号",
        f"{record.get('applicant_name', '')}，您好：\n\n{record.get('enterprise_name', '')}的企业账号申请已批准。"
        f"请在 {minutes} 分钟内打开以下链接设置密码、开通账号（链接只能使用一次）：\n{link}\n\n登录名为本邮箱地址。"
        "链接过期后，可凭查询码在进度查询页重新获取。",
    )


class ActivationOutbox(RecordListener):
    """Writes the activation mail's outbox row in the transaction of the step that approves a request."""

    def __init__(self, platform: Platform, on_owed: Callable[[], None] = lambda: None) -> None:
        self.platform = platform
        self.on_owed = on_owed  # tells the web process to deliver after its answer
        ensure_tables(platform.engine)  # never inside a write transaction (SQLite would wait on itself)

    def before_write(
        self,
        conn: Connection,
        spec: EntitySpec,
        old: Mapping[str, Any] | None,
        record: Mapping[str, Any] | None,
        actor: Actor,
        action: str,
        step: Any = None,
    ) -> None:
        if step is None or record is None or old is None:
            return
        portal = self.platform.registry.catalog.portal_of("public")
        settings = portal.accounts.get("enterprise") if portal is not None else None
        form = portal.form(settings["form"]) if portal is not None and settings else None
        if settings is None or form is None or form.entity != spec.name or getattr(step, "to", "") != settings["state"]:
            return
        email = str(record.get(settings["email"]) or "").strip().lower()
        if not email:
            return
        conn.execute(
            insert(portal_outbox).values(
                kind=ACTIVATE, email=email, payload=json.dumps({"id": old["id"]}), created_at=utc_now(), attempts=0
            )
        )
        self.on_owed()


def _sendable(now: dt.datetime) -> tuple[Any, ...]:
    stale = now - dt.timedelta(minutes=CLAIM_MINUTES)
    return (
        portal_outbox.c.sent_at.is_(None),
        portal_outbox.c.attempts < MAX_ATTEMPTS,
        or_(portal_outbox.c.claimed_at.is_(None), portal_outbox.c.claimed_at < stale),
    )


def owed(engine: Engine) -> bool:
    """Whether some mail is still to be sent (one indexed read: cheap enough for a periodic check)."""
    ensure_tables(engine)
    with engine.connect() as conn:
        return conn.execute(select(portal_outbox.c.id).where(*_sendable(utc_now())).limit(1)).first() is not None


def _claim(engine: Engine, limit: int) -> list[Any]:
    now = utc_now()
    claimed = []
    with write(engine) as conn, conn.begin():
        rows = conn.execute(select(portal_outbox).where(*_sendable(now)).order_by(portal_outbox.c.id).limit(limit)).all()
        for row in rows:
            conn.execute(update(portal_outbox).where(portal_outbox.c.id == row.id).values(claimed_at=now))
            claimed.append(row)
    return claimed


def deliver(platform: Platform, link_for: Callable[[str], str], minutes: int, limit: int = 20) -> int:
    """Send the owed activation mails (``link_for(token)`` makes the link); returns how many were sent."""
    settings = platform.settings
    if not mail_configured(settings):
        return 0
    ensure_tables(platform.engine)
    portal = platform.registry.catalog.portal_of("public")
    if portal is None or not portal.accounts.get("enterprise"):
        return 0
    form = portal.form(portal.accounts["enterprise"]["form"])
    if form is None:
        return 0
    spec = platform.registry.entity(form.entity)
    sent = 0
    for row in _claim(platform.engine, limit):
        try:
            with platform.engine.connect() as conn:
                record = platform.reader.fetch(conn, spec, int(json.loads(row.payload)["id"]))
        except NotFound:  # the request was deleted since: nothing is owed any more
            with write(platform.engine) as conn, conn.begin():
                conn.execute(update(portal_outbox).where(portal_outbox.c.id == row.id).values(last_error="record deleted"))
            continue
        token = issue(platform.engine, ACTIVATE, row.email, {"id": record["id"]}, dt.timedelta(minutes=minutes))
        subject, body = activation_mail(portal.title, record, link_for(token), minutes)
        try:
            send_mail(settings, row.email, subject, body)
            values: dict[str, Any] = {"sent_at": utc_now()}
            sent += 1
        except MailFailed as exc:
            values = {"claimed_at": None, "attempts": row.attempts + 1, "last_error": str(exc)[:500]}
        with write(platform.engine) as conn, conn.begin():
            conn.execute(update(portal_outbox).where(portal_outbox.c.id == row.id).values(**values))
    return sent
