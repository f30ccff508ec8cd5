"""Single-use, expiring tokens sent by e-mail (verify an address, reset a password).

The token itself goes only into the e-mail; the database keeps its SHA-256, so a copy of the
database opens no account. ``redeem`` marks the token used in the same write transaction that
finds it, so a link followed twice (or by two processes at once) works once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, insert, select, update

from anjian.store.clock import utc_now
from anjian.store.db import write

from .tables import ensure_tables, portal_token

__all__ = ["issue", "peek", "redeem"]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(engine: Engine, purpose: str, email: str, payload: Mapping[str, Any], lifetime: dt.timedelta) -> str:
    """A new token for ``purpose`` (256 random bits, URL-safe); only its digest is stored."""
    ensure_tables(engine)
    token = secrets.token_urlsafe(32)
    now = utc_now()
    with write(engine) as conn, conn.begin():
        conn.execute(
            insert(portal_token).values(
                digest=_digest(token),
                purpose=purpose,
                email=email,
                payload=json.dumps(dict(payload), ensure_ascii=False),
                created_at=now,
                expires_at=now + lifetime,
            )
        )
    return token


def _live(purpose: str, token: str) -> Any:
    return (
        portal_token.c.digest == _digest(token),
        portal_token.c.purpose == purpose,
        portal_token.c.used_at.is_(None),
        portal_token.c.expires_at > utc_now(),
    )


def peek(engine: Engine, purpose: str, token: str) -> tuple[str, dict[str, Any]] | None:
    """The e-mail address and payload of a live token, leaving it unused (to show a form first)."""
    ensure_tables(engine)
    with engine.connect() as conn:
        row = conn.execute(select(portal_token).where(*_live(purpose, token))).first()
    return None if row is None else (row.email, json.loads(row.payload))


def redeem(engine: Engine, purpose: str, token: str) -> tuple[str, dict[str, Any]] | None:
    """Use a live token: its e-mail address and payload, or None (unknown, expired or used)."""
    ensure_tables(engine)
    with write(engine) as conn, conn.begin():
        row = conn.execute(select(portal_token).where(*_live(purpose, token))).first()
        if row is None:
            return None
        conn.execute(update(portal_token).where(portal_token.c.id == row.id).values(used_at=utc_now()))
    return row.email, json.loads(row.payload)
