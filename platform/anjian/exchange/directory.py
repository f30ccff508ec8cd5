"""The resource directory (信息资源目录): every declared exchange with its metadata and its state.

Served at ``GET /api/v1/catalog``. Each entry names the resource (title, code, provider, share
and open type, update cycle), the entity and the fields it carries (信息项) with their titles and
types, the filter, the direction and the recipient, and, for this deployment, when it last ran
and how many record versions were sent and acknowledged.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from .tables import ensure_tables, exchange_run, exchange_sent

__all__ = ["resource_directory"]


def _state(platform: Any) -> tuple[dict[str, Any], dict[str, tuple[int, int]]]:
    ensure_tables(platform.engine)
    with platform.engine.connect() as conn:
        runs = {r.exchange: r for r in conn.execute(select(exchange_run))}
        counts = conn.execute(
            select(exchange_sent.c.exchange, func.count(), func.count(exchange_sent.c.acked_at)).group_by(
                exchange_sent.c.exchange
            )
        )
        sent = {row[0]: (int(row[1]), int(row[2])) for row in counts}
    return runs, sent


def resource_directory(platform: Any) -> list[dict[str, Any]]:
    """The directory's entries, by exchange name."""
    registry = platform.registry
    runs, sent = _state(platform)
    entries = []
    for name, spec in sorted(registry.catalog.exchanges.items()):
        entity = registry.catalog.entities[spec.entity]
        run = runs.get(name)
        entries.append(
            {
                "exchange": name,
                "title": spec.title,
                "description": spec.description,
                **{key: spec.directory.get(key, "") for key in ("code", "provider", "share_type", "open_type", "update_cycle")},
                "entity": entity.name,
                "entity_title": entity.title,
                "fields": [
                    {"name": f.name, "title": f.title, "type": f.type, "description": f.description}
                    for f in (entity.by_name[n] for n in spec.fields)
                ],
                "filter": {k: list(v) for k, v in spec.filter.items()},
                "direction": spec.direction,
                "target": spec.target,
                "format": spec.format if spec.direction == "sideways" else "json",
                "every_minutes": spec.every_minutes,
                "last_run_at": run.last_run_at.isoformat() if run else None,
                "last_result": json.loads(run.last_result) if run and run.last_result else None,
                "sent": sent.get(name, (0, 0))[0],
                "acknowledged": sent.get(name, (0, 0))[1],
            }
        )
    return entries
