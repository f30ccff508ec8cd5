"""The in-app message centre, with e-mail delivery and a hook for SMS or messenger plugins."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterable, Mapping
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, select, update

from ..data.db import write
from ..store.clock import utc_now
from .tables import notice

__all__ = ["NoticeCenter"]


class NoticeCenter:
    """Write notices to users; send the unsent ones by e-mail when SMTP is configured."""

    def __init__(self, engine: Engine, hooks: Any, settings: Any) -> None:
        self.engine = engine
        self.hooks = hooks
        self.settings = settings

    def send(
        self,
        conn: Connection,
        usernames: Iterable[str],
        kind: str,
        title: str,
        body: str = "",
        entity: str = "",
        record_id: int | None = None,
        now: Any = None,
    ) -> int:
        """Add one notice per user (inside the caller's transaction); returns how many."""
        rows = [
            {
                "username": name,
                "kind": kind,
                "title": title[:300],
                "body": body,
                "entity": entity,
                "record_id": record_id,
                "created_at": now or utc_now(),
                "mailed": False,
            }
            for name in sorted(set(usernames))
        ]
        if rows:
            conn.execute(insert(notice), rows)
            for row in rows:
                self.hooks.anjian_notice(notice=row, recipient={"username": row["username"]})
        return len(rows)

    def unread(self, conn: Connection, username: str) -> int:
        return int(
            conn.execute(
                select(func.count()).select_from(notice).where(notice.c.username == username, notice.c.read_at.is_(None))
            ).scalar_one()
        )

    def listing(self, conn: Connection, username: str, limit: int = 100) -> list[dict[str, Any]]:
        rows = conn.execute(select(notice).where(notice.c.username == username).order_by(notice.c.id.desc()).limit(limit))
        return [dict(r._mapping) for r in rows]

    def mark_read(self, username: str, ids: Iterable[int] | None = None) -> None:
        clause = and_(notice.c.username == username, notice.c.read_at.is_(None))
        if ids is not None:
            clause = and_(clause, notice.c.id.in_(list(ids)))
        with write(self.engine) as conn, conn.begin():
            conn.execute(update(notice).where(clause).values(read_at=utc_now()))

    def deliver_mail(self, addresses: Callable[[], Mapping[str, str]], limit: int = 500) -> int:
        """E-mail unsent notices to users with an address; returns how many were sent.

        Each notice is marked before it is sent, so a crash never sends one twice (at most once).
        """
        host = self.settings.smtp_host
        if not host:
            return 0
        with self.engine.connect() as conn:
            pending = [
                dict(r._mapping)
                for r in conn.execute(
                    select(notice)
                    .where(notice.c.mailed.is_(False), notice.c.mail_error.is_(None))
                    .order_by(notice.c.id)
                    .limit(limit)
                )
            ]
        sent = 0
        if not pending:
            return 0
        known = addresses()  # read only when there is something to send
        with smtplib.SMTP(host, self.settings.smtp_port, timeout=10) as smtp:
            if self.settings.smtp_starttls:
                smtp.starttls()
            if self.settings.smtp_user:
                smtp.login(self.settings.smtp_user, self.settings.smtp_password)
            for row in pending:
                address = known.get(row["username"])
                with write(self.engine) as conn, conn.begin():
                    conn.execute(update(notice).where(notice.c.id == row["id"]).values(mailed=True))
                if not address:
                    continue
                message = EmailMessage()
                message["From"] = self.settings.smtp_sender
                message["To"] = address
                message["Subject"] = row["title"]
                message.set_content(row["body"] or row["title"])
                try:
                    smtp.send_message(message)
                    sent += 1
                except smtplib.SMTPException as exc:
                    with write(self.engine) as conn, conn.begin():
                        conn.execute(update(notice).where(notice.c.id == row["id"]).values(mail_error=str(exc)[:500]))
        return sent
