"""Commands: init, run, serve, worker, check, publish, import, export, audit verify/purge."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from ..audit import Actor
from ..error_messages import headline
from ..errors import AnjianError, ConfigError, MetadataErrors, SchemaChangeRefused
from ..messages import DEFAULT_LANGUAGE, message, use_language

__all__ = ["add_plugin_commands", "cli", "main", "render_error"]


def _platform() -> Any:
    from ._context import command_platform

    return command_platform()


def _cli_actor() -> Actor:
    return Actor(username=f"cli:{getpass.getuser()}", address="local", roles=("Admin",), is_admin=True)


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """anjian (安监): low-code platform for work-safety agencies."""
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check(paths: tuple[Path, ...]) -> None:
    """Validate declarations (default: the configured metadata folders); list every problem."""
    platform = _platform()
    errors = platform.check(list(paths) or None)
    for error in errors:
        click.echo(error.render())
    if errors:
        files = len({e.path for e in errors})
        _fail(f"{len(errors)} problem(s) in {files} file(s).")
    click.echo("all declarations are valid.")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--confirm-destructive", is_flag=True, help="Apply changes that lose data (after exporting it).")
@click.option("--dry-run", is_flag=True, help="Show the plan; change nothing.")
@click.option("--comment", default="", help="Note kept with the version.")
def publish(paths: tuple[Path, ...], confirm_destructive: bool, dry_run: bool, comment: str) -> None:
    """Validate, plan, apply and bump the catalog version; live in every process within a second."""
    platform = _platform()
    platform.init_db()
    try:
        result = platform.publish(
            list(paths) or None, actor=_cli_actor(), confirm_destructive=confirm_destructive, dry_run=dry_run, comment=comment
        )
    except MetadataErrors as exc:
        for error in exc.errors:
            click.echo(error.render())
        _fail(f"nothing published: {len(exc.errors)} problem(s).")
    except SchemaChangeRefused as exc:
        click.echo(exc.plan.render())
        _fail(f"nothing published: {exc}", 3)
    click.echo(result.plan.render())
    if result.dry_run:
        click.echo(f"dry run: nothing changed (catalog version stays {result.version}).")
    elif result.changed or result.plan.actions:
        click.echo(f"published catalog version {result.version} ({len(result.changed)} document(s) changed).")
    else:
        click.echo(f"nothing to publish: catalog version {result.version} is up to date.")


@cli.command("import")
@click.argument("entity")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows, report the others.")
def import_(entity: str, file: Path, skip_invalid: bool) -> None:
    """Import a CSV or XLSX file through the record service (all-or-nothing by default)."""
    from ..data.transfer import import_records, read_rows

    platform = _platform()
    total = _count_rows(file)
    with click.progressbar(length=total, label=f"checking {file.name}", file=sys.stderr) as bar:
        report = import_records(
            platform.records,
            entity,
            read_rows(file),
            _cli_actor(),
            source=str(file),
            skip_invalid=skip_invalid,
            progress=bar.update,
            writing=lambda n: click.echo(f"\nchecked; writing {n} valid row(s)...", err=True),
        )
    for error in report.errors[:100]:
        click.echo(f"row {error.row} {error.pointer or '/'}: {error.message}")
    if len(report.errors) > 100:
        click.echo(f"... and {len(report.errors) - 100} more problems")
    if not report.committed:
        _fail(f"nothing imported: {len({e.row for e in report.errors})} row(s) have problems (fix them, or use --skip-invalid).")
    click.echo(f"imported {report.created} of {report.rows} row(s) into {entity}; skipped {report.skipped}.")


def _count_rows(file: Path) -> int:
    if file.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(file, read_only=True)
        rows = book.worksheets[0].max_row or 1
        book.close()
        return max(rows - 1, 0)
    with open(file, "rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


@cli.command()
@click.argument("entity")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--filter", "filters", multiple=True, help="field=value (repeatable; declared filter fields).")
@click.option("--search", default="", help="Text to look for in the search fields.")
def export(entity: str, fmt: str, output: Path, filters: tuple[str, ...], search: str) -> None:
    """Export records (filters as in the API) to CSV or XLSX."""
    from ..data.query import ListQuery
    from ..data.transfer import export_records

    platform = _platform()
    spec = platform.registry.entity(entity)
    args = dict(f.split("=", 1) for f in filters if "=" in f)
    if search:
        args["q"] = search
    query = ListQuery.parse(spec, args)
    with open(output, "wb") as handle:
        count = export_records(platform.records, entity, query, fmt, handle, _cli_actor())
    click.echo(f"exported {count} record(s) to {output}")


@cli.group()
def audit() -> None:
    """The audit log."""


@audit.command()
@click.option(
    "--anchor",
    "anchors",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A copy of an anchor kept elsewhere (backup, upper-level deployment); repeatable.",
)
def verify(anchors: tuple[Path, ...]) -> None:
    """Walk the keyed hash chain against its anchors; report the first entry altered or removed."""
    from ..audit import AnchorInvalid, latest_checkpoint, read_anchor, seal_of
    from ..audit import verify as verify_chain

    platform = _platform()
    platform.init_db()
    with platform.engine.connect() as conn:
        seal = seal_of(conn)
        try:
            copies = [a for a in (read_anchor(path, seal) for path in anchors if seal) if a is not None]
        except AnchorInvalid as error:
            _fail(f"audit chain cannot be checked: {error}")
        count, fault = verify_chain(conn, anchors=copies)
        checkpoint = latest_checkpoint(conn)
    since = ""
    if checkpoint:
        since = f" (from checkpoint {checkpoint.id}: entries up to {checkpoint.last_id} purged {checkpoint.purged_at:%Y-%m-%d})"
    if fault:
        _fail(f"audit chain broken after {count} good entries{since}: {fault}")
    click.echo(f"audit chain intact: {count} entries{since}.")


@audit.command()
def anchor() -> None:
    """Check the entries since the last anchor, anchor the head, and print the anchor (to keep a copy)."""
    from ..audit import advance_anchor, read_anchor, seal_of

    platform = _platform()
    platform.init_db()
    with platform.engine.connect() as conn:
        _checked, fault = advance_anchor(conn)
        seal = seal_of(conn)
    if fault:
        _fail(f"audit chain broken: {fault}; the anchor was not moved (run anjian audit verify)")
    current = read_anchor(seal.anchor, seal) if seal and seal.anchor else None
    if seal is None or current is None:
        _fail("the audit log is empty: nothing to anchor yet")
    click.echo(current.as_json(seal))


@audit.command()
@click.option("--dry-run", is_flag=True, help="Count the entries that are due; delete nothing.")
def purge(dry_run: bool) -> None:
    """Delete entries older than ANJIAN_AUDIT_RETENTION_DAYS, keeping the chain verifiable."""
    from ..audit.retention import purge as purge_log

    platform = _platform()
    platform.init_db()
    days = platform.settings.audit_retention_days
    result = purge_log(platform.engine, _cli_actor(), days, dry_run=dry_run)
    cutoff = f"{result.cutoff:%Y-%m-%d %H:%M} UTC"
    if result.dry_run:
        click.echo(f"dry run: {result.purged} entries written before {cutoff} ({days} days) would be purged.")
    elif result.purged:
        click.echo(f"purged {result.purged} entries written before {cutoff}; checkpoint {result.checkpoint}.")
    else:
        click.echo(f"nothing to purge: no entry is older than {days} days.")


from .apikey import apikey  # noqa: E402
from .authz import authz, grant, user  # noqa: E402
from .backup import backup  # noqa: E402
from .exchange import exchange  # noqa: E402
from .server import init, run, serve, worker  # noqa: E402

cli.add_command(init)
cli.add_command(run)
cli.add_command(serve)
cli.add_command(worker)
cli.add_command(user)
cli.add_command(grant)
cli.add_command(authz)
cli.add_command(apikey)
cli.add_command(backup)
cli.add_command(exchange)


def add_plugin_commands(group: click.Group = cli) -> list[str]:
    """Add the enabled plugins' commands (hook ``anjian_cli_commands``) to ``group``; a plugin may
    not replace one of the engine's commands."""
    from ..config import load_settings
    from ..errors import PluginError
    from ..hooks import PluginHost

    settings = load_settings()
    added = []
    for command in PluginHost(settings.plugins, values=settings.plugin_values).cli_commands():
        existing = group.commands.get(command.name or "")
        if existing is not None and existing is not command:
            raise PluginError(command.name or "?", "a plugin command has the name of an existing anjian command; rename it.")
        group.add_command(command)
        added.append(command.name)
    return added


def render_error(exc: AnjianError) -> str:
    """An anticipated error as the CLI prints it: the catalogue's headline, then each problem on a line."""
    if isinstance(exc, ConfigError):
        return f"{message('error.cli.config')}:\n{exc}"
    lines = [getattr(e, "render", lambda e=e: f"{e.pointer or '/'}: {e.message}")() for e in getattr(exc, "errors", [])]
    count = len(lines) or 1
    head = f"{message('error.cli.prefix')}: {headline(exc.code, count=count)}"
    return "\n".join([head, *lines]) if lines else f"{head}: {exc}"


def main() -> None:
    """Entry point: every anticipated error is one clear message (ANJIAN_LANGUAGE: zh_CN or en), never a traceback."""
    debug = "--debug" in sys.argv
    with use_language(os.environ.get("ANJIAN_LANGUAGE") or DEFAULT_LANGUAGE):
        try:
            add_plugin_commands()
            cli.main(standalone_mode=False)
        except click.exceptions.Abort:
            _fail(message("error.cli.aborted"), 130)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except ConfigError as exc:
            _fail(render_error(exc), 2)
        except AnjianError as exc:
            _fail(render_error(exc), 1)
        except Exception as exc:  # unexpected: one line, details on request
            if debug:
                raise
            _fail(message("error.cli.internal", name=exc.__class__.__name__, detail=exc), 70)
