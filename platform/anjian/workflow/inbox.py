"""The inbox: 待办 (what I may act on now), 已办 (what I acted on), 我发起的 (what I started).

Every box is a SQL query joined with the entity's table and filtered by the caller's scope for
the transitions of each state, so a record shows up only where its user may really act on it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, false, func, or_, select

from ..audit import Actor
from .engine import Workflow
from .tables import deadline, history, instance

__all__ = ["BOXES", "Inbox"]

BOXES = {"todo": "待办", "done": "已办", "started": "我发起的"}


class Inbox:
    def __init__(self, workflow: Workflow) -> None:
        self.workflow = workflow

    def _todo_clause(self, actor: Actor, entity: Any, table: Any, process: Any) -> ColumnElement[bool]:
        """Records in a state with a step that is ``actor``'s, by the one rule (``Eligibility.act_clause``)."""
        who = self.workflow.who
        per_state = []
        for state in process.states:
            if state.end:
                continue
            scopes = [who.act_clause(actor, entity, table, t) for t in process.leaving(state.name)]
            if scopes:
                per_state.append(and_(instance.c.state == state.name, or_(*scopes)))
        return or_(*per_state) if per_state else false()

    def _query(self, actor: Actor, box: str, entity: Any, process: Any) -> Select[Any] | None:
        registry = self.workflow.registry
        table = registry.table(entity.name)
        due = (
            select(func.min(deadline.c.due_at))
            .where(
                deadline.c.entity == entity.name,
                deadline.c.record_id == instance.c.record_id,
                deadline.c.status == "open",  # paused clocks are stopped: neither due nor overdue
            )
            .scalar_subquery()
        )
        title = table.c[entity.title_field] if entity.title_field else table.c.id
        query = (
            select(
                instance.c.record_id,
                instance.c.state,
                instance.c.state_since,
                instance.c.version,
                instance.c.started_at,
                instance.c.ended_at,
                title.label("label"),
                due.label("due_at"),
            )
            .select_from(instance.join(table, table.c.id == instance.c.record_id))
            .where(instance.c.entity == entity.name)
        )
        if box == "todo":
            return query.where(instance.c.ended_at.is_(None), self._todo_clause(actor, entity, table, process))
        read = self.workflow.access.scope(actor, entity, table)
        if read is not None:
            query = query.where(read)
        if box == "started":
            return query.where(instance.c.started_by == actor.username)
        acted = select(history.c.record_id).where(
            history.c.entity == entity.name, history.c.actor == actor.username, history.c.transition.not_like("\\_%", escape="\\")
        )
        return query.where(instance.c.record_id.in_(acted))

    def _entities(self, actor: Actor, only: str | None) -> list[tuple[Any, Any]]:
        registry = self.workflow.registry
        pairs = []
        for process in registry.catalog.processes.values():
            if only and process.entity != only:
                continue
            entity = registry.catalog.entities.get(process.entity)
            if entity is None:
                continue
            if not actor.is_admin and not self.workflow.access.regions(actor.username, entity.name, "read"):
                if not any(self.workflow.access.regions(actor.username, entity.name, t.action) for t in process.transitions):
                    continue
            pairs.append((entity, process))
        return pairs

    def counts(self, actor: Actor) -> dict[str, int]:
        """How many records each box holds, and how many of the to-dos are overdue."""
        result = dict.fromkeys((*BOXES, "overdue"), 0)
        with self.workflow.engine.connect() as conn:
            for box in BOXES:
                total, overdue = self._count(conn, actor, box)
                result[box] = total
                if box == "todo":
                    result["overdue"] = overdue
        return result

    def _count(self, conn: Connection, actor: Actor, box: str) -> tuple[int, int]:
        """(records, overdue records) of one box: one query per process entity."""
        now = self.workflow.now()
        total = overdue = 0
        for entity, process in self._entities(actor, None):
            query = self._query(actor, box, entity, process)
            if query is None:
                continue
            sub = query.subquery()
            row = conn.execute(select(func.count(), func.count().filter(sub.c.due_at < now)).select_from(sub)).one()
            total, overdue = total + row[0], overdue + row[1]
        return total, overdue

    def items(
        self, actor: Actor, box: str = "todo", entity: str | None = None, overdue: bool = False, limit: int = 200
    ) -> list[dict[str, Any]]:
        if box not in BOXES:
            box = "todo"
        now = self.workflow.now()
        codec = self.workflow.codec
        found: list[dict[str, Any]] = []
        with self.workflow.engine.connect() as conn:
            for spec, process in self._entities(actor, entity):
                query = self._query(actor, box, spec, process)
                if query is None:
                    continue
                if overdue:
                    sub = query.subquery()
                    query = select(sub).where(sub.c.due_at < now)
                rows = conn.execute(query.limit(limit)).all()
                for row in rows:
                    state = process.by_state.get(row.state)
                    found.append(
                        {
                            "entity": spec.name,
                            "entity_title": spec.title,
                            "process_title": process.title,
                            "record_id": row.record_id,
                            "label": str(row.label) if row.label is not None else f"#{row.record_id}",
                            "state": row.state,
                            "state_title": state.title if state else row.state,
                            "since": codec.moment(row.state_since),
                            "due_at": codec.moment(row.due_at) if row.due_at else None,
                            "overdue": row.due_at is not None and row.due_at < now and row.ended_at is None,
                            "ended": row.ended_at is not None,
                            "_sort": (row.due_at or dt.datetime.max, row.state_since),
                        }
                    )
        if box == "todo":
            found.sort(key=lambda item: item["_sort"])
        else:
            found.sort(key=lambda item: item["_sort"][1], reverse=True)
        for item in found:
            del item["_sort"]
        return found[:limit]

    def count_todo(self, conn: Connection, actor: Actor) -> int:
        """The menu's badge: how many records wait for the user."""
        return self._count(conn, actor, "todo")[0]
