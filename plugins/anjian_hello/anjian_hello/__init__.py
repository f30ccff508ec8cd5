"""The tutorial plugin (docs/plugins.md): one small example of every capability a plugin adds.

- declaration: supported anjian versions and a settings model (``ANJIAN_HELLO_GREETING``);
- metadata: the entity ``hello_note`` (问候留言) and its module with a menu entry to the screen;
- a named validator (``hello.no_shouting``) and a widget (``hello.badge``);
- its own table ``hello_visit`` (created by ``anjian init`` and publish);
- an API route ``GET /api/v1/hello/greeting`` and a screen ``/hello/``;
- a Celery task with a beat entry, and the command ``anjian hello greet``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from anjian.hooks import PluginInfo, hookimpl

from .routes import api, screens
from .store import TABLES, count_visits
from .widgets import badge

__all__ = [
    "HelloSettings",
    "anjian_beat_schedule",
    "anjian_blueprints",
    "anjian_celery_tasks",
    "anjian_cli_commands",
    "anjian_metadata_paths",
    "anjian_plugin",
    "anjian_tables",
    "anjian_validators",
    "anjian_widgets",
]


class HelloSettings(BaseModel):
    """Read from ``ANJIAN_HELLO_<FIELD>``; checked when the platform starts, with the engine's settings."""

    greeting: str = Field("你好", min_length=1, max_length=20, description="The word the greeting starts with.")
    tally_interval: float = Field(3600, gt=0, description="Seconds between the visit tallies (Celery beat).")


@hookimpl
def anjian_plugin() -> PluginInfo:
    return PluginInfo(title="问候（教程插件）", requires=">=0.1,<0.2", settings=HelloSettings)


@hookimpl
def anjian_metadata_paths() -> list[Path]:
    return [Path(__file__).parent / "metadata"]


def _no_shouting(value: Any, ctx: Any) -> str | None:
    text = str(value or "")
    return "请不要全部使用大写字母" if len(text) > 3 and text.isupper() else None


@hookimpl
def anjian_validators() -> Mapping[str, Any]:
    return {"hello.no_shouting": _no_shouting}


@hookimpl
def anjian_widgets() -> Mapping[str, Any]:
    return {"hello.badge": badge}


@hookimpl
def anjian_tables() -> list[Any]:
    return list(TABLES)


@hookimpl
def anjian_blueprints() -> list[Any]:
    return [api, screens]


@hookimpl
def anjian_celery_tasks(celery: Any, platform: Any) -> None:
    @celery.task(name="hello.tally")  # type: ignore[untyped-decorator]  # Celery is untyped
    def tally() -> dict[str, int]:
        """Count the visits recorded so far (the beat entry below runs it)."""
        return {"visits": count_visits(platform().engine)}


@hookimpl
def anjian_beat_schedule(settings: Mapping[str, Any]) -> Mapping[str, Any]:
    mine = settings.get("hello") or HelloSettings()
    return {"hello-tally": {"task": "hello.tally", "schedule": mine.tally_interval}}


@hookimpl
def anjian_cli_commands() -> list[Any]:
    from .commands import hello

    return [hello]
