"""企业在线监测联网备查: the online-monitoring plugin (docs/monitoring.md).

Enterprises' gateways send data points with an API key bound to the enterprise; the plugin
stores them in its own time-series tables with 1-minute and 1-hour rollups, raises alarms
(thresholds with deadband and minimum duration, rate of change, 故障/断电, 离线) as
``monitoring_alarm`` records whose declared process (确认 → 处置 → 闭环) the engine runs, and
shows a live panel and trend charts. Entities, roles, menus and the process are metadata
(``metadata/monitoring``); everything else arrives through the plugin hooks.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from anjian.hooks import PluginInfo, hookimpl

from .settings import MonitoringSettings
from .tables import METADATA

__all__ = [
    "MonitoringSettings",
    "anjian_beat_schedule",
    "anjian_blueprints",
    "anjian_celery_tasks",
    "anjian_cli_commands",
    "anjian_computed",
    "anjian_metadata_paths",
    "anjian_plugin",
    "anjian_tables",
    "anjian_widgets",
]


@hookimpl
def anjian_plugin() -> PluginInfo:
    return PluginInfo(
        title="企业在线监测",
        requires=">=0.1,<0.2",
        settings=MonitoringSettings,
        description="监测数据接入、报警处置闭环、离线检测、实时面板和趋势曲线",
    )


@hookimpl
def anjian_metadata_paths() -> list[Path]:
    return [Path(__file__).parent / "metadata"]


@hookimpl
def anjian_tables() -> list[Any]:
    return [METADATA]


@hookimpl
def anjian_blueprints() -> list[Any]:
    from .routes import api, screens

    return [api, screens]


@hookimpl
def anjian_widgets() -> Mapping[str, Any]:
    from .widgets import trend

    return {"monitoring.trend": trend}


@hookimpl
def anjian_celery_tasks(celery: Any, platform: Any) -> None:
    from .tasks import register

    register(celery, platform)


@hookimpl
def anjian_beat_schedule(settings: Mapping[str, Any]) -> Mapping[str, Any]:
    mine = settings.get("monitoring") or MonitoringSettings()
    return {
        "monitoring-sweep": {"task": "monitoring.sweep", "schedule": mine.offline_interval},
        "monitoring-purge": {"task": "monitoring.purge", "schedule": 6 * 3600.0},
        "monitoring-forward": {"task": "monitoring.forward", "schedule": mine.forward_interval},
    }


@hookimpl
def anjian_cli_commands() -> list[Any]:
    from .commands import monitoring

    return [monitoring]


@hookimpl
def anjian_computed() -> Mapping[str, Any]:
    from .statistics import handling_minutes

    return {"monitoring.handling_minutes": handling_minutes}
