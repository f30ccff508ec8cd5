"""Reading where a record stands: its state, history, clocks, and the steps the user may take."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select

from ..audit import Actor
from ..errors import AnjianError, NotFound
from ..meta.process_spec import ProcessSpec
from ..meta.spec import EntitySpec
from .basis import with_basis
from .core import WorkflowCore, _message
from .tables import deadline, extension, history

__all__ = ["WorkflowStatus"]


class WorkflowStatus(WorkflowCore):
    """``status`` and the reads behind it (history, open deadlines)."""

    def history(self, conn: Connection, entity: str, record_id: int) -> list[dict[str, Any]]:
        rows = conn.execute(
            select(history).where(history.c.entity == entity, history.c.record_id == record_id).order_by(history.c.id)
        )
        return [dict(r._mapping) for r in rows]

    def open_deadlines(self, conn: Connection, entity: str, record_id: int) -> list[dict[str, Any]]:
        rows = conn.execute(
            select(deadline)
            .where(deadline.c.entity == entity, deadline.c.record_id == record_id)
            .order_by(deadline.c.status.in_(("open", "paused")).desc(), deadline.c.due_at)
        )
        return [dict(r._mapping) for r in rows]

    def status(self, actor: Actor, entity: str, record_id: int) -> dict[str, Any]:
        """Where a record stands: state, history, deadlines, and the transitions the actor may take."""
        spec, record = self._read(actor, entity, record_id)
        with self.engine.connect() as conn:
            inst = self.instance(conn, entity, record_id)
            if inst is None:
                raise NotFound(f"{spec.title} {record_id} 没有进入流程")
            process = self.process_of(conn, inst)
            state = process.by_state.get(inst["state"])
            return {
                "process": process.name,
                "process_title": process.title,
                "version": inst["version"],
                "state": inst["state"],
                "state_title": state.title if state else inst["state"],
                "locked": bool(state and state.locked),
                "ended": inst["ended_at"] is not None,
                "instance_version": inst["row_version"],
                "history": self._history_json(conn, self.history(conn, entity, record_id), process),
                "deadlines": [
                    with_basis(d, process) for d in self._deadlines_json(conn, self.open_deadlines(conn, entity, record_id))
                ],
                "may_approve": self.who.permitted(actor, spec, record, "approve"),
                "transitions": self._choices(conn, actor, spec, record, inst, process),
                "amendable": self.who.may_amend(actor, spec, record, process, state),
            }

    def _history_json(self, conn: Connection, rows: list[dict[str, Any]], process: ProcessSpec) -> list[dict[str, Any]]:
        def title(state: str | None) -> str | None:
            return process.by_state[state].title if state in process.by_state else state

        names = self.people.names(conn, (row["actor"] for row in rows))
        return [
            {
                "transition": row["transition"],
                "title": row["title"],
                "from": row["from_state"],
                "to": row["to_state"],
                "from_title": title(row["from_state"]),
                "to_title": title(row["to_state"]),
                "actor": row["actor"],
                "actor_name": names.get(row["actor"], row["actor"]),
                "at": self.codec.moment(row["at"]),
                "comment": row["comment"],
                "attachments": row["attachments"] or [],
            }
            for row in rows
        ]

    def _deadlines_json(self, conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The record's clocks, each with its extension request waiting for a decision (or None)."""
        pending = {
            r["deadline_id"]: r
            for r in conn.execute(
                select(extension).where(
                    extension.c.deadline_id.in_([row["id"] for row in rows]), extension.c.decision == "pending"
                )
            ).mappings()
        }
        names = self.people.names(conn, (r["requested_by"] for r in pending.values()))
        result = []
        for row in rows:
            item = self._deadline_json(row)
            ext = pending.get(row["id"])
            item["extension"] = (
                None
                if ext is None
                else {
                    "id": ext["id"],
                    "amount": ext["amount"],
                    "unit": ext["unit"],
                    "reason": ext["reason"],
                    "requested_by": ext["requested_by"],
                    "requested_by_name": names.get(ext["requested_by"], ext["requested_by"]),
                    "requested_at": self.codec.moment(ext["requested_at"]),
                }
            )
            result.append(item)
        return result

    def _deadline_json(self, row: Mapping[str, Any]) -> dict[str, Any]:
        now = self.now()
        return {
            "id": row["id"],
            "rule": row["rule"],
            "title": row["title"],
            "due_at": self.codec.moment(row["due_at"]),
            "status": row["status"],
            "stage": row["stage_kind"],
            "overdue": row["status"] == "open" and row["due_at"] < now,  # a paused clock is not running late
            "met_late": row["status"] == "met" and row["ended_at"] is not None and row["ended_at"] > row["due_at"],
        }

    def _read(self, actor: Actor, entity: str, record_id: int) -> tuple[EntitySpec, dict[str, Any]]:
        spec = self.registry.entity(entity)
        self.access.check(actor, spec, "read")
        with self.engine.connect() as conn:
            record = self.records.read_scoped(conn, spec, record_id, actor)
        return spec, record

    def _choices(
        self,
        conn: Connection,
        actor: Actor,
        spec: EntitySpec,
        record: Mapping[str, Any],
        inst: Mapping[str, Any],
        process: ProcessSpec,
    ) -> list[dict[str, Any]]:
        """The steps out of the current state: whose they are (``mine``) and whether they can be taken now."""
        leaving = process.leaving(inst["state"]) if inst["ended_at"] is None else []
        mine = self.who.acting(conn, actor, spec, record["id"], leaving)
        result = []
        for t in leaving:
            reason: AnjianError | None = None
            if t.name not in mine:
                reason = self._not_yours(actor, spec, record, t)
            else:
                reason = self.who.refusal(actor, spec, record, t)
            result.append(
                {
                    "name": t.name,
                    "title": t.title,
                    "to": t.target(inst["state"]),
                    "to_title": process.state(t.target(inst["state"])).title,
                    "mine": t.name in mine,
                    "allowed": reason is None,
                    "reason": _message(reason),
                    "fields": list(t.fields),
                    "requires": list(t.requires),
                    "comment": t.comment,
                    "attachment": t.attachment,
                    "style": t.style,
                }
            )
        return result
