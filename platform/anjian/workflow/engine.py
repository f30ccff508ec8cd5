"""The workflow engine: records move through their entity's process one transition at a time.

A transition is a casbin action (``transition.<name>``) checked over the record's region, taken
through the one record service (validation, audit) in one transaction that also moves the
instance, writes the history and starts, stops or pauses the deadlines. The instance row carries
a version number; the move is a conditional update on it, so of two users acting at once the
second gets a 409, never a double transition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from sqlalchemy import Connection, String, cast, delete, func, insert, select, update

from .. import audit
from ..audit import Actor
from ..data.changes import CHILD_KEYS, changed_fields
from ..data.db import inserted_id, write
from ..data.records import RecordListener
from ..data.system import stored_file
from ..errors import AnjianError, FieldError, NotFound, PermissionDenied, RecordValidationError, WorkflowRefused
from ..meta.process_spec import ProcessSpec, TransitionSpec
from ..meta.spec import EntitySpec
from .basis import with_basis
from .calendar import WorkCalendar
from .deadlines import Deadlines
from .eligibility import Eligibility
from .notices import NoticeCenter
from .people import People
from .steps import StepEntry, log_step
from .tables import deadline, extension, history, instance, notice
from .versions import ProcessBook

__all__ = ["Workflow"]

START = "_start"
URGE_INTERVAL = dt.timedelta(hours=1)  # one urging per record and person within it
STEP_FILES = "_step"  # the pseudo-field step attachments are uploaded under


def _step_file_records(conn: Connection, spec: EntitySpec, file_id: str) -> Any:
    """The records whose history holds a step attachment (who may read the record reads the file)."""
    holds = cast(history.c.attachments, String).like(f'%"{file_id}"%')
    return select(history.c.record_id).where(history.c.entity == spec.name, holds)


class Workflow(RecordListener):
    """Processes of one Platform: starts, transitions, locks, history, deadlines and notices."""

    def __init__(self, platform: Any) -> None:
        self.platform = platform
        self.engine = platform.engine
        self.access = platform.access
        self.records = platform.records
        self.codec = platform.codec
        self.book = ProcessBook()
        self.notices = NoticeCenter(platform.engine, platform.host.hook, platform.settings)
        self.deadlines = Deadlines(platform.codec.zone, self.calendar)
        self._calendar: tuple[int, WorkCalendar] | None = None
        self.who = Eligibility(platform.access, lambda: platform.registry)
        self.people = People(platform.engine)
        platform.records.listeners.append(self)
        platform.files.add_holder(STEP_FILES, _step_file_records)

    @property
    def registry(self) -> Any:
        return self.platform.registry

    def now(self) -> dt.datetime:
        moment: dt.datetime = self.codec.now()
        return moment

    def calendar(self) -> WorkCalendar:
        """The working-day calendar: the package's data plus the years declared as metadata."""
        registry = self.registry
        if self._calendar is None or self._calendar[0] != registry.version:
            self._calendar = (registry.version, WorkCalendar.from_documents(registry.catalog.calendars))
        return self._calendar[1]

    def process_for(self, entity: str) -> ProcessSpec | None:
        process: ProcessSpec | None = self.registry.catalog.process_of(entity)
        return process

    # ---- reading -------------------------------------------------------------------------------

    def instance(self, conn: Connection, entity: str, record_id: int, lock: bool = False) -> dict[str, Any] | None:
        query = select(instance).where(instance.c.entity == entity, instance.c.record_id == record_id)
        if lock and conn.dialect.name != "sqlite":  # SQLite's write transaction already holds the lock
            query = query.with_for_update()
        row = conn.execute(query).first()
        return dict(row._mapping) if row else None

    def process_of(self, conn: Connection, inst: Mapping[str, Any]) -> ProcessSpec:
        return self.book.load(conn, inst["process"], inst["version"])

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
                    "to": t.to,
                    "to_title": process.state(t.to).title,
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

    def _not_yours(self, actor: Actor, spec: EntitySpec, record: Mapping[str, Any], t: TransitionSpec) -> PermissionDenied:
        """Why a step is not ``actor``'s: the four-eyes rule, or no permission over the record."""
        if not t.allow_creator and record.get("created_by") == actor.username:
            if self.who.permitted(actor, spec, record, t.action):
                return PermissionDenied(f"「{t.title}」不能由记录的提交人本人办理")
        return PermissionDenied(f"您没有办理「{t.title}」的权限")

    # ---- the record service's listener: starts and locks --------------------------------------

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

    def _json(self, spec: EntitySpec, stored: Mapping[str, Any]) -> dict[str, Any]:
        fields = spec.by_name
        return {k: self.codec.to_json(fields.get(k), v) for k, v in stored.items()}

    def _announce(
        self,
        conn: Connection,
        spec: EntitySpec,
        process: ProcessSpec,
        state: str,
        record: Mapping[str, Any],
        actor: Actor,
        now: dt.datetime,
    ) -> None:
        """Tell the users who may act next that a record waits for them."""
        if process.state(state).end:
            return
        users = self.who.actors(conn, spec, process, state, int(record["id"])) - {actor.username}
        label = _label(spec, record)
        self.notices.send(
            conn,
            users,
            "todo",
            f"【待办】{process.title}：{label}（{process.state(state).title}）",
            f"{spec.title} {label} 已进入「{process.state(state).title}」，等待您办理。",
            spec.name,
            record.get("id"),
            now,
        )

    # ---- taking a transition ---------------------------------------------------------------------

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
            stored = self._write_step(conn, actor, spec, old, inst, transition, step)
            self._move(conn, spec, inst, process, transition, now)
            entry = StepEntry(
                inst["id"],
                spec.name,
                record_id,
                transition.name,
                transition.title,
                inst["state"],
                transition.to,
                step.comment,
                step.attachments,
            )
            log_step(conn, entry, actor, now)  # audited with the write (_write_step)
            record = self._json(spec, stored) if step.values else stored
            self._after_move(conn, actor, spec, process, inst, transition, record, step.comment, now)
        target = process.state(transition.to)
        return {"state": transition.to, "state_title": target.title, "record": stored}

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
            "to": transition.to,
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
        done = conn.execute(
            update(instance)
            .where(instance.c.id == inst["id"], instance.c.row_version == inst["row_version"], instance.c.state == inst["state"])
            .values(
                state=transition.to,
                state_since=now,
                row_version=inst["row_version"] + 1,
                ended_at=now if process.state(transition.to).end else None,
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
        target = process.state(transition.to)
        self.deadlines.on_step(conn, inst, process, transition.name, inst["state"], transition.to, record, now)
        self._announce(conn, spec, process, transition.to, record, actor, now)
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

    def _settings(self, transition: TransitionSpec, actor: Actor) -> dict[str, Any]:
        """Values a transition sets: constants, or the moment / actor / date of taking it."""
        now = self.now()
        local = now.replace(tzinfo=dt.UTC).astimezone(self.codec.zone)
        special = {"$now": local.isoformat(timespec="seconds"), "$today": local.date().isoformat(), "$actor": actor.username}
        return {k: special.get(v, v) if isinstance(v, str) else v for k, v in transition.sets.items()}

    # ---- amendments and urging -------------------------------------------------------------------

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


class _StepInput(NamedTuple):
    """What a step writes and says: field values, the record as it will be, comment, attachments."""

    values: dict[str, Any]
    merged: dict[str, Any]
    comment: str
    attachments: list[str]


def _message(error: AnjianError | None) -> str | None:
    if error is None:
        return None
    if isinstance(error, RecordValidationError):
        return error.errors[0].message
    return str(error)


def _label(spec: EntitySpec, record: Mapping[str, Any]) -> str:
    title = record.get(spec.title_field) if spec.title_field else None
    return f"#{record.get('id')} {title}" if title else f"#{record.get('id')}"
