"""The buttons a page may show: only actions the signed-in user can carry out on those records.

A button that leads to a refusal is worse than none. So a page asks once, for all its rows: the
access policy (entity-level decisions, and the update/delete scopes as SQL over the page's ids),
and the process state of each row (a locked record cannot be edited, a record that left its first
state cannot be deleted: the workflow would refuse both).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from ..audit import Actor
from ..errors import PermissionDenied
from ..meta.spec import EntitySpec
from ..runtime import Platform
from ..workflow.tables import instance

__all__ = ["Allowed", "allowed_actions", "may"]

ENTITY_ACTIONS = ("create", "update", "delete", "export")


@dataclass(frozen=True)
class Allowed:
    """What one user may do on one entity and on the records of one page."""

    entity: frozenset[str] = frozenset()
    update: frozenset[int] = field(default_factory=frozenset)
    delete: frozenset[int] = field(default_factory=frozenset)

    @property
    def create(self) -> bool:
        return "create" in self.entity

    @property
    def export(self) -> bool:
        return "export" in self.entity

    @property
    def bulk_delete(self) -> bool:
        return "delete" in self.entity

    @property
    def bulk(self) -> bool:
        """Whether the list offers row selection (some bulk action exists)."""
        return bool(self.entity & {"delete", "export"})


def may(p: Platform, actor: Actor, spec: EntitySpec, action: str) -> bool:
    """The access policy's entity-level answer, as a boolean."""
    try:
        p.access.check(actor, spec, action)
    except PermissionDenied:
        return False
    return True


def allowed_actions(p: Platform, conn: Connection, actor: Actor, spec: EntitySpec, ids: Iterable[int]) -> Allowed:
    """Entity-level actions plus the ids (of ``ids``) the user may edit and delete: a few queries per page."""
    entity = frozenset(a for a in ENTITY_ACTIONS if may(p, actor, spec, a))
    wanted = sorted(set(ids))
    table = p.registry.table(spec.name)
    rows: dict[str, frozenset[int]] = {}
    for action in ("update", "delete"):
        if action not in entity or not wanted:
            rows[action] = frozenset()
            continue
        query = select(table.c.id).where(table.c.id.in_(wanted))
        scope = p.access.scope(actor, spec, table, action)
        rows[action] = frozenset(conn.execute(query.where(scope) if scope is not None else query).scalars())
    frozen_edit, frozen_delete = _refused_by_process(p, conn, spec, rows["update"] | rows["delete"])
    return Allowed(entity, rows["update"] - frozen_edit, rows["delete"] - frozen_delete)


def _refused_by_process(p: Platform, conn: Connection, spec: EntitySpec, ids: frozenset[int]) -> tuple[set[int], set[int]]:
    """(ids the workflow would refuse to edit, ids it would refuse to delete), as ``Workflow.before_write`` decides."""
    if not ids or p.registry.catalog.process_of(spec.name) is None:
        return set(), set()
    query = select(instance.c.record_id, instance.c.process, instance.c.version, instance.c.state).where(
        instance.c.entity == spec.name, instance.c.record_id.in_(sorted(ids))
    )
    no_edit: set[int] = set()
    no_delete: set[int] = set()
    processes: dict[tuple[str, int], Any] = {}
    for row in conn.execute(query).mappings():
        key = (row["process"], row["version"])
        if key not in processes:
            processes[key] = p.workflow.process_of(conn, dict(row))
        process = processes[key]
        state = process.by_state.get(row["state"])
        locked = bool(state is not None and state.locked)
        if locked:
            no_edit.add(row["record_id"])
        if locked or row["state"] != process.start:
            no_delete.add(row["record_id"])
    return no_edit, no_delete
