"""People's names for what users read (history, notices): 「县局科员」, not ``keyuan``.

Names live in the web layer's user table (Flask-AppBuilder's ``ab_user``: first and last name);
the engine reads it as a plain table so it never imports the web layer. A platform without that
table (an embedded engine, a bare test) shows login names.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Engine, select

from ..data.users import ab_user, display_name, has_users

__all__ = ["People"]


class People:
    """Display names by login name."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._known_table = False

    def _has_table(self, conn: Connection) -> bool:
        # Asked before querying: a failed query would abort the caller's transaction on PostgreSQL.
        if not self._known_table:
            self._known_table = has_users(conn)
        return self._known_table

    def names(self, conn: Connection, usernames: Iterable[str]) -> dict[str, str]:
        """``{username: display name}`` for every name asked (the login name where none is set)."""
        wanted = sorted({u for u in usernames if u})
        found = {u: u for u in wanted}
        if wanted and self._has_table(conn):
            rows = conn.execute(
                select(ab_user.c.username, ab_user.c.first_name, ab_user.c.last_name).where(ab_user.c.username.in_(wanted))
            )
            for username, first, last in rows:
                found[username] = display_name(first, last, username)
        return found

    def name(self, conn: Connection, username: str) -> str:
        return self.names(conn, [username])[username]
