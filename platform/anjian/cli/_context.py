"""What every command shares: a Platform whose connections close when the command ends."""

from __future__ import annotations

from typing import Any

import click

__all__ = ["command_platform"]


def command_platform(init_db: bool = False) -> Any:
    """A Platform for this command; disposed when the command ends (tests run many in one process)."""
    from ..runtime import Platform

    platform = Platform()
    if init_db:
        platform.init_db()
    context = click.get_current_context(silent=True)
    if context is not None:
        context.call_on_close(platform.dispose)
    return platform
