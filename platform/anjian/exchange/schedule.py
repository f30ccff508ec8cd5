"""The beat's part: run every exchange whose schedule (``every_minutes``) has come round."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select

from ..audit import Actor
from ..store.clock import utc_now
from ..store.db import write
from .outbox import DeliveryFailed, ExchangeError, Transport, http_transport, send
from .package import make_package
from .tables import ensure_tables, exchange_run

__all__ = ["run_due"]


def _due(platform: Any) -> list[str]:
    ensure_tables(platform.engine)
    with platform.engine.connect() as conn:
        last = {r.exchange: r.last_run_at for r in conn.execute(select(exchange_run))}
    now = utc_now().replace(tzinfo=None)
    due = []
    for name, spec in sorted(platform.registry.catalog.exchanges.items()):
        if spec.every_minutes is None:
            continue
        previous = last.get(name)
        if previous is None or now - previous.replace(tzinfo=None) >= dt.timedelta(minutes=spec.every_minutes):
            due.append(name)
    return due


def _note(platform: Any, name: str, result: dict[str, Any]) -> None:
    with write(platform.engine) as conn, conn.begin():
        conn.execute(delete(exchange_run).where(exchange_run.c.exchange == name))
        conn.execute(
            insert(exchange_run).values(exchange=name, last_run_at=utc_now(), last_result=json.dumps(result, ensure_ascii=False))
        )


def run_due(platform: Any, actor: Actor, package_root: Path, transport: Transport = http_transport) -> dict[str, Any]:
    """Send or package every exchange that is due; one failing exchange does not stop the others."""
    results: dict[str, Any] = {}
    for name in _due(platform):
        spec = platform.registry.catalog.exchanges[name]
        try:
            if spec.direction == "upward":
                results[name] = send(platform, name, actor, transport).as_dict()
            else:
                package = make_package(platform, name, package_root, actor)
                results[name] = {"folder": str(package.folder), "records": package.records}
                _note(platform, name, results[name])
        except (ExchangeError, DeliveryFailed) as error:
            results[name] = {"failed": str(error)}
            _note(platform, name, results[name])
    return results
