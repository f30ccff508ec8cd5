"""What happens with time: the deadline scan, extensions, and moving records to a new process version."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, func, insert, select, update

from .. import audit
from ..audit import Actor
from ..data.db import inserted_id, write
from ..data.query import RecordReader
from ..errors import FieldError, NotFound, PermissionDenied, RecordValidationError, WorkflowRefused
from ..meta.process_spec import Duration
from .core import _label
from .deadlines import STAGE_TITLES
from .engine import Workflow
from .steps import MIGRATE, StepEntry, StepTaken, log_step
from .tables import deadline, extension, instance

__all__ = ["Timers"]

log = logging.getLogger(__name__)
TIMER_ACTOR = Actor(username="system:timer", address="local", is_admin=True)
UNITS = {"hours": "小时", "days": "日", "workdays": "个工作日"}


class Timers:
    """The deadline scanner (run by Celery beat), extensions and in-flight migration."""

    def __init__(self, workflow: Workflow) -> None:
        self.workflow = workflow

    def scan(self, now: dt.datetime | None = None, batch: int = 500) -> int:
        """Fire every escalation stage that has fallen due; returns how many stages fired.

        Each batch is its own transaction; a stage is marked fired in the same transaction as its
        notices, so a crash neither loses nor repeats one.
        """
        wf = self.workflow
        now = now or wf.now()
        fired_total = 0
        while True:
            with write(wf.engine) as conn, conn.begin():
                rows = [
                    dict(r._mapping)
                    for r in conn.execute(
                        select(
                            deadline,
                            instance.c.process.label("inst_process"),
                            instance.c.version.label("inst_version"),
                            instance.c.state.label("inst_state"),
                        )
                        .join(instance, instance.c.id == deadline.c.instance_id, isouter=True)
                        .where(deadline.c.next_fire_at <= now, deadline.c.status == "open")
                        .order_by(deadline.c.next_fire_at)
                        .limit(batch)
                    )
                ]
                entries: list[tuple[Any, ...]] = []
                records = self._records(conn, rows)
                for row in rows:
                    mine: list[tuple[Any, ...]] = []
                    try:
                        with conn.begin_nested():  # one broken deadline must not stop every other clock
                            fired_total += self._fire(conn, row, now, mine, records)
                    except Exception:
                        log.exception("deadline %s (%s %s) could not fire; stopped", row["id"], row["entity"], row["record_id"])
                        conn.execute(update(deadline).where(deadline.c.id == row["id"]).values(next_fire_at=None))
                        continue
                    entries += mine
                audit.append_many(conn, entries)  # one chain lock for the batch
            if len(rows) < batch:
                return fired_total

    def _records(self, conn: Any, rows: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
        """The records of a batch of deadlines, one query per entity (stored fields, no child rows)."""
        wf = self.workflow
        reader = RecordReader(wf.registry, wf.codec)
        wanted: dict[str, set[int]] = {}
        for row in rows:
            wanted.setdefault(row["entity"], set()).add(row["record_id"])
        found: dict[tuple[str, int], dict[str, Any]] = {}
        for entity, ids in wanted.items():
            if entity not in wf.registry.catalog.entities:
                continue
            spec, table = wf.registry.entity(entity), wf.registry.table(entity)
            for stored in conn.execute(select(table).where(table.c.id.in_(sorted(ids)))).mappings():
                found[(entity, stored["id"])] = reader._json(spec, stored)
        return found

    def _fire(
        self,
        conn: Any,
        row: dict[str, Any],
        now: dt.datetime,
        entries: list[tuple[Any, ...]],
        records: dict[tuple[str, int], dict[str, Any]],
    ) -> int:
        wf = self.workflow
        if row["inst_process"] is None:
            conn.execute(update(deadline).where(deadline.c.id == row["id"]).values(status="cancelled", next_fire_at=None))
            return 0
        inst = {"process": row["inst_process"], "version": row["inst_version"], "state": row["inst_state"]}
        process = wf.process_of(conn, inst)
        rule = next((d for d in process.deadlines if d.name == row["rule"]), None)
        if rule is None:  # the rule is gone from the process version: the clock stops for good
            conn.execute(update(deadline).where(deadline.c.id == row["id"]).values(status="cancelled", next_fire_at=None))
            return 0
        stages = wf.deadlines.fire(conn, row, rule, now)
        if not stages:
            return 0
        record = records.get((row["entity"], row["record_id"]))
        if record is None:
            return 0
        spec = wf.registry.entity(row["entity"])
        if any(stage.recompute for stage in stages):
            record = self._recompute(conn, spec, row, record)
        due = wf.codec.moment(row["due_at"])[:16].replace("T", " ")
        label = _label(spec, record)
        for stage in stages:
            kind = STAGE_TITLES.get(stage.kind, stage.kind)
            users = wf.who.recipients(conn, spec, process, inst["state"], record, stage.notify)
            wording = "已逾期" if stage.kind == "overdue" or now >= row["due_at"] else "即将到期"
            where = process.state(inst["state"]).title if inst["state"] in process.by_state else inst["state"]
            wf.notices.send(
                conn,
                users,
                stage.kind,
                f"【{stage.title or kind}】{process.title}：{label} {row['title']}{wording}",
                f"{spec.title} {label} 的「{row['title']}」期限为 {due}，{wording}。当前环节：{where}。",
                spec.name,
                row["record_id"],
                now,
            )
            entries.append(
                (
                    TIMER_ACTOR,
                    "deadline",
                    spec.name,
                    row["record_id"],
                    {"deadline": row["rule"], "stage": stage.kind, "due_at": row["due_at"], "notified": sorted(users)},
                    spec.region_of(record),
                )
            )
        return len(stages)

    def _recompute(self, conn: Any, spec: Any, row: Mapping[str, Any], record: dict[str, Any]) -> dict[str, Any]:
        """Save the record again through the record service, so values computed from the time follow.

        E.g. missing persons count as deaths 30 days after an accident and the grade changes with
        them; the write is audited as ``recompute`` with the changed fields, and the clocks that
        follow the record (``when``) start or stop. A record that no longer passes its rules keeps
        its values (logged); the stage's notices still go out.
        """
        wf = self.workflow
        try:
            with conn.begin_nested():
                old = wf.records.read_scoped(conn, spec, row["record_id"], TIMER_ACTOR)
                stored = wf.records.update_in(
                    conn, spec, old, {}, TIMER_ACTOR, partial=True, audit_as=("recompute", {"deadline": row["rule"]})
                )
        except (RecordValidationError, WorkflowRefused, NotFound) as exc:
            log.warning("deadline %s: %s %s not recomputed: %s", row["id"], row["entity"], row["record_id"], exc)
            return record
        return wf._json(spec, stored)

    # ---- extensions ---------------------------------------------------------------------------

    def request_extension(self, actor: Actor, deadline_id: int, amount: Any, unit: str, reason: str) -> int:
        """Ask for more time; an approver (the entity's ``approve`` action) decides."""
        errors = []
        if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= 3650:
            errors.append(FieldError("/amount", "延期时长应为 1 到 3650 之间的整数", "range"))
        if unit not in UNITS:
            errors.append(FieldError("/unit", f"单位应为 {', '.join(UNITS)}", "enum"))
        if not str(reason or "").strip():
            errors.append(FieldError("/reason", "请填写延期理由", "required"))
        if errors:
            raise RecordValidationError("deadline", errors)
        wf = self.workflow
        row, spec, record = self._deadline_in_scope(actor, deadline_id)
        if row["status"] not in ("open", "paused"):
            raise WorkflowRefused("deadline", [FieldError("", "期限已结束，不能延期", "closed")])
        with write(wf.engine) as conn, conn.begin():
            pending = conn.execute(
                select(extension.c.id).where(extension.c.deadline_id == deadline_id, extension.c.decision == "pending")
            ).first()
            if pending is not None:
                raise WorkflowRefused("deadline", [FieldError("", "已有待审批的延期申请", "pending")])
            self._check_extension_limits(conn, row, amount, unit)
            now = wf.now()
            ext_id = inserted_id(
                conn.execute(
                    insert(extension).values(
                        deadline_id=deadline_id,
                        amount=amount,
                        unit=unit,
                        reason=str(reason).strip(),
                        requested_by=actor.username,
                        requested_at=now,
                        decision="pending",
                    )
                )
            )
            region = spec.region_of(record)
            users = wf.access.grants()
            approvers = {u for u in users if wf.who.permitted(Actor(username=u), spec, record, "approve")}
            wf.notices.send(
                conn,
                approvers - {actor.username},
                "extension",
                f"【延期申请】{spec.title} {_label(spec, record)} {row['title']}延期 {amount}{UNITS[unit]}",
                str(reason).strip(),
                spec.name,
                row["record_id"],
                now,
            )
            audit.append(
                conn,
                actor,
                "extension_request",
                spec.name,
                row["record_id"],
                {"deadline": row["rule"], "amount": amount, "unit": unit, "reason": str(reason).strip()},
                region=region,
            )
        return int(ext_id)

    def decide_extension(self, actor: Actor, extension_id: int, approve: bool, note: str = "") -> dict[str, Any]:
        wf = self.workflow
        with wf.engine.connect() as conn:
            ext = conn.execute(select(extension).where(extension.c.id == extension_id)).first()
        try:
            if ext is None:
                raise NotFound("")
            row, spec, record = self._deadline_in_scope(actor, ext.deadline_id)
        except NotFound:
            raise NotFound(f"延期申请 {extension_id} 不存在") from None
        if not wf.who.permitted(actor, spec, record, "approve"):
            raise PermissionDenied(f"您没有审批「{spec.title}」延期的权限")
        if ext.requested_by == actor.username and not actor.is_admin:
            raise PermissionDenied("不能审批本人提出的延期申请")
        with write(wf.engine) as conn, conn.begin():
            now = wf.now()
            current = conn.execute(select(deadline).where(deadline.c.id == row["id"])).mappings().one()
            if current["status"] not in ("open", "paused"):  # read again in the transaction: met clocks stay met
                raise WorkflowRefused("deadline", [FieldError("", "期限已结束，不能再延期", "closed")])
            row = dict(current)
            done = conn.execute(
                update(extension)
                .where(and_(extension.c.id == extension_id, extension.c.decision == "pending"))
                .values(decision="approved" if approve else "rejected", decided_by=actor.username, decided_at=now, note=note)
            )
            if done.rowcount != 1:
                raise WorkflowRefused("deadline", [FieldError("", "该申请已审批", "decided")])
            due = row["due_at"]
            if approve:
                inst = conn.execute(select(instance).where(instance.c.id == row["instance_id"])).first()
                process = wf.process_of(conn, dict(inst._mapping)) if inst else None
                rule = next((d for d in process.deadlines if d.name == row["rule"]), None) if process else None
                due = wf.deadlines.extend(conn, row, rule, Duration(amount=ext.amount, unit=ext.unit), now)
            wf.notices.send(
                conn,
                [ext.requested_by],
                "extension",
                f"【延期{'已批准' if approve else '未批准'}】{spec.title} {_label(spec, record)} {row['title']}",
                f"新期限：{wf.codec.moment(due)[:16].replace('T', ' ')}。{note}",
                spec.name,
                row["record_id"],
                now,
            )
            audit.append(
                conn,
                actor,
                "extension_decision",
                spec.name,
                row["record_id"],
                {"extension": extension_id, "approved": approve, "note": note, "due_at": due},
                region=spec.region_of(record),
            )
        return {"approved": approve, "due_at": wf.codec.moment(due)}

    def _check_extension_limits(self, conn: Any, row: Mapping[str, Any], amount: int, unit: str) -> None:
        """A deadline may limit extensions: how many (493号令 Art. 29: once) and how long each (at most the same again)."""
        inst = conn.execute(select(instance).where(instance.c.id == row["instance_id"])).first()
        process = self.workflow.process_of(conn, dict(inst._mapping)) if inst else None
        rule = next((d for d in process.deadlines if d.name == row["rule"]), None) if process else None
        if rule is None:
            return
        if rule.extension_times is not None:
            approved = and_(extension.c.deadline_id == row["id"], extension.c.decision == "approved")
            granted = conn.execute(select(func.count()).select_from(extension).where(approved)).scalar_one()
            if granted >= rule.extension_times:
                message = f"「{rule.title}」最多可延期 {rule.extension_times} 次"
                raise WorkflowRefused("deadline", [FieldError("", message, "extension_limit")])
        limit = rule.extension_at_most
        if limit is not None and (unit != limit.unit or amount > limit.amount):
            message = f"「{rule.title}」每次最多延期 {limit.amount}{UNITS.get(limit.unit, limit.unit)}"
            raise RecordValidationError("deadline", [FieldError("/amount", message, "extension_limit")])

    def _deadline_in_scope(self, actor: Actor, deadline_id: int) -> tuple[dict[str, Any], Any, dict[str, Any]]:
        """The deadline and its record; one answer for a missing id and one on an unreadable record."""
        wf = self.workflow
        with wf.engine.connect() as conn:
            row = conn.execute(select(deadline).where(deadline.c.id == deadline_id)).first()
            try:
                if row is None:
                    raise NotFound("")
                spec = wf.registry.entity(row.entity)
                wf.access.check(actor, spec, "read")
                record = wf.records.read_scoped(conn, spec, row.record_id, actor)
            except (NotFound, PermissionDenied):
                raise NotFound(f"期限 {deadline_id} 不存在") from None
        return dict(row._mapping), spec, record

    # ---- process versions -----------------------------------------------------------------------

    def migrate(self, actor: Actor | None = None) -> dict[str, int]:
        """Move records in flight to the current version of processes that declare a migration.

        A record moves when its state maps (by the declared mapping, or by name) to a state of the
        new version; others finish on the version they started on. Returns moved counts per process.
        """
        wf = self.workflow
        actor = actor or Actor.system()
        moved: dict[str, int] = {}
        for process in wf.registry.catalog.processes.values():
            if process.migration is None:
                continue
            with write(wf.engine) as conn, conn.begin():
                version = wf.book.ensure(conn, process)
                rows = conn.execute(
                    select(instance).where(
                        instance.c.process == process.name, instance.c.version < version, instance.c.ended_at.is_(None)
                    )
                ).all()
                now = wf.now()
                for inst in rows:
                    target = process.migration.get(inst.state, inst.state)
                    if target not in process.by_state:
                        continue
                    moved_now = conn.execute(
                        update(instance)
                        .where(instance.c.id == inst.id, instance.c.row_version == inst.row_version)  # not under a step
                        .values(
                            version=version,
                            state=target,
                            row_version=inst.row_version + 1,
                            ended_at=now if process.state(target).end else None,
                        )
                    )
                    if moved_now.rowcount != 1:
                        continue
                    entry = StepEntry(
                        inst.id, inst.entity, inst.record_id, MIGRATE, f"流程升级到第 {version} 版", inst.state, target
                    )
                    detail = {
                        "process": process.name,
                        "from_version": inst.version,
                        "to_version": version,
                        "from": inst.state,
                        "to": target,
                    }
                    spec = wf.registry.entity(inst.entity)
                    record = self._records(conn, [{"entity": inst.entity, "record_id": inst.record_id}])
                    stored = record.get((inst.entity, inst.record_id)) or {"id": inst.record_id}
                    log_step(conn, entry, actor, now, "migrate", detail, spec.region_of(stored))
                    # Listeners hear of it like of any step (a listener that raises keeps the records on their version).
                    wf.call_step_listeners(StepTaken(conn, spec, stored, process, MIGRATE, inst.state, target, actor, now))
                    moved[process.name] = moved.get(process.name, 0) + 1
        return moved
