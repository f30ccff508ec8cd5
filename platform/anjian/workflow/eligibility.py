"""Who may do what on a record in a process: take a step, amend, approve; and who is told.

Every answer comes from the access policy (casbin over the record's region, the owner for
enterprise users), the step's four-eyes rule and its condition, so the inbox, the buttons, the
notices and the engine agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..access import Access
from ..audit import Actor
from ..data.records import ValidationContext
from ..errors import AnjianError, FieldError, PermissionDenied, WorkflowRefused
from ..meta.process_spec import ProcessSpec, StateSpec, TransitionSpec
from ..meta.spec import EntitySpec
from .expr import Condition, parse_condition

__all__ = ["Eligibility"]


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

    def refusal(
        self, actor: Actor, spec: EntitySpec, record: Mapping[str, Any], transition: TransitionSpec
    ) -> AnjianError | None:
        """Why ``actor`` may not take ``transition`` on ``record`` now (None: they may).

        A missing permission is a 403; a condition the record does not meet (yet) is a 409.
        """
        if not self.permitted(actor, spec, record, transition.action):
            return PermissionDenied(f"您没有办理「{transition.title}」的权限")
        if not transition.allow_creator and record.get("created_by") == actor.username:
            return PermissionDenied(f"「{transition.title}」不能由记录的提交人本人办理")
        met = not transition.condition or self.condition(transition.condition)(record)
        if met and transition.check:
            function = self._registry().functions.conditions.get(transition.check)
            met = function is not None and bool(function(record, ValidationContext(spec, actor, record, record)))
        if not met:
            why = f"（{transition.condition}）" if transition.condition else ""
            return WorkflowRefused(spec.name, [FieldError("", f"不满足「{transition.title}」的条件{why}", "condition")])
        return None

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

    def actors(self, spec: EntitySpec, process: ProcessSpec, state: str, record: Mapping[str, Any]) -> set[str]:
        """Every user who may take some transition out of ``state`` on ``record`` (for notices)."""
        leaving = process.leaving(state)
        return {
            username
            for username in self.access.state().grants
            if any(self.refusal(Actor(username=username), spec, record, t) is None for t in leaving)
        }

    def recipients(
        self, spec: EntitySpec, process: ProcessSpec, state: str, record: Mapping[str, Any], targets: tuple[str, ...]
    ) -> set[str]:
        """The users a stage's ``notify`` list names: actors, creator, owner, role:<name>."""
        policy = self.access.state()
        found: set[str] = set()
        region = spec.region_of(record)
        for target in targets:
            if target == "actors":
                found |= self.actors(spec, process, state, record)
            elif target == "creator" and record.get("created_by"):
                found.add(str(record["created_by"]))
            elif target == "owner" and spec.owner and record.get(spec.owner) is not None:
                found |= {a.username for a in policy.accounts.values() if a.enterprise_id == record[spec.owner]}
            elif target.startswith("role:") and region:
                found |= {u for u in policy.grants if policy.holds_role(u, region, (target[5:],))}
        return found
