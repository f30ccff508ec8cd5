"""Amendments (更正) of locked records and urging (催办) of the users whose turn it is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from ..audit import Actor
from ..data.changes import CHILD_KEYS
from ..data.db import write
from ..errors import FieldError, PermissionDenied, WorkflowRefused
from .core import URGE_INTERVAL, WorkflowCore, _label
from .steps import StepEntry, log_step
from .tables import history, notice

__all__ = ["WorkflowCorrections"]


class WorkflowCorrections(WorkflowCore):
    """``amend`` and ``urge``."""

    def amend(self, actor: Actor, entity: str, record_id: int, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Correct a locked record: a new record linked to the original starts the process again."""
        spec = self.registry.entity(entity)
        with write(self.engine) as conn, conn.begin():
            old = self.records.read_scoped(conn, spec, record_id, actor)
            inst = self.instance(conn, spec.name, record_id)
            process = self.process_of(conn, inst) if inst else None
            state = process.by_state.get(inst["state"]) if process and inst else None
            if process is None or not self.who.may_amend(actor, spec, old, process, state):
                if process is not None and state is not None and state.locked and process.amendment_field:
                    raise PermissionDenied(f"您没有更正「{spec.title}」的权限")
                raise WorkflowRefused(spec.name, [FieldError("", "只有已签发（锁定）的记录可以更正", "workflow")])
            assert process.amendment_field is not None and inst is not None
            base = {
                k: v
                for k, v in old.items()
                if k not in ("id", "created_at", "updated_at", "created_by", "updated_by", "row_version")
            }
            for child in spec.child_fields:
                base[child.name] = [{k: v for k, v in row.items() if k not in CHILD_KEYS} for row in old.get(child.name) or ()]
            body = {
                **base,
                **{k: v for k, v in dict(payload).items() if k != process.amendment_field},
                process.amendment_field: record_id,
            }
            created: dict[str, Any] = self.records.create_in(conn, spec, body, actor, action="amend")
            entry = StepEntry(
                inst["id"],
                spec.name,
                record_id,
                "_amend",
                "更正",
                inst["state"],
                inst["state"],
                f"更正记录 #{created['id']}",
            )
            log_step(conn, entry, actor, self.now(), "amend", {"amendment": created["id"]}, spec.region_of(old))
        return created

    def urge(self, actor: Actor, entity: str, record_id: int, message: str = "") -> int:
        """催办: remind the users who may act now; recorded in the history. Returns how many were told.

        Throttled per record and person: one urging by the same user within ``URGE_INTERVAL`` is a
        409, and nobody is urged about the same record twice within it (whoever urges).
        """
        spec = self.registry.entity(entity)
        self.access.check(actor, spec, "urge")
        with write(self.engine) as conn, conn.begin():
            record = self.records.read_scoped(conn, spec, record_id, actor)
            self.access.check_record(actor, spec, record, "urge")
            inst = self.instance(conn, spec.name, record_id)
            if inst is None or inst["ended_at"] is not None:
                raise WorkflowRefused(spec.name, [FieldError("", "记录不在办理中，无需催办", "workflow")])
            process = self.process_of(conn, inst)
            now = self.now()
            since = now - URGE_INTERVAL
            last = conn.execute(
                select(func.max(history.c.at)).where(
                    history.c.instance_id == inst["id"],
                    history.c.transition == "_urge",
                    history.c.actor == actor.username,
                    history.c.at > since,
                )
            ).scalar_one()
            if last is not None:
                again = self.codec.moment(last + URGE_INTERVAL)[11:16]
                raise WorkflowRefused(spec.name, [FieldError("", f"您刚催办过此记录，请于 {again} 后再催办", "throttled")])
            told_lately = set(
                conn.execute(
                    select(notice.c.username).where(
                        notice.c.entity == spec.name,
                        notice.c.record_id == record_id,
                        notice.c.kind == "urge",
                        notice.c.created_at > since,
                    )
                ).scalars()
            )
            users = self.who.actors(conn, spec, process, inst["state"], record_id) - told_lately
            text = message.strip() or "请尽快办理"
            self.notices.send(
                conn,
                users,
                "urge",
                f"【催办】{process.title}：{_label(spec, record)}",
                f"{self.people.name(conn, actor.username)}：{text}",
                spec.name,
                record_id,
                now,
            )
            entry = StepEntry(inst["id"], spec.name, record_id, "_urge", "催办", inst["state"], inst["state"], text)
            detail = {"to": sorted(users), "message": text}
            log_step(conn, entry, actor, now, "urge", detail, spec.region_of(record))
        return len(users)
