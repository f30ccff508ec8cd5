"""The policy of one moment: role templates from the catalog, grants and accounts from the database.

Built into a casbin FastEnforcer keyed on (entity, action); decisions are memoised until the
policy or the catalog changes, or the next temporary grant expires.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import casbin

from ..access import Account, Grant
from ..meta.process_spec import ProcessSpec
from ..meta.spec import BUILTIN_ROLES, ModuleSpec
from .regions import ALL, within

__all__ = ["BUILTIN_ROLES", "Account", "Grant", "PolicyState"]

MODEL = str(Path(__file__).with_name("model.conf"))


class PolicyState:
    """casbin enforcer + grants + accounts, immutable once built."""

    def __init__(
        self,
        key: tuple[int, int],
        modules: Iterable[ModuleSpec],
        grants: Iterable[Grant],
        accounts: Mapping[str, Account],
        now: dt.datetime,
        processes: Iterable[ProcessSpec] = (),
    ) -> None:
        self.key = key
        self.accounts = dict(accounts)
        self.enforcer = casbin.FastEnforcer(MODEL, cache_key_order=[2, 3])
        self.enforcer.add_named_domain_matching_func("g", lambda request, granted: within(request, granted))
        self.roles: dict[str, dict[str, tuple[str, ...]]] = {r: dict(p) for r, p in BUILTIN_ROLES.items()}
        rules, links = [], []
        self.inherits: dict[str, tuple[str, ...]] = {}
        for module in modules:
            for role in module.roles:
                self.roles[role.name] = dict(role.permissions)
                self.inherits[role.name] = role.inherits
                links += [[role.name, parent, ALL] for parent in role.inherits]
        for name, permissions in self.roles.items():
            rules += [[name, ALL, entity, action] for entity, actions in permissions.items() for action in actions]
        # Workflow transitions are actions too: the roles a process names may take them.
        for process in processes:
            for transition in process.transitions:
                rules += [[role, ALL, process.entity, transition.action] for role in transition.roles]
                for name in transition.roles:
                    self.roles.setdefault(name, {}).setdefault(process.entity, ())
                    self.roles[name][process.entity] += (transition.action,)
            rules += [[role, ALL, process.entity, "amend"] for role in process.amendment_roles]
        rules = [list(r) for r in dict.fromkeys(tuple(r) for r in rules)]
        live = [g for g in grants if g.expires_at is None or g.expires_at > now]
        links += [[g.username, g.role, g.region] for g in live]
        if rules:
            self.enforcer.add_policies(rules)
        if links:
            self.enforcer.add_grouping_policies(links)
        self.grants: dict[str, list[Grant]] = {}
        for g in live:
            self.grants.setdefault(g.username, []).append(g)
        expiries = [g.expires_at for g in live if g.expires_at is not None]
        self.valid_until = min(expiries) if expiries else None
        self._memo: dict[tuple[str, str, str, str], bool] = {}

    def allowed(self, username: str, region: str, entity: str, action: str) -> bool:
        """casbin's decision for one region, memoised."""
        key = (username, region, entity, action)
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) > 200_000:
                self._memo.clear()
            found = self._memo[key] = bool(self.enforcer.enforce(username, region, entity, action))
        return found

    def regions(self, username: str, entity: str, action: str) -> list[str]:
        """The regions in which ``username`` may do ``action`` on ``entity`` (from their grants)."""
        return [g.region for g in self.grants.get(username, ()) if self.allowed(username, g.region, entity, action)]

    def holds_role(self, username: str, region: str, roles: Iterable[str]) -> bool:
        """Whether one of the user's grants over ``region`` carries (or includes) one of ``roles``."""
        wanted = set(roles)
        return any(
            within(region, g.region) and any(self.role_includes(g.role, r) for r in wanted) for g in self.grants.get(username, ())
        )

    def role_includes(self, role: str, other: str) -> bool:
        seen, stack = set(), [role]
        while stack:
            current = stack.pop()
            if current == other:
                return True
            if current not in seen:
                seen.add(current)
                stack.extend(self.inherits.get(current, ()))
        return False

    def role_allows(self, role: str, entity: str, action: str) -> bool:
        """Whether ``role`` (with the roles it includes) carries the permission."""
        seen, stack = set(), [role]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            if action in self.roles.get(current, {}).get(entity, ()):
                return True
            stack.extend(self.inherits.get(current, ()))
        return False

    def explain(self, username: str, entity: str, actions: Iterable[str]) -> list[dict[str, Any]]:
        """Each grant of the user with the actions its own role allows on ``entity``."""
        actions = list(actions)
        return [
            {
                "grant": g.id,
                "role": g.role,
                "region": g.region,
                "expires_at": g.expires_at.isoformat() if g.expires_at else None,
                "allows": [a for a in actions if self.role_allows(g.role, entity, a)],
            }
            for g in self.grants.get(username, ())
        ]
