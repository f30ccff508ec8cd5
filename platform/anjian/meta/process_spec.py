"""Frozen specs of processes (approval workflows) and their deadline rules."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from .frozen import FrozenSpec

__all__ = ["DeadlineSpec", "Duration", "ProcessSpec", "StageSpec", "StateSpec", "TransitionSpec"]

STAGE_KINDS = ("reminder", "warning", "supervision", "overdue")


class Duration(FrozenSpec):
    amount: int
    unit: str  # hours | days | workdays
    roll_to_workday: bool = False


class StateSpec(FrozenSpec):
    name: str
    title: str
    description: str = ""
    editable: tuple[str, ...] | str = "all"  # a list of fields, "all" or "none"
    locked: bool = False
    end: bool = False

    def may_edit(self, field: str) -> bool:
        if self.locked or self.editable == "none":
            return False
        return self.editable == "all" or field in self.editable


class TransitionSpec(FrozenSpec):
    name: str
    title: str
    sources: tuple[str, ...]
    to: str = ""  # empty: the step records an act and leaves the record in its state (e.g. 越级直报)
    roles: tuple[str, ...]
    condition: str | None = None
    check: str | None = None
    requires: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    sets: dict[str, Any] = {}
    comment: str = "optional"
    attachment: str = "none"
    allow_creator: bool = True
    style: str = "primary"
    actor_level: tuple[str, ...] = ()  # REACH_LEVELS a grant must be at to take it (empty: any level)
    notify: tuple[str, ...] = ()  # recipients told when it is taken (targets as in a stage's notify)

    @property
    def action(self) -> str:
        """The casbin action that allows taking this transition."""
        return f"transition.{self.name}"

    def target(self, state: str) -> str:
        """The state it leads to from ``state`` (a step without ``to`` stays where it is)."""
        return self.to or state


class StageSpec(FrozenSpec):
    kind: str
    title: str = ""
    before: Duration | None = None
    after: Duration | None = None
    notify: tuple[str, ...] = ("actors",)
    recompute: bool = False  # when it fires, the record is saved again so time-dependent computed values follow


class DeadlineSpec(FrozenSpec):
    name: str
    title: str
    start_state: str | None = None
    start_transition: str | None = None
    due_field: str | None = None
    due: Duration | None = None
    ends: tuple[str, ...] = ()
    pauses: tuple[str, ...] = ()
    when: str | None = None  # a condition over the record: the clock starts only if it holds
    extension_times: int | None = None  # how many extensions may be approved (None: no limit)
    extension_at_most: Duration | None = None  # the longest one extension may be
    stages: tuple[StageSpec, ...] = ()
    repeat: bool = False  # after its last stage the clock runs again for the same period, until it ends
    basis: dict[str, str] = {}  # kind (law/commitment/order), source, confidence, setting (meta.profile)


class ProcessSpec(FrozenSpec):
    name: str
    title: str
    description: str = ""
    entity: str
    start: str
    states: tuple[StateSpec, ...]
    transitions: tuple[TransitionSpec, ...]
    deadlines: tuple[DeadlineSpec, ...] = ()
    amendment_field: str | None = None
    amendment_roles: tuple[str, ...] = ()
    migration: dict[str, str] | None = None
    source: str = ""
    content: dict[str, Any] = {}

    @cached_property
    def by_state(self) -> dict[str, StateSpec]:
        return {s.name: s for s in self.states}

    @cached_property
    def by_transition(self) -> dict[str, TransitionSpec]:
        return {t.name: t for t in self.transitions}

    def state(self, name: str) -> StateSpec:
        return self.by_state[name]

    def leaving(self, state: str) -> list[TransitionSpec]:
        return [t for t in self.transitions if state in t.sources]

    @property
    def end_states(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states if s.end)


def build_process(content: dict[str, Any], source: str = "") -> ProcessSpec:
    """A ProcessSpec from a document already checked against process.schema.json."""

    def duration(d: dict[str, Any] | None) -> Duration | None:
        return Duration(**d) if d else None

    states = []
    for name, s in content["states"].items():
        editable = s.get("editable", "all")
        states.append(
            StateSpec(
                name=name,
                title=s["title"],
                description=s.get("description", ""),
                editable=tuple(editable) if isinstance(editable, list) else editable,
                locked=bool(s.get("locked", False)),
                end=bool(s.get("end", False)),
            )
        )
    transitions = [
        TransitionSpec(
            name=t["name"],
            title=t["title"],
            sources=(t["from"],) if isinstance(t["from"], str) else tuple(t["from"]),
            to=t.get("to", ""),
            roles=tuple(t["roles"]),
            condition=t.get("condition"),
            check=t.get("check"),
            requires=tuple(t.get("requires", ())),
            fields=tuple(t.get("fields", ())),
            sets=dict(t.get("sets", {})),
            comment=t.get("comment", "optional"),
            attachment=t.get("attachment", "none"),
            allow_creator=bool(t.get("allow_creator", True)),
            style=t.get("style", "primary"),
            actor_level=tuple(t.get("actor_level", ())),
            notify=tuple(t.get("notify", ())),
        )
        for t in content["transitions"]
    ]
    deadlines = []
    for d in content.get("deadlines", ()):
        due = d["due"]
        deadlines.append(
            DeadlineSpec(
                name=d["name"],
                title=d["title"],
                start_state=d["starts"].get("state"),
                start_transition=d["starts"].get("transition"),
                due_field=due.get("field"),
                due=Duration(amount=due["amount"], unit=due["unit"], roll_to_workday=bool(due.get("roll_to_workday", False)))
                if "amount" in due and "unit" in due
                else None,
                ends=tuple(d.get("ends", ())),
                pauses=tuple(d.get("pauses", ())),
                when=d.get("when"),
                extension_times=d.get("extension", {}).get("times"),
                extension_at_most=duration(d.get("extension", {}).get("at_most")),
                basis=dict(d.get("basis", {})),
                repeat=bool(d.get("repeat", False)),
                stages=tuple(
                    StageSpec(
                        kind=s["kind"],
                        title=s.get("title", ""),
                        before=duration(s.get("before")),
                        after=duration(s.get("after")),
                        notify=tuple(s.get("notify", ("actors",))),
                        recompute=bool(s.get("recompute", False)),
                    )
                    for s in d.get("stages", ())
                ),
            )
        )
    amendment = content.get("amendment") or {}
    return ProcessSpec(
        name=content["process"],
        title=content["title"],
        description=content.get("description", ""),
        entity=content["entity"],
        start=content["start"],
        states=tuple(states),
        transitions=tuple(transitions),
        deadlines=tuple(deadlines),
        amendment_field=amendment.get("field"),
        amendment_roles=tuple(amendment.get("roles", ())),
        migration=(content.get("migration") or {}).get("states"),
        source=source,
        content=content,
    )
