"""Flask-AppBuilder's user tables, read as plain tables (the web layer owns and creates them).

The engine reads people's names, e-mail addresses, active flags and role names here so no lower
layer imports the web layer. A platform without these tables (an embedded engine, a bare test) has
no users yet: ``has_users`` says so before a query that would abort the caller's transaction on
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Column, Connection, Integer, MetaData, String, Table, inspect, select

__all__ = ["UserAccount", "ab_role", "ab_user", "ab_user_role", "accounts", "display_name", "has_users"]

_fab = MetaData()  # never created from here: FAB's own models create these tables
ab_user = Table(
    "ab_user",
    _fab,
    Column("id", Integer, primary_key=True),
    Column("username", String),
    Column("first_name", String),
    Column("last_name", String),
    Column("email", String),
    Column("active", Boolean),
)
ab_role = Table("ab_role", _fab, Column("id", Integer, primary_key=True), Column("name", String))
ab_user_role = Table(
    "ab_user_role",
    _fab,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer),
    Column("role_id", Integer),
)


@dataclass(frozen=True)
class UserAccount:
    """One FAB user as the engine needs it."""

    username: str
    email: str
    active: bool
    roles: tuple[str, ...]


def has_users(conn: Connection) -> bool:
    return inspect(conn).has_table("ab_user")


def display_name(first: str | None, last: str | None, username: str) -> str:
    """「县局科员」 from first and last name; the login name where none is set."""
    name = "".join(p for p in (first, last) if p and p.strip()).strip()
    return name or username


def accounts(conn: Connection, usernames: Iterable[str] | None = None) -> dict[str, UserAccount]:
    """Every user (or those named) with e-mail, active flag and sorted role names: two queries."""
    if not has_users(conn):
        return {}
    stmt = select(ab_user.c.id, ab_user.c.username, ab_user.c.email, ab_user.c.active)
    if usernames is not None:
        stmt = stmt.where(ab_user.c.username.in_(sorted(set(usernames))))
    users = {r.id: (r.username, r.email or "", bool(r.active)) for r in conn.execute(stmt)}
    roles: dict[Any, list[str]] = {}
    pairs = select(ab_user_role.c.user_id, ab_role.c.name).join(ab_role, ab_role.c.id == ab_user_role.c.role_id)
    for user_id, role in conn.execute(pairs.where(ab_user_role.c.user_id.in_(list(users)))):
        roles.setdefault(user_id, []).append(role)
    return {
        username: UserAccount(username, email, active, tuple(sorted(roles.get(user_id, ()))))
        for user_id, (username, email, active) in users.items()
    }
