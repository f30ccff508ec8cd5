"""``anjian exchange list|target|send|package``: data exchange with other deployments (docs/exchange.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

__all__ = ["exchange"]


def _fail(text: str) -> NoReturn:
    click.echo(text, err=True)
    sys.exit(1)


@click.group()
def exchange() -> None:
    """Data exchange (数据共享交换): upward to the upper deployment, sideways packages for member units."""


@exchange.command("list")
def list_() -> None:
    """The resource directory: each exchange, where it goes, and what was sent and acknowledged."""
    from ..exchange import resource_directory
    from .main import _platform

    platform = _platform()
    platform.init_db()
    entries = resource_directory(platform)
    if not entries:
        click.echo("no exchanges declared (add *.exchange.json declarations and publish them)")
    for e in entries:
        last = e["last_run_at"][:19] if e["last_run_at"] else "never"
        click.echo(
            f"{e['exchange']}\t{e['direction']} -> {e['target']}\t{e['entity']}\t"
            f"sent {e['sent']}, acknowledged {e['acknowledged']}\tlast run {last}\t{e['title']}"
        )


@exchange.command("target")
@click.argument("name")
@click.option("--url", required=True, help="The upper deployment's API, e.g. https://city.example/api/v1.")
@click.option("--key", prompt=True, hide_input=True, help="The API key the upper deployment issued (asked for when not given).")
def target(name: str, url: str, key: str) -> None:
    """Set where an upward exchange's target delivers, and the API key it uses (asked for, never echoed)."""
    from ..exchange import ExchangeError, set_target
    from .main import _cli_actor, _platform

    platform = _platform()
    platform.init_db()
    try:
        set_target(platform.engine, name, url, key.strip(), _cli_actor())
    except ExchangeError as error:
        _fail(str(error))
    click.echo(f"target {name}: {url}")


@exchange.command("send")
@click.argument("name")
def send(name: str) -> None:
    """Send the pending records of an upward exchange now (what is not acknowledged goes again next time)."""
    from ..exchange import ExchangeError
    from ..exchange import send as send_exchange
    from .main import _cli_actor, _platform

    platform = _platform()
    platform.init_db()
    try:
        report = send_exchange(platform, name, _cli_actor())
    except ExchangeError as error:
        _fail(f"nothing sent: {error}")
    click.echo(
        f"{name}: {report.sent} sent in {report.batches} batch(es), {report.accepted} accepted, "
        f"{report.duplicates} already held by the receiver, {report.pending} pending"
    )
    if report.failed:
        _fail(f"delivery stopped: {report.failed} (the pending records go again on the next run)")


@exchange.command("package")
@click.argument("name")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None, help="Default: HOME/exchange.")
def package(name: str, output: Path | None) -> None:
    """Write a package of a sideways exchange (data file and manifest) for its member unit."""
    from ..exchange import ExchangeError, make_package
    from .main import _cli_actor, _platform

    platform = _platform()
    platform.init_db()
    try:
        made = make_package(platform, name, output or platform.settings.home / "exchange", _cli_actor())
    except ExchangeError as error:
        _fail(f"no package written: {error}")
    click.echo(f"{made.folder}: {made.records} record(s) in {made.data_file}, manifest.json")
