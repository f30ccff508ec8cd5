"""init, run, serve and worker: bring up a working platform from nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import click
from werkzeug.security import check_password_hash

from ..auth.passwords import generate_password

__all__ = ["InitResult", "init", "initialise", "run", "serve", "worker"]

ADMIN = "admin"


@dataclass
class InitResult:
    version: int
    admin_password: str | None
    password_note: str
    demo_added: int


def _ensure_admin(app: Any, settings: Any) -> tuple[str | None, str]:
    """Create the first administrator; return (password to show, note)."""
    sm = app.appbuilder.sm
    admin_role = sm.find_role(sm.auth_role_admin)
    kept = settings.home / "initial_admin_password"
    user = sm.find_user(username=ADMIN)
    if user is None:
        password = settings.admin_password or generate_password()
        created = sm.add_user(ADMIN, "系统", "管理员", "admin@anjian.local", admin_role, password=password)
        if not created:
            raise click.ClickException("could not create the administrator account")
        if not settings.admin_password:
            kept.write_text(password)
            kept.chmod(0o600)
            return password, "generated; kept in " + str(kept)
        return password, "from ANJIAN_ADMIN_PASSWORD"
    if settings.admin_password:
        if not check_password_hash(user.password, settings.admin_password):
            sm.reset_password(user.id, settings.admin_password)
        return settings.admin_password, "from ANJIAN_ADMIN_PASSWORD"
    if kept.exists() and check_password_hash(user.password, kept.read_text().strip()):
        return kept.read_text().strip(), "generated at first start; kept in " + str(kept)
    return None, "unchanged (set ANJIAN_ADMIN_PASSWORD to reset it)"


def initialise(platform: Any, demo: bool = True) -> InitResult:
    """Create tables, roles and the administrator, publish metadata, load demo data (idempotent)."""
    from ..demo import load_demo_data
    from ..web.app import create_app

    platform.init_db()
    app = create_app(platform=platform)
    with app.app_context():
        app.appbuilder.sm.create_db()  # type: ignore[attr-defined]  # set by AppBuilder
        app.appbuilder.add_permissions(update_perms=True)  # type: ignore[attr-defined]  # set by AppBuilder
        password, note = _ensure_admin(app, platform.settings)
    result = platform.publish(comment="anjian init")
    added = 0
    if demo and platform.settings.demo_data:
        from ..demo_flows import load_demo_accidents, load_demo_enforcement, load_demo_flows

        added = load_demo_data(platform)
        with app.app_context():
            added += load_demo_flows(app, platform)
        with app.app_context():
            added += load_demo_accidents(app, platform)
        with app.app_context():
            added += load_demo_enforcement(app, platform)
        from ..demo_portal import load_demo_portal

        added += load_demo_portal(platform)
    return InitResult(result.version, password, note, added)


def _print_init(result: InitResult) -> None:
    click.echo(f"catalog version {result.version}; demo records added: {result.demo_added}")


@click.command()
@click.option("--no-demo", is_flag=True, help="Do not load demo data.")
def init(no_demo: bool) -> None:
    """Prepare the database: tables, roles, administrator, metadata, demo data."""
    from ..runtime import Platform

    result = initialise(Platform(), demo=not no_demo)
    _print_init(result)
    if result.admin_password:
        click.echo(f"login: {ADMIN} / {result.admin_password}  ({result.password_note})")


def _serve(platform: Any) -> None:
    import waitress

    from ..web.app import create_app

    app = create_app(platform=platform)
    waitress.serve(app, host=platform.settings.host, port=platform.settings.port, threads=8, ident="anjian", _quiet=True)


@click.command()
def serve() -> None:
    """Run the web server only (ANJIAN_HOST, ANJIAN_PORT)."""
    from ..runtime import Platform

    platform = Platform()
    click.echo(f"anjian serving on http://{platform.settings.host}:{platform.settings.port}/")
    _serve(platform)


def _worker_command(beat: bool = True) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "anjian.tasks.app:celery_app",
        "worker",
        "--pool=solo",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    return command + ["--beat", "--schedule", "var/celerybeat-schedule"] if beat else command


@click.command()
@click.option("--no-beat", is_flag=True, help="Do not run the periodic scheduler in this worker.")
def worker(no_beat: bool) -> None:
    """Run the background worker (with the scheduler unless --no-beat)."""
    os.execv(sys.executable, _worker_command(beat=not no_beat))


@click.command()
@click.option("--no-demo", is_flag=True, help="Do not load demo data.")
def run(no_demo: bool) -> None:
    """Everything at once: init, background worker, web server; prints URL and login."""
    from ..config import load_settings
    from ..runtime import Platform

    # `anjian run` is the try-it-out command: unless ANJIAN_MFA_ADMIN says otherwise, the printed
    # administrator login works without an authenticator app. `anjian serve` keeps the default (on).
    demo_mfa = "ANJIAN_MFA_ADMIN" not in os.environ
    platform = Platform(load_settings(mfa_admin=False) if demo_mfa else None)
    result = initialise(platform, demo=not no_demo)
    _print_init(result)
    platform.settings.home.mkdir(parents=True, exist_ok=True)
    log = open(platform.settings.home / "worker.log", "ab")  # noqa: SIM115 (lives as long as the worker)
    command = _worker_command()
    command[command.index("var/celerybeat-schedule")] = str(platform.settings.home / "celerybeat-schedule")
    background = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://{platform.settings.host}:{platform.settings.port}/"
    click.echo("")
    click.echo("  anjian is running")
    click.echo(f"  URL:    {url}")
    click.echo(f"  API:    {url}api/v1/docs")
    if result.admin_password:
        click.echo(f"  login:  {ADMIN} / {result.admin_password}")
    else:
        click.echo(f"  login:  {ADMIN} / (password {result.password_note})")
    if platform.settings.demo_data and not no_demo:
        from ..demo_flows import DEMO_USERS, demo_password

        people = ", ".join(f"{u} ({d[0]})" for u, d in DEMO_USERS.items())
        click.echo(f"  demo:   {people}; password {demo_password(platform.settings.home)}")
    if demo_mfa:
        click.echo("  MFA:    off for admin in `anjian run` (ANJIAN_MFA_ADMIN=true turns it on; `anjian serve` has it on)")
    click.echo(f"  worker: pid {background.pid}, log {platform.settings.home / 'worker.log'}")
    click.echo("  stop with Ctrl-C")

    def _stop(*_args: Any) -> None:
        background.terminate()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    try:
        _serve(platform)
    except KeyboardInterrupt:
        pass
    finally:
        background.terminate()
        try:
            background.wait(timeout=10)
        except subprocess.TimeoutExpired:
            background.kill()
