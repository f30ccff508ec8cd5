"""URL rules' builder functions compiled once per test process, not once per Flask app.

A test session builds hundreds of applications in one process, each with the same ~210 URL
rules, and Werkzeug compiles two small Python functions per rule for every one of them (the URL
builders: about two thirds of building an app). Such a function depends only on the rule's text,
its parsed parts and the defaults it folds in, and receives the rule itself as its first argument,
so one compiled function serves every app's copy of the rule. Installed by the pytest plugin
only: a server builds one application and gains nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule

__all__ = ["share_route_builders"]

_builders: dict[tuple[Any, ...], Callable[..., tuple[str, str]]] = {}
_lock = threading.Lock()


def _key(rule: Rule, append_unknown: bool) -> tuple[Any, ...]:
    """Everything Werkzeug's builder code is made from (``Rule._compile_builder``): the rule's text
    (the function's name), its parts in order, and each default folded in as its URL text."""
    defaults = rule.defaults or {}
    trace = tuple(rule._trace)
    folded = tuple(
        (name, rule._converters[name].to_url(defaults[name])) for dynamic, name in trace if dynamic and name in defaults
    )
    return (rule.rule, trace, tuple(sorted(map(str, defaults))), folded, append_unknown)


def share_route_builders() -> None:
    """Make ``Rule._compile_builder`` reuse what it compiled for an equal rule (idempotent)."""
    original = Rule._compile_builder
    if getattr(original, "_anjian_shared", False):
        return

    def shared(self: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        key = _key(self, append_unknown)
        with _lock:
            found = _builders.get(key)
        if found is None:
            found = original(self, append_unknown)
            with _lock:
                _builders[key] = found
        return found

    shared._anjian_shared = True  # type: ignore[attr-defined]
    Rule._compile_builder = shared  # type: ignore[method-assign]
