"""``anjian apikey create|list|revoke``: API keys for machine clients (monitoring gateways, ...)."""

from __future__ import annotations

import datetime as dt

import click

__all__ = ["apikey"]


@click.group()
def apikey() -> None:
    """API keys: act as a user, limited to entity:action scopes; shown once, stored hashed."""


def _record(platform: object, action: str, key_id: str, detail: dict[str, object]) -> None:
    from .. import audit
    from ..data.db import write
    from .main import _cli_actor

    with write(platform.engine) as conn, conn.begin():  # type: ignore[attr-defined]
        audit.append(conn, _cli_actor(), action, "_api_keys", key_id, detail)


@apikey.command("create")
@click.option("--user", "username", required=True, help="The user the key acts as (its grants and region apply).")
@click.option("--name", required=True, help="What the key is for, e.g. 'gateway-350524'.")
@click.option(
    "--scope", "scopes", multiple=True, required=True, help="entity:action, e.g. enterprise:read (* for any); repeatable."
)
@click.option("--expires", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]), default=None, help="Stops working then (UTC).")
def create(username: str, name: str, scopes: tuple[str, ...], expires: dt.datetime | None) -> None:
    """Create a key and print it once (it cannot be shown again)."""
    from ..auth.apikeys import ApiKeys
    from .authz import _platform

    platform = _platform()
    from ..web.app import create_app

    app = create_app(platform=platform)
    with app.app_context():
        user = app.appbuilder.sm.find_user(username=username)  # type: ignore[attr-defined]  # set by AppBuilder
        if user is None or not user.is_active:
            raise click.ClickException(f"no active user {username!r} (create it with `anjian user add ... --password`)")
    key, secret = ApiKeys(platform.engine).create(username, name, list(scopes), "cli", expires)
    _record(
        platform,
        "apikey_created",
        key.key_id,
        {"user": username, "name": key.name, "scopes": list(key.scopes), "expires_at": expires},
    )
    click.echo(
        f"key {key.key_id} for {username}: {', '.join(key.scopes)}" + (f" until {expires:%Y-%m-%d %H:%M}" if expires else "")
    )
    click.echo(secret)
    click.echo("Keep it now: it is shown only once. Send it as 'Authorization: ApiKey <key>' or 'X-API-Key: <key>'.", err=True)


@apikey.command("list")
@click.option("--user", "username", default=None)
def list_keys(username: str | None) -> None:
    """Keys with their id, user, scopes and state (never the secret)."""
    from ..auth.apikeys import ApiKeys
    from .authz import _platform

    for key in ApiKeys(_platform().engine).list(username):
        state = "revoked" if key.revoked_at else ("active" if key.active else "expired")
        until = f" until {key.expires_at:%Y-%m-%d %H:%M}" if key.expires_at else ""
        used = f" last used {key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else ""
        click.echo(f"{key.key_id}\t{key.username}\t{key.name}\t{','.join(key.scopes)}\t{state}{until}{used}")


@apikey.command("revoke")
@click.argument("key_id")
def revoke(key_id: str) -> None:
    """Revoke a key (it stops working at once)."""
    from ..auth.apikeys import ApiKeys
    from .authz import _platform

    platform = _platform()
    key = ApiKeys(platform.engine).revoke(key_id.strip())
    _record(platform, "apikey_revoked", key.key_id, {"user": key.username, "name": key.name})
    click.echo(f"key {key.key_id} revoked")
