"""A command: ``anjian hello greet NAME`` (hook ``anjian_cli_commands``)."""

from __future__ import annotations

import click

__all__ = ["hello"]


@click.group()
def hello() -> None:
    """The tutorial plugin's commands."""


@hello.command()
@click.argument("name")
def greet(name: str) -> None:
    """Print the configured greeting (ANJIAN_HELLO_GREETING) for NAME."""
    from anjian.config import load_settings
    from anjian.hooks import PluginHost

    settings = load_settings()
    host = PluginHost(settings.plugins, values=settings.plugin_values)
    click.echo(f"{host.settings['hello'].greeting}，{name}！")
