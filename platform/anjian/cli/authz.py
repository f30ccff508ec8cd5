"""Commands for accounts, grants and explaining access decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

__all__ = ["authz", "grant", "user"]


def _platform() -> Any:
    from ._context import command_platform

    return command_platform(init_db=True)


def _actor() -> Any:
    from .main import _cli_actor

    return _cli_actor()


@click.group()
def user() -> None:
    """Platform accounts: user type, organisation and region (the login itself is FAB's user)."""


@user.command("add")
@click.argument("username")
@click.option(
    "--type", "user_type", required=True, type=click.Choice(["agency", "member_unit", "enterprise", "intermediary", "public"])
)
@click.option("--region", required=True, help="GB/T 2260 code of the user's organisation.")
@click.option("--org", default="", help="Organisation name.")
@click.option("--enterprise-id", type=int, default=None, help="The enterprise an enterprise user acts for.")
@click.option("--password", default=None, help="Create the login too, with this password.")
def user_add(username: str, user_type: str, region: str, org: str, enterprise_id: int | None, password: str | None) -> None:
    """Create or update an account (and its login when --password is given)."""
    platform = _platform()
    if password:
        from ..web.app import create_app

        app = create_app(platform=platform)
        with app.app_context():
            sm = app.appbuilder.sm  # type: ignore[attr-defined]  # set by AppBuilder
            if sm.find_user(username=username) is None:
                role = sm.find_role(sm.auth_role_public)
                if not sm.add_user(username, username, "", f"{username}@anjian.local", role, password=password):
                    raise click.ClickException(f"could not create the login {username}")
    platform.access.save_account(_actor(), username, user_type, region, org, enterprise_id)
    click.echo(f"account {username}: {user_type} in {region}")


@user.command("reset-mfa")
@click.argument("username")
def reset_mfa(username: str) -> None:
    """Remove a user's second factor (lost phone and recovery codes); they enrol again at next login."""
    from .. import audit
    from ..auth.mfa import MfaStore
    from ..data.db import write

    platform = _platform()
    MfaStore(platform.engine, platform.settings.mfa_issuer).reset(username)
    with write(platform.engine) as conn, conn.begin():
        audit.append(conn, _actor(), "mfa_reset", "_users", username, {})
    click.echo(f"second factor of {username} removed; they enrol again at their next login")


@click.group()
def grant() -> None:
    """Roles held in a region (and every region below it)."""


@grant.command("add")
@click.argument("username")
@click.argument("role")
@click.argument("region")
@click.option(
    "--expires",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    default=None,
    help="The grant stops working at this time (UTC).",
)
def grant_add(username: str, role: str, region: str, expires: dt.datetime | None) -> None:
    """Give USERNAME the ROLE in REGION (a GB/T 2260 code, or * for everywhere)."""
    grant_id = _platform().access.add_grant(_actor(), username, role, region, expires)
    click.echo(f"grant {grant_id}: {username} is {role} in {region}" + (f" until {expires}" if expires else ""))


@grant.command("revoke")
@click.argument("grant_id", type=int)
def grant_revoke(grant_id: int) -> None:
    """Withdraw a grant (it stops working in every process within seconds)."""
    _platform().access.revoke_grant(_actor(), grant_id)
    click.echo(f"grant {grant_id} revoked")


@grant.command("list")
@click.option("--user", "username", default=None)
def grant_list(username: str | None) -> None:
    """Grants in force."""
    for name, grants in sorted(_platform().access.grants().items()):
        if username and name != username:
            continue
        for g in grants:
            until = f" until {g.expires_at:%Y-%m-%d %H:%M}" if g.expires_at else ""
            click.echo(f"{g.id}\t{name}\t{g.role}\t{g.region}{until}")


@click.group()
def authz() -> None:
    """Access decisions."""


@authz.command("explain")
@click.option("--user", "username", required=True)
@click.option("--entity", required=True)
@click.option("--id", "record_id", type=int, default=None, help="Also decide on one record.")
def explain(username: str, entity: str, record_id: int | None) -> None:
    """Say which grants allow or deny what on ENTITY, and which filter a read applies."""
    from sqlalchemy.dialects import sqlite

    from ..audit import Actor

    platform = _platform()
    spec = platform.registry.entity(entity)
    access = platform.access
    account = access.account(username)
    actions = ("read", "create", "update", "delete", "export", "import")
    click.echo(
        f"user {username}: "
        + (
            f"{account.user_type} in {account.region}"
            + (f", enterprise #{account.enterprise_id}" if account.enterprise_id else "")
            if account
            else "no account"
        )
    )
    rows = access.explain(username, entity, actions)
    if not rows:
        click.echo("  no grants: every action is denied and reads return nothing")
    for row in rows:
        until = f" until {row['expires_at']}" if row["expires_at"] else ""
        click.echo(
            f"  grant {row['grant']}: {row['role']} in {row['region']}{until} -> "
            f"{', '.join(row['allows']) or 'nothing on ' + entity}"
        )
    actor = Actor(username=username)
    table = platform.registry.table(spec.name)
    scope = platform.access.scope(actor, spec, table)
    text = (
        "none (all records)"
        if scope is None
        else str(scope.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    )
    click.echo(f"  read filter on {entity}: {text}")
    if record_id is not None:
        with platform.engine.connect() as conn:
            try:
                record = platform.reader.fetch(conn, spec, record_id, scope)
                region = record.get(spec.scope) if spec.scope else None
                allowed = [a for a in actions if spec.scope is None or access.allowed(username, str(region), entity, a)]
                click.echo(f"  record {record_id} (region {region}): visible; allowed: {', '.join(allowed) or 'read only'}")
            except Exception:
                click.echo(f"  record {record_id}: not visible to {username} (absent or out of scope)")
