"""The monitoring plugin's settings (``ANJIAN_MONITORING_<FIELD>``), checked at start."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["MonitoringSettings"]


class MonitoringSettings(BaseModel):
    offline_after: int = Field(
        300, ge=30, le=604800, description="Seconds without data before a point is 离线 (per point: offline_after)."
    )
    enterprise_offline_after: int = Field(
        600,
        ge=30,
        le=604800,
        description="Seconds without data from any point of an enterprise before it is 离线 (one alarm, not one per point).",
    )
    offline_interval: float = Field(30, gt=0, le=3600, description="Seconds between offline sweeps and rollups (Celery beat).")
    forward_interval: float = Field(
        10, gt=0, le=3600, description="Seconds between runs of the upward forwarder (when a target monitoring is set)."
    )
    future_tolerance: int = Field(300, ge=0, le=86400, description="Seconds a sample's time may lie ahead of the server's clock.")
    max_points: int = Field(20000, ge=1, le=200000, description="Most data points in one ingest batch.")
    max_body_bytes: int = Field(16 * 1024 * 1024, ge=1024, description="Largest ingest body after gzip is inflated.")
    raw_retention_days: int = Field(90, ge=30, description="Days raw samples are kept (40号令: at least 30).")
    minute_retention_days: int = Field(400, ge=1, description="Days 1-minute rollups are kept.")
    hour_retention_days: int = Field(3650, ge=1, description="Days 1-hour rollups are kept.")
