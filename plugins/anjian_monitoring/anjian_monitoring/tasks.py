"""Background work (Celery beat): the offline sweep with the rollups, and retention per tier."""

from __future__ import annotations

from typing import Any

from anjian.store.db import write

from .alarms import sweep_offline
from .partitions import ensure_partitions
from .settings import MonitoringSettings
from .storage import SampleStore, now_ms

__all__ = ["purge", "register", "sweep"]


def _settings(platform: Any) -> MonitoringSettings:
    found: MonitoringSettings = platform.host.settings.get("monitoring") or MonitoringSettings()
    return found


def sweep(platform: Any) -> dict[str, int]:
    """Raise 离线 for silent points, then roll up what arrived since the last sweep."""
    settings = _settings(platform)
    raised = sweep_offline(platform, now_ms(), settings.offline_after, enterprise_after=settings.enterprise_offline_after)
    with write(platform.engine) as conn, conn.begin():
        buckets = SampleStore(platform.engine).roll_up(conn)
    with write(platform.engine) as conn, conn.begin():
        created = ensure_partitions(conn, now_ms(), settings.raw_retention_days)  # PostgreSQL: days ahead
    result = {"offline_alarms": len(raised), "buckets_rolled_up": buckets}
    if created:
        result["partitions_created"] = len(created)
    return result


def purge(platform: Any) -> dict[str, int]:
    settings = _settings(platform)
    with write(platform.engine) as conn, conn.begin():
        return SampleStore(platform.engine).purge(
            conn, now_ms(), settings.raw_retention_days, settings.minute_retention_days, settings.hour_retention_days
        )


def register(celery: Any, platform: Any) -> None:
    @celery.task(name="monitoring.sweep")  # type: ignore[untyped-decorator]  # Celery is untyped
    def sweep_task() -> dict[str, int]:
        return sweep(platform())

    @celery.task(name="monitoring.forward")  # type: ignore[untyped-decorator]  # Celery is untyped
    def forward_task() -> dict[str, Any]:
        from .forward import forward

        return forward(platform()).as_dict()

    @celery.task(name="monitoring.purge")  # type: ignore[untyped-decorator]  # Celery is untyped
    def purge_task() -> dict[str, int]:
        return purge(platform())
