"""Legal clocks on records: when they start, stop, pause, resume and escalate.

A deadline is a row with its due time and ``next_fire_at``, the moment its next escalation stage
(reminder -> warning -> supervision -> overdue) falls due. The scanner only reads rows whose
``next_fire_at`` has passed (an index range), so a timer that fell due while the platform was
down fires at the next scan, and 100,000 open deadlines cost nothing until they are due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, insert, select, update

from ..meta.process_spec import DeadlineSpec, Duration, ProcessSpec, StageSpec
from .calendar import WorkCalendar, due_at, shift_for_pause
from .expr import parse_condition
from .tables import deadline, history

__all__ = ["STAGE_TITLES", "Deadlines"]

STAGE_TITLES = {"reminder": "提醒", "warning": "预警", "supervision": "督办", "overdue": "逾期"}
OPEN = ("open", "paused")


class Deadlines:
    """Deadline arithmetic and the deadline rows of process instances."""

    def __init__(self, zone: ZoneInfo, calendar: Callable[[], WorkCalendar]) -> None:
        self.zone = zone
        self._calendar = calendar

    @property
    def calendar(self) -> WorkCalendar:
        return self._calendar()

    # ---- arithmetic ------------------------------------------------------------------------

    def add(self, start: dt.datetime, duration: Duration) -> dt.datetime:
        return due_at(start, duration.amount, duration.unit, self.calendar, self.zone, duration.roll_to_workday)

    def subtract(self, moment: dt.datetime, duration: Duration) -> dt.datetime:
        """``duration`` before ``moment``; working days are counted back on the calendar."""
        if duration.unit == "hours":
            return moment - dt.timedelta(hours=duration.amount)
        if duration.unit == "days":
            return moment - dt.timedelta(days=duration.amount)
        local = moment.replace(tzinfo=dt.UTC).astimezone(self.zone)
        day, left = local.date(), duration.amount
        while left:
            day -= dt.timedelta(days=1)
            if self.calendar.is_workday(day):
                left -= 1
        shifted = dt.datetime.combine(day, local.timetz())
        return shifted.astimezone(dt.UTC).replace(tzinfo=None)

    def field_moment(self, value: Any) -> dt.datetime | None:
        """A date field is due at the end of its local day; a date-time at its moment (UTC, naive)."""
        if value in (None, ""):
            return None
        if isinstance(value, dt.datetime):
            return value if value.tzinfo is None else value.astimezone(dt.UTC).replace(tzinfo=None)
        text = str(value)
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            end = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=self.zone)
            return end.astimezone(dt.UTC).replace(tzinfo=None)
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return moment.astimezone(dt.UTC).replace(tzinfo=None)

    def due_for(self, rule: DeadlineSpec, record: Mapping[str, Any], start: dt.datetime) -> dt.datetime | None:
        """When ``rule`` falls due for ``record`` started at ``start`` (None: its date field is empty)."""
        if rule.due_field:
            base = self.field_moment(record.get(rule.due_field))
            if base is None:
                return None
            return self.add(base, rule.due) if rule.due else base
        assert rule.due is not None
        return self.add(start, rule.due)

    def stage_time(self, stage: StageSpec, due: dt.datetime) -> dt.datetime:
        if stage.before:
            return self.subtract(due, stage.before)
        if stage.after:
            return self.add(due, stage.after)
        return due

    def next_stage(self, rule: DeadlineSpec, due: dt.datetime, after: dt.datetime) -> tuple[int, dt.datetime | None]:
        """The first stage still ahead of ``after`` and when it fires."""
        for index, stage in enumerate(rule.stages):
            moment = self.stage_time(stage, due)
            if moment > after:
                return index, moment
        return len(rule.stages), None

    # ---- rows --------------------------------------------------------------------------------

    def on_step(
        self,
        conn: Connection,
        instance: Mapping[str, Any],
        process: ProcessSpec,
        transition: str | None,
        source: str | None,
        target: str,
        record: Mapping[str, Any],
        now: dt.datetime,
    ) -> None:
        """Update the instance's deadlines for a step from ``source`` to ``target``."""
        rows = [
            dict(r._mapping)
            for r in conn.execute(select(deadline).where(deadline.c.instance_id == instance["id"], deadline.c.status.in_(OPEN)))
        ]
        rules = {d.name: d for d in process.deadlines}
        for row in rows:
            rule = rules.get(row["rule"])
            if rule is None:
                continue
            if rule.ends:
                ends = target in rule.ends or transition in rule.ends
            else:  # by default a clock started by a state stops when the record leaves it (pauses aside)
                ends = rule.start_state is not None and target not in (rule.start_state, *rule.pauses)
            if target in process.end_states or ends:
                conn.execute(
                    update(deadline).where(deadline.c.id == row["id"]).values(status="met", ended_at=now, next_fire_at=None)
                )
            elif target in rule.pauses and row["status"] == "open":
                conn.execute(
                    update(deadline).where(deadline.c.id == row["id"]).values(status="paused", paused_at=now, next_fire_at=None)
                )
            elif row["status"] == "paused" and target not in rule.pauses:
                due = shift_for_pause(
                    row["due_at"], row["paused_at"], now, row["unit"], self.calendar, self.zone, whole_days=True
                )
                stage, fire = self.next_stage(rule, due, now)
                stage = max(stage, row["stage"])
                fire = self.stage_time(rule.stages[stage], due) if stage < len(rule.stages) else None
                conn.execute(
                    update(deadline)
                    .where(deadline.c.id == row["id"])
                    .values(status="open", paused_at=None, due_at=due, stage=stage, next_fire_at=fire)
                )
        for rule in process.deadlines:
            starts = (rule.start_state is not None and rule.start_state == target and source != target) or (
                rule.start_transition is not None and rule.start_transition == transition
            )
            if starts:
                self.start(conn, instance, rule, record, now)

    def start(
        self, conn: Connection, instance: Mapping[str, Any], rule: DeadlineSpec, record: Mapping[str, Any], now: dt.datetime
    ) -> None:
        # A clock that starts again (a record sent back and resubmitted) replaces the running one.
        conn.execute(
            update(deadline)
            .where(and_(deadline.c.instance_id == instance["id"], deadline.c.rule == rule.name, deadline.c.status.in_(OPEN)))
            .values(status="cancelled", ended_at=now, next_fire_at=None)
        )
        if rule.when and not parse_condition(rule.when)(record):
            return  # e.g. the clock to forward beyond the city runs only for grades reported that far
        due = self.due_for(rule, record, now)
        if due is None:
            return
        stage, fire = self.next_stage(rule, due, now)
        if fire is None and rule.stages:  # started already past due: the last stage fires at the next scan
            stage, fire = len(rule.stages) - 1, now
        conn.execute(
            insert(deadline).values(
                instance_id=instance["id"],
                entity=instance["entity"],
                record_id=instance["record_id"],
                rule=rule.name,
                title=rule.title,
                unit=rule.due.unit if rule.due else "days",
                started_at=now,
                due_at=due,
                status="open",
                stage=stage,
                stage_kind="",
                next_fire_at=fire,
            )
        )

    def follow(
        self, conn: Connection, instance: Mapping[str, Any], process: ProcessSpec, record: Mapping[str, Any], now: dt.datetime
    ) -> None:
        """Clocks with a ``when`` follow the record as it is saved, not only when their state is entered.

        Why: a 续报 or 补报 that raises an accident's grade while it is already at the city must start
        the city's clock to forward it to the province, and switch the 续报 reminders from daily to
        twice daily. A clock whose condition has come to hold starts now if the record is within its
        span (its start state reached, none of its ends entered); a running one whose condition no
        longer holds is cancelled. A clock that was met stays met.
        """
        state = instance["state"]
        conditional = [d for d in process.deadlines if d.when and d.start_state]
        if not conditional or state in process.end_states:
            return
        rows: dict[str, dict[str, Any]] = {}
        for r in conn.execute(select(deadline).where(deadline.c.instance_id == instance["id"]).order_by(deadline.c.id)):
            rows[r.rule] = dict(r._mapping)  # the latest row of each rule
        steps = conn.execute(select(history.c.to_state, history.c.transition).where(history.c.instance_id == instance["id"]))
        visited: set[str] = set()
        taken: set[str] = set()
        for to_state, name in steps:
            visited.add(to_state)
            taken.add(name)
        for rule in conditional:
            assert rule.when is not None
            holds = parse_condition(rule.when)(record)
            row = rows.get(rule.name)
            if row is not None and row["status"] in OPEN:
                if not holds:
                    stop = {"status": "cancelled", "ended_at": now, "next_fire_at": None}
                    conn.execute(update(deadline).where(deadline.c.id == row["id"]).values(stop))
            elif holds and (row is None or row["status"] != "met") and _within_span(rule, state, visited, taken):
                self.start(conn, instance, rule, record, now)

    def fire(self, conn: Connection, row: Mapping[str, Any], rule: DeadlineSpec, now: dt.datetime) -> list[StageSpec]:
        """Fire every stage of ``row`` that has fallen due by ``now``, in order; return them."""
        fired: list[StageSpec] = []
        index = row["stage"]
        while index < len(rule.stages) and self.stage_time(rule.stages[index], row["due_at"]) <= now:
            fired.append(rule.stages[index])
            index += 1
        upcoming = self.stage_time(rule.stages[index], row["due_at"]) if index < len(rule.stages) else None
        values: dict[str, Any] = {"stage": index, "stage_kind": fired[-1].kind if fired else row["stage_kind"]}
        if upcoming is None and rule.repeat and rule.due is not None and rule.stages:
            values.update(self._next_round(rule, row["due_at"], now))
        else:
            values["next_fire_at"] = upcoming
        done = conn.execute(
            update(deadline)
            .where(deadline.c.id == row["id"], deadline.c.stage == row["stage"], deadline.c.status == "open")
            .values(values)
        )
        return fired if done.rowcount == 1 else []  # another scan fired them first

    def _next_round(self, rule: DeadlineSpec, due: dt.datetime, now: dt.datetime) -> dict[str, Any]:
        """A repeating clock's next round: due moves on by the period past ``now`` (missed rounds are not fired twice)."""
        assert rule.due is not None
        due = self.add(due, rule.due)
        while self.stage_time(rule.stages[-1], due) <= now:
            due = self.add(due, rule.due)
        stage, fire = self.next_stage(rule, due, now)
        return {"due_at": due, "stage": stage, "next_fire_at": fire}

    def extend(
        self, conn: Connection, row: Mapping[str, Any], rule: DeadlineSpec | None, duration: Duration, now: dt.datetime
    ) -> dt.datetime:
        """Move the due time by ``duration``; stages not yet due fire again at their new times."""
        due = self.add(row["due_at"], duration)
        values: dict[str, Any] = {"due_at": due}
        if rule is not None and row["status"] == "open":
            stage, fire = self.next_stage(rule, due, now)
            values.update(stage=stage, next_fire_at=fire)
        conn.execute(update(deadline).where(deadline.c.id == row["id"]).values(values))
        return due


def _within_span(rule: DeadlineSpec, state: str, visited: set[str], taken: set[str]) -> bool:
    """Whether a record in ``state`` is where ``rule``'s clock runs: its start state reached, no end
    state entered, no step that ends it taken (e.g. a unit that reported to the province before the
    grade rose has nothing left to report)."""
    if rule.start_state not in visited and rule.start_state != state:
        return False
    if rule.ends:
        return state not in rule.ends and not taken & set(rule.ends)
    return state in (rule.start_state, *rule.pauses)
