"""People's names for what users read (history, notices): 「县局科员」, not ``keyuan``.

Names live in the web layer's user table (Flask-AppBuilder's ``ab_user``: first and last name);
the engine reads it as a plain table so it never imports the web layer. A platform without that
table (an embedded engine, a bare test) shows login names.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Column, Connection, Engine, MetaData, String, Table, inspect, select

__all__ = ["People"]

_users = Table(
    "ab_user",
    MetaData(),
    Column("username", String),
    Column("first_name", String),
    Column("last_name", String),
)


class People:
    """Display names by login name."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._known_table = False

    def _has_table(self, conn: Connection) -> bool:
        # Asked before querying: a failed query would abort the caller's transaction on PostgreSQL.
        if not self._known_table:
            self._known_table = inspect(conn).has_table("ab_user")
        return self._known_table

    def names(self, conn: Connection, usernames: Iterable[str]) -> dict[str, str]:
        """``{username: display name}`` for every name asked (the login name where none is set)."""
        wanted = sorted({u for u in usernames if u})
        found = {u: u for u in wanted}
        if wanted and self._has_table(conn):
            rows = conn.execute(
                select(_users.c.username, _users.c.first_name, _users.c.last_name).where(_users.c.username.in_(wanted))
            )
            for username, first, last in rows:
                name = "".join(p for p in (first, last) if p and p.strip()).strip()
                found[username] = name or username
        return found

    def name(self, conn: Connection, username: str) -> str:
        return self.names(conn, [username])[username]
