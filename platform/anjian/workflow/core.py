"""The workflow engine's shared part: its collaborators, the process of a record and its
instance, and the words every other part uses (whose step it is not, the 待办 notice, a record's label).

``Workflow`` (``engine.py``) is this plus one part per concern: reading a record's status
(``status.py``), the record service's listener that starts processes and locks fields
(``locks.py``), taking a transition (``transitions.py``), and amendments and urging
(``corrections.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, String, cast, select

from ..audit import Actor
from ..errors import AnjianError, PermissionDenied, RecordValidationError
from ..meta.process_spec import ProcessSpec, TransitionSpec
from ..meta.spec import EntitySpec
from .calendar import WorkCalendar
from .deadlines import Deadlines
from .eligibility import Eligibility
from .notices import NoticeCenter
from .people import People
from .steps import START, StepListener, StepTaken
from .tables import history, instance
from .versions import ProcessBook

__all__ = ["START", "STEP_FILES", "URGE_INTERVAL", "WorkflowCore"]

URGE_INTERVAL = dt.timedelta(hours=1)  # one urging per record and person within it
STEP_FILES = "_step"  # the pseudo-field step attachments are uploaded under


def _step_file_records(conn: Connection, spec: EntitySpec, file_id: str) -> Any:
    """The records whose history holds a step attachment (who may read the record reads the file)."""
    holds = cast(history.c.attachments, String).like(f'%"{file_id}"%')
    return select(history.c.record_id).where(history.c.entity == spec.name, holds)


class WorkflowCore:
    """State and helpers shared by the parts of the workflow engine."""

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
        self.step_listeners: list[StepListener] = []
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

    def on_step(self, listener: StepListener) -> None:
        """Call ``listener`` with every step (a transition, a process start, a version migration)
        inside the step's transaction, after the instance moved and the step was logged; an
        exception it raises rolls the step back. Listeners run in the order they were added."""
        self.step_listeners.append(listener)

    def call_step_listeners(self, step: StepTaken) -> None:
        """Tell every listener of ``step``; the parts that move an instance call this, nothing else."""
        for listener in self.step_listeners:
            listener(step)

    def process_for(self, entity: str) -> ProcessSpec | None:
        process: ProcessSpec | None = self.registry.catalog.process_of(entity)
        return process

    # ---- a record's process ------------------------------------------------------------------

    def instance(self, conn: Connection, entity: str, record_id: int, lock: bool = False) -> dict[str, Any] | None:
        query = select(instance).where(instance.c.entity == entity, instance.c.record_id == record_id)
        if lock and conn.dialect.name != "sqlite":  # SQLite's write transaction already holds the lock
            query = query.with_for_update()
        row = conn.execute(query).first()
        return dict(row._mapping) if row else None

    def process_of(self, conn: Connection, inst: Mapping[str, Any]) -> ProcessSpec:
        return self.book.load(conn, inst["process"], inst["version"])

    def _not_yours(self, actor: Actor, spec: EntitySpec, record: Mapping[str, Any], t: TransitionSpec) -> PermissionDenied:
        """Why a step is not ``actor``'s: the four-eyes rule, or no permission over the record."""
        if not t.allow_creator and record.get("created_by") == actor.username:
            if self.who.permitted(actor, spec, record, t.action):
                return PermissionDenied(f"「{t.title}」不能由记录的提交人本人办理")
        level = self.who.level_refusal(actor, spec, t)
        if level is not None:
            return PermissionDenied(f"您没有办理「{t.title}」的权限：{level}")
        return PermissionDenied(f"您没有办理「{t.title}」的权限")

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


def _message(error: AnjianError | None) -> str | None:
    if error is None:
        return None
    if isinstance(error, RecordValidationError):
        return error.errors[0].message
    return str(error)


def _label(spec: EntitySpec, record: Mapping[str, Any]) -> str:
    title = record.get(spec.title_field) if spec.title_field else None
    return f"#{record.get('id')} {title}" if title else f"#{record.get('id')}"
