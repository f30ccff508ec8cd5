"""The record service's listener: a created record starts its process, a record in a state
edits only what the state allows, and a deleted record takes its process instance with it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from ..audit import Actor
from ..data.changes import changed_fields
from ..data.db import inserted_id
from ..data.records import RecordListener
from ..errors import FieldError, RecordValidationError, WorkflowRefused
from ..meta.process_spec import ProcessSpec
from ..meta.spec import EntitySpec
from .core import START, WorkflowCore
from .steps import StepEntry, StepTaken, log_step
from .tables import deadline, extension, history, instance, notice

__all__ = ["WorkflowLocks"]


class WorkflowLocks(WorkflowCore, RecordListener):
    """Starts and locks, inside the record service's transaction."""

    def before_write(
        self,
        conn: Connection,
        spec: EntitySpec,
        old: Mapping[str, Any] | None,
        record: Mapping[str, Any] | None,
        actor: Actor,
        action: str,
        step: Any = None,
    ) -> None:
        if old is None or spec.is_child or self.process_for(spec.name) is None:
            return  # an entity whose process was removed frees its records
        inst = self.instance(conn, spec.name, old["id"])
        if inst is None:
            return
        process = self.process_of(conn, inst)
        state = process.by_state.get(inst["state"])
        title = state.title if state else inst["state"]
        if action == "delete":
            if inst["state"] != process.start or (state is not None and state.locked):
                raise WorkflowRefused(spec.name, [FieldError("", f"记录已进入流程（{title}），不能删除", "workflow")])
            return
        assert record is not None
        changed = changed_fields(spec, old, record)
        if step is not None:
            allowed = set(step.fields) | set(step.sets)
            errors = [
                FieldError(f"/{f.name}", f"办理「{step.title}」时不能修改「{f.title}」", "workflow")
                for f in changed
                if f.name not in allowed
            ]
        elif state is not None and state.locked and changed:
            raise WorkflowRefused(
                spec.name, [FieldError("", f"记录已{title}，不能修改；如需更正请办理更正（更正记录会关联原记录）", "locked")]
            )
        else:
            errors = [
                FieldError(f"/{f.name}", f"「{f.title}」在「{title}」状态下不可修改", "workflow")
                for f in changed
                if state is not None and not state.may_edit(f.name)
            ]
        if errors:
            raise RecordValidationError(spec.name, errors)

    def after_write(self, conn: Connection, spec: EntitySpec, stored: Mapping[str, Any], actor: Actor, action: str) -> None:
        if spec.is_child:
            return
        if action == "create":
            process = self.process_for(spec.name)
            if process is not None:
                self._start(conn, process, spec, stored, actor)
        elif action == "update":
            current = self.process_for(spec.name)
            if current is None or not any(d.when for d in current.deadlines):
                return  # no clock follows the record: nothing to ask the database
            inst = self.instance(conn, spec.name, stored["id"])
            if inst is not None and inst["ended_at"] is None:
                self.deadlines.follow(conn, inst, self.process_of(conn, inst), self._json(spec, stored), self.now())
        elif action == "delete":
            inst = self.instance(conn, spec.name, stored["id"])
            if inst is not None:
                # The audit log keeps the record's story; ids may be reused, so nothing may linger.
                clocks = select(deadline.c.id).where(deadline.c.instance_id == inst["id"])
                conn.execute(delete(extension).where(extension.c.deadline_id.in_(clocks)))
                conn.execute(delete(notice).where(notice.c.entity == spec.name, notice.c.record_id == stored["id"]))
                conn.execute(delete(deadline).where(deadline.c.instance_id == inst["id"]))
                conn.execute(delete(history).where(history.c.instance_id == inst["id"]))
                conn.execute(delete(instance).where(instance.c.id == inst["id"]))

    def _start(self, conn: Connection, process: ProcessSpec, spec: EntitySpec, stored: Mapping[str, Any], actor: Actor) -> None:
        now = self.now()
        version = self.book.ensure(conn, process)
        values = {
            "entity": spec.name,
            "record_id": stored["id"],
            "process": process.name,
            "version": version,
            "state": process.start,
            "state_since": now,
            "started_by": actor.username,
            "started_at": now,
            "row_version": 1,
        }
        inst_id = inserted_id(conn.execute(insert(instance).values(values)))
        inst = {"id": inst_id, **values}
        entry = StepEntry(inst_id, spec.name, stored["id"], START, "发起", None, process.start)
        log_step(conn, entry, actor, now)  # the record's creation is the audit entry
        record = self._json(spec, stored)
        self.deadlines.on_step(conn, inst, process, None, None, process.start, record, now)
        self._announce(conn, spec, process, process.start, record, actor, now)
        self.call_step_listeners(StepTaken(conn, spec, record, process, START, None, process.start, actor, now))
