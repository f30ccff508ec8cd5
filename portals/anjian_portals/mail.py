"""E-mail from the public face (address verification, password reset) through the configured SMTP server.

Sent at once, in the request: the visitor is waiting for the message, and a failure must be
reported to them rather than queued unseen. Mail owed by an officer's step (an approval) goes
through ``anjian_portals.outbox`` instead. Without ``smtp_host`` the public face offers neither.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from anjian.config import Settings

__all__ = ["MailFailed", "mail_configured", "send_mail"]


class MailFailed(Exception):
    """The SMTP server could not be reached or refused the message."""


def mail_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def send_mail(settings: Settings, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailFailed(str(exc)) from exc
