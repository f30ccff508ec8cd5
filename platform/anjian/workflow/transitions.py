"""Taking a transition: check the state, whose turn it is and the step's input, write through the
record service, move the instance (conditionally, so two users at once give one 409), log the step,
start, stop or pause the clocks, tell the next actors, and call the step listeners
(``WorkflowCore.on_step``), all in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from sqlalchemy import Connection, select, update

from .. import audit
from ..audit import Actor
from ..data.db import write
from ..data.system import stored_file
from ..errors import FieldError, NotFound, RecordValidationError, WorkflowRefused
from ..meta.process_spec import ProcessSpec, TransitionSpec
from ..meta.spec import REACH_LEVELS, EntitySpec
from .core import STEP_FILES, WorkflowCore, _label
from .steps import StepEntry, StepTaken, log_step
from .tables import instance

__all__ = ["WorkflowTransitions"]


class WorkflowTransitions(WorkflowCore):
    """``take`` and its steps."""

    def take(
        self, actor: Actor, entity: str, record_id: int, name: str, payload: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Take transition ``name`` on a record; returns the new status. 403/404/409/422 on refusal."""
        payload = dict(payload or {})
        spec = self.registry.entity(entity)
        with write(self.engine) as conn, conn.begin():
            old = self.records.read_scoped(conn, spec, record_id, actor)
            inst, process, transition = self._locate(conn, spec, record_id, name)
            self._check_current(spec, inst, process, transition, payload)
            self._check_turn(conn, actor, spec, old, transition)  # before saying which fields it needs
            step = self._step_input(conn, actor, spec, old, transition, payload)
            refused = self.who.refusal(actor, spec, step.merged, transition)
            if refused is not None:
                raise refused
            now = self.now()
            to = transition.target(inst["state"])
            stored = self._write_step(conn, actor, spec, old, inst, transition, step)
            self._move(conn, spec, inst, process, transition, now)
            entry = StepEntry(
                inst["id"],
                spec.name,
                record_id,
                transition.name,
                transition.title,
                inst["state"],
                to,
                step.comment,
                step.attachments,
            )
            log_step(conn, entry, actor, now)  # audited with the write (_write_step)
            record = self._json(spec, stored) if step.values else stored
            self._after_move(conn, actor, spec, process, inst, transition, record, step.comment, now)
            self.call_step_listeners(StepTaken(conn, spec, record, process, transition.name, inst["state"], to, actor, now))
        target = process.state(to)
        return {"state": to, "state_title": target.title, "record": stored}

    def _locate(
        self, conn: Connection, spec: EntitySpec, record_id: int, name: str
    ) -> tuple[dict[str, Any], ProcessSpec, TransitionSpec]:
        """The record's process instance (locked), its process version and the named step."""
        inst = self.instance(conn, spec.name, record_id, lock=True)
        if inst is None:
            raise WorkflowRefused(spec.name, [FieldError("", f"{spec.title} {record_id} 没有进入流程", "workflow")])
        process = self.process_of(conn, inst)
        transition = process.by_transition.get(name)
        if transition is None:
            raise NotFound(f"流程「{process.title}」没有「{name}」这一步")
        return inst, process, transition

    def _check_current(
        self,
        spec: EntitySpec,
        inst: Mapping[str, Any],
        process: ProcessSpec,
        transition: TransitionSpec,
        payload: Mapping[str, Any],
    ) -> None:
        """409 unless the step leaves the current state and the caller saw the state it is in."""
        expected = payload.get("expected_state")
        stale = expected is not None and expected != inst["state"]
        stale = stale or payload.get("instance_version") not in (None, inst["row_version"])
        if stale or inst["state"] not in transition.sources:
            state_title = process.by_state[inst["state"]].title if inst["state"] in process.by_state else inst["state"]
            message = f"记录当前为「{state_title}」，不能办理「{transition.title}」（可能已被他人办理，请刷新）"
            raise WorkflowRefused(spec.name, [FieldError("", message, "state")])

    def _check_turn(
        self, conn: Connection, actor: Actor, spec: EntitySpec, record: Mapping[str, Any], transition: TransitionSpec
    ) -> None:
        """403 unless the step is ``actor``'s (the same rule as the inbox, the buttons and the notices)."""
        if transition.name not in self.who.acting(conn, actor, spec, record["id"], [transition]):
            raise self._not_yours(actor, spec, record, transition)

    def _step_input(
        self,
        conn: Connection,
        actor: Actor,
        spec: EntitySpec,
        old: Mapping[str, Any],
        transition: TransitionSpec,
        payload: Mapping[str, Any],
    ) -> _StepInput:
        """The step's values, comment and attachments, checked against what the step asks (422)."""
        data = payload.get("data") or {}
        if not isinstance(data, Mapping):
            raise RecordValidationError(spec.name, [FieldError("/data", "data 应为 JSON 对象", "type")])
        errors = [
            FieldError(f"/{key}", f"办理「{transition.title}」时不能填写此字段", "workflow")
            for key in data
            if key not in transition.fields
        ]
        raw_comment = payload.get("comment")
        if raw_comment is not None and not isinstance(raw_comment, str):
            errors.append(FieldError("/comment", "意见应为文本", "type"))
            raw_comment = ""
        comment = (raw_comment or "").strip()
        if transition.comment == "required" and not comment:
            errors.append(FieldError("/comment", f"办理「{transition.title}」需要填写意见", "required"))
        attachments, attachment_errors = self._step_attachments(conn, spec, transition, payload.get("attachments") or [])
        errors += attachment_errors
        values = {**dict(data), **self._settings(transition, actor)}
        if spec.reach and not _widens(old.get(spec.reach), values.get(spec.reach, old.get(spec.reach))):
            del values[spec.reach]  # a record that went further up already (越级上报) stays visible there
        merged = {**old, **values}
        errors += [
            FieldError(f"/{f}", f"办理「{transition.title}」需要填写「{spec.field(f).title}」", "required")
            for f in transition.requires
            if merged.get(f) in (None, "", [])
        ]
        if errors:
            raise RecordValidationError(spec.name, errors)
        return _StepInput(values, merged, comment, attachments)

    def _step_attachments(
        self, conn: Connection, spec: EntitySpec, transition: TransitionSpec, attachments: Any
    ) -> tuple[list[str], list[FieldError]]:
        """The step's files: ids of files uploaded as step attachments of this entity, as the step allows."""
        if not isinstance(attachments, list) or not all(isinstance(a, str) for a in attachments):
            return [], [FieldError("/attachments", "附件应为文件编号列表", "type")]
        if transition.attachment == "required" and not attachments:
            return [], [FieldError("/attachments", f"办理「{transition.title}」需要上传附件", "required")]
        if transition.attachment == "none" and attachments:
            return [], [FieldError("/attachments", f"办理「{transition.title}」不需要附件", "attachment")]
        if not attachments:
            return [], []
        found = set(
            conn.execute(
                select(stored_file.c.id).where(
                    stored_file.c.id.in_(attachments), stored_file.c.entity == spec.name, stored_file.c.field == STEP_FILES
                )
            ).scalars()
        )
        missing = [
            FieldError("/attachments", f"附件 {a} 不存在，请重新上传", "attachment") for a in attachments if a not in found
        ]
        return attachments, missing

    def _write_step(
        self,
        conn: Connection,
        actor: Actor,
        spec: EntitySpec,
        old: Mapping[str, Any],
        inst: Mapping[str, Any],
        transition: TransitionSpec,
        step: _StepInput,
    ) -> dict[str, Any]:
        """Write the step's values through the record service (or audit a step that writes none)."""
        detail = {
            "transition": transition.name,
            "title": transition.title,
            "from": inst["state"],
            "to": transition.target(inst["state"]),
            "comment": step.comment,
            "attachments": step.attachments,
        }
        if step.values:
            stored: dict[str, Any] = self.records.update_in(
                conn, spec, old, step.values, actor, partial=True, step=transition, audit_as=("transition", detail)
            )
            return stored
        audit.append(conn, actor, "transition", spec.name, old["id"], detail, region=spec.region_of(old))
        return dict(old)

    def _move(
        self,
        conn: Connection,
        spec: EntitySpec,
        inst: Mapping[str, Any],
        process: ProcessSpec,
        transition: TransitionSpec,
        now: dt.datetime,
    ) -> None:
        """Move the instance, on the condition that nobody moved it since it was read (409)."""
        to = transition.target(inst["state"])
        done = conn.execute(
            update(instance)
            .where(instance.c.id == inst["id"], instance.c.row_version == inst["row_version"], instance.c.state == inst["state"])
            .values(
                state=to,
                state_since=now if to != inst["state"] else inst["state_since"],
                row_version=inst["row_version"] + 1,
                ended_at=now if process.state(to).end else None,
            )
        )
        if done.rowcount != 1:
            raise WorkflowRefused(spec.name, [FieldError("", "记录刚被他人办理，请刷新后重试", "state")])

    def _after_move(
        self,
        conn: Connection,
        actor: Actor,
        spec: EntitySpec,
        process: ProcessSpec,
        inst: Mapping[str, Any],
        transition: TransitionSpec,
        record: Mapping[str, Any],
        comment: str,
        now: dt.datetime,
    ) -> None:
        """Clocks start, stop or pause; the next actors get their 待办; the creator hears of the end."""
        to = transition.target(inst["state"])
        target = process.state(to)
        self.deadlines.on_step(conn, inst, process, transition.name, inst["state"], to, record, now)
        if to != inst["state"]:  # a step that stays (越级直报) leaves the same people's 待办 as it was
            self._announce(conn, spec, process, to, record, actor, now)
        if transition.notify:
            self._tell(conn, actor, spec, process, transition, to, record, now)
        if target.end and record.get("created_by") and record["created_by"] != actor.username:
            self.notices.send(
                conn,
                [record["created_by"]],
                "done",
                f"【办结】{process.title}：{_label(spec, record)}（{target.title}）",
                comment,
                spec.name,
                record["id"],
                now,
            )

    def _tell(
        self,
        conn: Connection,
        actor: Actor,
        spec: EntitySpec,
        process: ProcessSpec,
        transition: TransitionSpec,
        to: str,
        record: Mapping[str, Any],
        now: dt.datetime,
    ) -> None:
        """The step's ``notify``: tell those it names (e.g. the government and departments told of
        an accident, 493号令 Art. 11) in the message centre, and audit whom."""
        users: set[str] = set()
        agencies: list[str] = []
        level = transition.sets.get(spec.reach) if spec.reach else None  # the level the step brings it to
        for target in transition.notify:
            if target.startswith("agencies:"):
                found = self.who.level_agencies(conn, spec, record, target[9:], level)
                agencies += sorted(found)
                for staff in found.values():
                    users |= staff
            else:
                users |= self.who.recipients(conn, spec, process, to, record, (target,))
        users.discard(actor.username)
        if not users and not agencies:
            return  # nobody to tell (e.g. no agency records of the level yet): no empty entry
        label = _label(spec, record)
        self.notices.send(
            conn,
            users,
            "notify",
            f"【通报】{process.title}：{label}（{transition.title}）",
            f"{spec.title} {label} 已办理「{transition.title}」，当前环节：{process.state(to).title}。",
            spec.name,
            record["id"],
            now,
        )
        detail = {"transition": transition.name, "agencies": agencies, "notified": sorted(users)}
        audit.append(conn, actor, "notify", spec.name, record["id"], detail, region=spec.region_of(record))

    def _settings(self, transition: TransitionSpec, actor: Actor) -> dict[str, Any]:
        """Values a transition sets: constants, or the moment / actor / date of taking it."""
        now = self.now()
        local = now.replace(tzinfo=dt.UTC).astimezone(self.codec.zone)
        special = {"$now": local.isoformat(timespec="seconds"), "$today": local.date().isoformat(), "$actor": actor.username}
        return {k: special.get(v, v) if isinstance(v, str) else v for k, v in transition.sets.items()}


def _widens(current: Any, value: Any) -> bool:
    """Whether setting the reach to ``value`` keeps or widens who sees the record (never narrows it)."""
    rank = {level: i for i, level in enumerate(REACH_LEVELS)}
    return rank.get(str(value), 0) >= rank.get(str(current or "county"), 0)


class _StepInput(NamedTuple):
    """What a step writes and says: field values, the record as it will be, comment, attachments."""

    values: dict[str, Any]
    merged: dict[str, Any]
    comment: str
    attachments: list[str]
