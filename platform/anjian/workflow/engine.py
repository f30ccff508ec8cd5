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
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from .. import audit
from ..audit import Actor
from ..data.db import write
from ..data.records import RecordListener
from ..data.system import stored_file
from ..errors import AnjianError, FieldError, NotFound, PermissionDenied, RecordValidationError, WorkflowRefused
from ..meta.process_spec import ProcessSpec, TransitionSpec
from ..meta.spec import EntitySpec
from .calendar import WorkCalendar
from .deadlines import Deadlines
from .eligibility import Eligibility
from .notices import NoticeCenter
from .tables import deadline, extension, history, instance, notice
from .versions import ProcessBook

__all__ = ["Workflow"]

START = "_start"
STEP_FILES = "_step"  # the pseudo-field step attachments are uploaded under
CHILD_KEYS = ("id", "parent_id", "position")


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
        platform.records.listeners.append(self)

    @property
    def registry(self) -> Any:
        return self.platform.registry

    def now(self) -> dt.datetime:
        return self.codec.now()

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
                "history": [self._history_json(h, process) for h in self.history(conn, entity, record_id)],
                "deadlines": [self._deadline_json(d) for d in self.open_deadlines(conn, entity, record_id)],
                "transitions": self._choices(actor, spec, record, inst, process),
                "amendable": self.who.may_amend(actor, spec, record, process, state),
            }

    def _history_json(self, row: Mapping[str, Any], process: ProcessSpec) -> dict[str, Any]:
        def title(state: str | None) -> str | None:
            return process.by_state[state].title if state in process.by_state else state

        return {
            "transition": row["transition"],
            "title": row["title"],
            "from": row["from_state"],
            "to": row["to_state"],
            "from_title": title(row["from_state"]),
            "to_title": title(row["to_state"]),
            "actor": row["actor"],
            "at": self.codec.moment(row["at"]),
            "comment": row["comment"],
            "attachments": row["attachments"] or [],
        }

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
        self, actor: Actor, spec: EntitySpec, record: Mapping[str, Any], inst: Mapping[str, Any], process: ProcessSpec
    ) -> list[dict[str, Any]]:
        result = []
        for t in process.leaving(inst["state"]):
            reason = self.who.refusal(actor, spec, record, t)
            result.append(
                {
                    "name": t.name,
                    "title": t.title,
                    "to": t.to,
                    "to_title": process.state(t.to).title,
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
        changed = [f for f in spec.fields if not f.computed and _comparable(old.get(f.name)) != _comparable(record.get(f.name))]
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
        inst_id = conn.execute(insert(instance).values(values)).inserted_primary_key[0]
        inst = {"id": inst_id, **values}
        conn.execute(
            insert(history).values(
                instance_id=inst_id,
                entity=spec.name,
                record_id=stored["id"],
                transition=START,
                title="发起",
                from_state=None,
                to_state=process.start,
                actor=actor.username,
                at=now,
                comment="",
            )
        )
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
        users = self.who.actors(spec, process, state, record) - {actor.username}
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
            inst = self.instance(conn, spec.name, record_id, lock=True)
            if inst is None:
                raise WorkflowRefused(spec.name, [FieldError("", f"{spec.title} {record_id} 没有进入流程", "workflow")])
            process = self.process_of(conn, inst)
            transition = process.by_transition.get(name)
            if transition is None:
                raise NotFound(f"流程「{process.title}」没有「{name}」这一步")
            state_title = process.by_state[inst["state"]].title if inst["state"] in process.by_state else inst["state"]
            expected = payload.get("expected_state")
            stale = expected is not None and expected != inst["state"]
            stale = stale or payload.get("instance_version") not in (None, inst["row_version"])
            if stale or inst["state"] not in transition.sources:
                raise WorkflowRefused(
                    spec.name,
                    [
                        FieldError(
                            "",
                            f"记录当前为「{state_title}」，不能办理「{transition.title}」（可能已被他人办理，请刷新）",
                            "state",
                        )
                    ],
                    record_id=record_id,
                    state=inst["state"],
                    action=name,
                )
            if not self.who.permitted(actor, spec, old, transition.action):  # before saying which fields it needs
                raise PermissionDenied(
                    f"您没有办理「{transition.title}」的权限",
                    subject=actor.username,
                    action=transition.action,
                    object=f"{spec.name}/{record_id}",
                )
            data = payload.get("data") or {}
            if not isinstance(data, Mapping):
                raise RecordValidationError(spec.name, [FieldError("/data", "data 应为 JSON 对象", "type")])
            errors = [
                FieldError(f"/{key}", f"办理「{transition.title}」时不能填写此字段", "workflow")
                for key in data
                if key not in transition.fields
            ]
            comment = str(payload.get("comment") or "").strip()
            attachments = payload.get("attachments") or []
            if transition.comment == "required" and not comment:
                errors.append(FieldError("/comment", f"办理「{transition.title}」需要填写意见", "required"))
            if not isinstance(attachments, list) or not all(isinstance(a, str) for a in attachments):
                errors.append(FieldError("/attachments", "附件应为文件编号列表", "type"))
                attachments = []
            elif transition.attachment == "required" and not attachments:
                errors.append(FieldError("/attachments", f"办理「{transition.title}」需要上传附件", "required"))
            elif transition.attachment == "none" and attachments:
                errors.append(FieldError("/attachments", f"办理「{transition.title}」不需要附件", "attachment"))
            elif attachments:
                # Only files uploaded as step attachments of this entity (not another record's files).
                found = set(
                    conn.execute(
                        select(stored_file.c.id).where(
                            stored_file.c.id.in_(attachments),
                            stored_file.c.entity == spec.name,
                            stored_file.c.field == STEP_FILES,
                        )
                    ).scalars()
                )
                errors += [
                    FieldError("/attachments", f"附件 {a} 不存在，请重新上传", "attachment")
                    for a in attachments
                    if a not in found
                ]
            values = {**dict(data), **self._settings(transition, actor)}
            merged = {**old, **values}
            errors += [
                FieldError(f"/{f}", f"办理「{transition.title}」需要填写「{spec.field(f).title}」", "required")
                for f in transition.requires
                if merged.get(f) in (None, "", [])
            ]
            if errors:
                raise RecordValidationError(spec.name, errors)
            refused = self.who.refusal(actor, spec, merged, transition)
            if refused is not None:
                raise refused
            now = self.now()
            target = process.state(transition.to)
            detail = {
                "transition": transition.name,
                "title": transition.title,
                "from": inst["state"],
                "to": transition.to,
                "comment": comment,
                "attachments": attachments,
            }
            if values:
                stored = self.records.update_in(
                    conn, spec, old, values, actor, partial=True, step=transition, audit_as=("transition", detail)
                )
            else:
                stored = dict(old)
                region = spec.region_of(old)
                audit.append(conn, actor, "transition", spec.name, record_id, detail, region=region)
            done = conn.execute(
                update(instance)
                .where(
                    instance.c.id == inst["id"], instance.c.row_version == inst["row_version"], instance.c.state == inst["state"]
                )
                .values(
                    state=transition.to,
                    state_since=now,
                    row_version=inst["row_version"] + 1,
                    ended_at=now if target.end else None,
                )
            )
            if done.rowcount != 1:
                raise WorkflowRefused(spec.name, [FieldError("", "记录刚被他人办理，请刷新后重试", "state")])
            conn.execute(
                insert(history).values(
                    instance_id=inst["id"],
                    entity=spec.name,
                    record_id=record_id,
                    transition=transition.name,
                    title=transition.title,
                    from_state=inst["state"],
                    to_state=transition.to,
                    actor=actor.username,
                    at=now,
                    comment=comment,
                    attachments=attachments or None,
                )
            )
            record = self._json(spec, stored) if values else stored
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
                    record_id,
                    now,
                )
        return {"state": transition.to, "state_title": target.title, "record": stored}

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
            assert process.amendment_field is not None
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
            created = self.records.create_in(conn, spec, body, actor, action="amend")
            now = self.now()
            conn.execute(
                insert(history).values(
                    instance_id=inst["id"],  # type: ignore[index]
                    entity=spec.name,
                    record_id=record_id,
                    transition="_amend",
                    title="更正",
                    from_state=inst["state"],  # type: ignore[index]
                    to_state=inst["state"],  # type: ignore[index]
                    actor=actor.username,
                    at=now,
                    comment=f"更正记录 #{created['id']}",
                )
            )
            audit.append(
                conn,
                actor,
                "amend",
                spec.name,
                record_id,
                {"amendment": created["id"]},
                region=spec.region_of(old),
            )
        return created

    def urge(self, actor: Actor, entity: str, record_id: int, message: str = "") -> int:
        """催办: remind the users who may act now; recorded in the history. Returns how many were told."""
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
            users = self.who.actors(spec, process, inst["state"], record)
            text = message.strip() or "请尽快办理"
            self.notices.send(
                conn,
                users,
                "urge",
                f"【催办】{process.title}：{_label(spec, record)}",
                f"{actor.username}：{text}",
                spec.name,
                record_id,
                now,
            )
            conn.execute(
                insert(history).values(
                    instance_id=inst["id"],
                    entity=spec.name,
                    record_id=record_id,
                    transition="_urge",
                    title="催办",
                    from_state=inst["state"],
                    to_state=inst["state"],
                    actor=actor.username,
                    at=now,
                    comment=text,
                )
            )
            audit.append(
                conn,
                actor,
                "urge",
                spec.name,
                record_id,
                {"to": sorted(users), "message": text},
                region=spec.region_of(record),
            )
        return len(users)


def _message(error: AnjianError | None) -> str | None:
    if error is None:
        return None
    if isinstance(error, RecordValidationError):
        return error.errors[0].message
    return str(error)


def _comparable(value: Any) -> Any:
    """Child rows compare without their row ids; empty and missing are the same."""
    if isinstance(value, list):
        return [{k: v for k, v in row.items() if k not in CHILD_KEYS} if isinstance(row, Mapping) else row for row in value]
    return None if value in ("", []) else value


def _label(spec: EntitySpec, record: Mapping[str, Any]) -> str:
    title = record.get(spec.title_field) if spec.title_field else None
    return f"#{record.get('id')} {title}" if title else f"#{record.get('id')}"
