"""Business rules of complaints and reports (举报投诉).

``complaints.tracking_code``: every complaint gets a code the complainant can follow it with
without logging in. It is random (not a sequence), so codes cannot be guessed from one another,
and it never changes once given.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from anjian import hookimpl

__all__ = ["ALPHABET", "anjian_computed", "new_tracking_code"]

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone


def new_tracking_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(10))
    return f"TS{body[:5]}-{body[5:]}"


def _tracking_code(record: Mapping[str, Any], ctx: Any) -> str:
    old = ctx.old.get("tracking_code") if ctx.old else None
    return str(old) if old else new_tracking_code()


@hookimpl
def anjian_computed() -> Mapping[str, Any]:
    return {"complaints.tracking_code": _tracking_code}
