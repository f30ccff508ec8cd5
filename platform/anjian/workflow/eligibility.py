"""Who may do what on a record in a process: take a step, amend, approve; and who is told.

One rule answers "who may act now" (``act_clause``): the step's permission over the record's
region (or its owner, for enterprise users) and the step's four-eyes rule, as one SQL condition.
The inbox lists records by it, the record page and the API offer steps by it (``acting``), the
engine takes steps by it and notices go to the users it names (``actors``), so none of them can
disagree. A step's condition (or check) is not part of who acts: a plan that is not complete yet
is still the enterprise's to write, so the step shows, with what is missing, and is refused until
it is met.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, case, false, literal, or_, select, true

from ..access import Access
from ..audit import Actor
from ..authz.access import area_level
from ..authz.regions import prefix, region_range
from ..data.records import ValidationContext
from ..errors import FieldError, PermissionDenied, WorkflowRefused
from ..meta.process_spec import ProcessSpec, StateSpec, TransitionSpec
from ..meta.spec import REACH_LEVELS, EntitySpec
from .agencies import agency_staff, level_agency_staff
from .expr import Condition, parse_condition

__all__ = ["Eligibility"]

BATCH = 200  # users asked in one query (one column each)
LEVEL_TITLES = {"county": "县级", "city": "设区的市级", "province": "省级", "national": "国家级"}


class Eligibility:
    def __init__(self, access: Access, registry_source: Callable[[], Any]) -> None:
        self.access = access
        self._registry = registry_source
        self._conditions: dict[str, Condition] = {}

    def permitted(self, actor: Actor, spec: EntitySpec, record: Mapping[str, Any], action: str) -> bool:
        """May ``actor`` do ``action`` on this record (entity-level and over its region/owner)?"""
        try:  # administrators pass inside the policy too, after an API key's own scopes are applied
            self.access.check(actor, spec, action)
            self.access.check_record(actor, spec, record, action)
        except PermissionDenied:
            return False
        return True

    def act_clause(self, actor: Actor, spec: EntitySpec, table: Table, transition: TransitionSpec) -> ColumnElement[bool]:
        """The records of ``table`` on which ``actor`` may take ``transition`` (the one rule, as SQL)."""
        try:
            self.access.check(actor, spec, transition.action)
        except PermissionDenied:
            return false()
        scope = self.access.scope(actor, spec, table, transition.action)
        clause: ColumnElement[bool] = true() if scope is None else scope
        if not transition.allow_creator:
            clause = and_(clause, or_(table.c.created_by.is_(None), table.c.created_by != actor.username))
        if transition.actor_level and not actor.is_admin:
            clause = and_(clause, self._level_clause(actor, spec, table, transition))
        return clause

    def _level_clause(self, actor: Actor, spec: EntitySpec, table: Table, transition: TransitionSpec) -> ColumnElement[bool]:
        """The records within the actor's grants at the step's levels (``actor_level``).

        Why: a province grant covers every county, so the region alone would let a county
        officer's step (报设区的市) be taken by the province, or the province's by the county;
        each level takes the steps of its own level.
        """
        areas = [
            area
            for area in self.access.regions(actor.username, spec.name, transition.action)
            if REACH_LEVELS[area_level(area)] in transition.actor_level
        ]
        if not areas:
            return false()
        if not spec.scope:
            return true()
        column = table.c[spec.scope]
        clauses: list[ColumnElement[bool]] = []
        for area in areas:
            bounds = region_range(area)
            if bounds is None:
                return true()
            clauses.append(and_(column >= bounds[0], column < bounds[1]))
        return or_(false(), *clauses)

    def level_refusal(self, actor: Actor, spec: EntitySpec, transition: TransitionSpec) -> str | None:
        """Why a step is not ``actor``'s because of the level of their grants (None: not that)."""
        if not transition.actor_level or actor.is_admin:
            return None
        areas = self.access.regions(actor.username, spec.name, transition.action)
        if not areas or any(REACH_LEVELS[area_level(a)] in transition.actor_level for a in areas):
            return None
        levels = "、".join(LEVEL_TITLES[level] for level in transition.actor_level)
        return f"「{transition.title}」由{levels}办理"

    def acting(
        self, conn: Connection, actor: Actor, spec: EntitySpec, record_id: int, transitions: Iterable[TransitionSpec]
    ) -> set[str]:
        """The names of ``transitions`` that are ``actor``'s to take on the record now."""
        steps = list(transitions)
        if not steps:
            return set()
        table = self._registry().table(spec.name)
        columns = [case((self.act_clause(actor, spec, table, t), literal(1)), else_=literal(0)) for t in steps]
        row = conn.execute(select(*columns).where(table.c.id == record_id)).first()
        return {t.name for t, yes in zip(steps, row or (), strict=False) if yes}

    def refusal(
        self, actor: Actor, spec: EntitySpec, record: Mapping[str, Any], transition: TransitionSpec
    ) -> WorkflowRefused | None:
        """Why a step that is ``actor``'s to take cannot be taken yet: its condition (None: it can)."""
        met = not transition.condition or self.condition(transition.condition)(record)
        if met and transition.check:
            function = self._registry().functions.conditions.get(transition.check)
            context = ValidationContext(spec, actor, record, record, catalog=self._registry().catalog)
            met = function is not None and bool(function(record, context))
        if met:
            return None
        missing = [spec.field(f).title for f in transition.requires if spec.has_field(f) and record.get(f) in (None, "", [])]
        if missing:
            text = f"办理「{transition.title}」前请先填写：{'、'.join(missing)}"
        else:
            why = f"（{transition.condition}）" if transition.condition else ""
            text = f"不满足「{transition.title}」的条件{why}"
        return WorkflowRefused(spec.name, [FieldError("", text, "condition")])

    def condition(self, text: str) -> Condition:
        """The parsed condition (parsed once per text; the checker has accepted it at publish)."""
        found = self._conditions.get(text)
        if found is None:
            found = self._conditions[text] = parse_condition(text)
        return found

    def may_amend(
        self, actor: Actor, spec: EntitySpec, record: Mapping[str, Any], process: ProcessSpec, state: StateSpec | None
    ) -> bool:
        if not process.amendment_field or state is None or not state.locked:
            return False
        return self.permitted(actor, spec, record, "amend")

    def actors(self, conn: Connection, spec: EntitySpec, process: ProcessSpec, state: str, record_id: int) -> set[str]:
        """Every user whose step it is now: who may take a transition out of ``state`` (for notices)."""
        leaving = process.leaving(state)
        candidates = sorted(
            u for u in self.access.grants() if any(self.access.regions(u, spec.name, t.action) for t in leaving)
        )
        table = self._registry().table(spec.name)
        found: set[str] = set()
        for start in range(0, len(candidates), BATCH):
            batch = candidates[start : start + BATCH]
            columns = [
                case((or_(*(self.act_clause(Actor(username=u), spec, table, t) for t in leaving)), literal(1)), else_=literal(0))
                for u in batch
            ]
            row = conn.execute(select(*columns).where(table.c.id == record_id)).first()
            found |= {u for u, yes in zip(batch, row or (), strict=False) if yes}
        return found

    def recipients(
        self,
        conn: Connection,
        spec: EntitySpec,
        process: ProcessSpec,
        state: str,
        record: Mapping[str, Any],
        targets: tuple[str, ...],
    ) -> set[str]:
        """The users a stage's ``notify`` list names: actors, creator, owner, role:<name>, agency:<link field>."""
        found: set[str] = set()
        region = spec.region_of(record)
        for target in targets:
            if target == "actors":
                found |= self.actors(conn, spec, process, state, int(record["id"]))
            elif target == "creator" and record.get("created_by"):
                found.add(str(record["created_by"]))
            elif target == "owner" and spec.owner and record.get(spec.owner) is not None:
                found |= self.access.enterprise_users(record[spec.owner])
            elif target.startswith("role:") and region and "@" in target:
                role, level = target[5:].split("@", 1)
                found |= self.level_role_holders(region, role, level)
            elif target.startswith("role:") and region:
                found |= {u for u in self.access.grants() if self.access.holds_role(u, region, (target[5:],))}
            elif target.startswith("agency:"):
                found |= agency_staff(conn, self._registry(), self.access, record.get(target[7:]))
            elif target.startswith("agencies:"):
                for staff in self.level_agencies(conn, spec, record, target[9:]).values():
                    found |= staff
        return found

    def level_role_holders(self, region: str, role: str, level: str) -> set[str]:
        """Holders of ``role`` over ``region`` through a grant at ``level`` (``role:<name>@<level>``).

        Why: a level skipped by 越级上报 must still be told, and only that level: the city's officers,
        not every officer whose grant covers the county.
        """
        found: set[str] = set()
        for user, grants in self.access.grants().items():
            at_level = [g for g in grants if REACH_LEVELS[area_level(g.region)] == level and _covers(g.region, region)]
            if at_level and any(self.access.holds_role(user, g.region, (role,)) for g in at_level):
                found.add(user)
        return found

    def level_agencies(
        self, conn: Connection, spec: EntitySpec, record: Mapping[str, Any], setting: str, level: Any = None
    ) -> dict[str, set[str]]:
        """The agencies an ``agencies:<setting>`` target names, at ``level`` (default: the level the record has reached).

        A step that sets the record's reach tells the agencies of the level it brings the record to;
        the record may have reached higher already (the unit reported straight to the province),
        yet the county that receives it tells the county's government.
        """
        registry = self._registry()
        if not isinstance(level, str) or not level:
            level = str(record.get(spec.reach) or "county") if spec.reach else "county"
        words = registry.catalog.profile.value(setting)
        return level_agency_staff(conn, registry, self.access, level, str(spec.region_of(record) or ""), words)


def _covers(area: str, region: str) -> bool:
    """Whether a grant over ``area`` covers ``region``."""
    return region.startswith(prefix(area))
