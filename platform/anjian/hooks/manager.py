"""Load enabled plugins, check they fit, and collect their named functions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from ..errors import PluginError
from . import specs

__all__ = ["NamedFunctions", "PluginHost", "hookimpl"]

hookimpl = pluggy.HookimplMarker("anjian")
GROUP = "anjian.plugins"


@dataclass(frozen=True)
class NamedFunctions:
    """The named validators and computed functions metadata may reference."""

    validators: Mapping[str, Callable[..., Any]]
    computed: Mapping[str, Callable[..., Any]]
    conditions: Mapping[str, Callable[..., Any]] = field(default_factory=dict)

    def names(self) -> dict[str, frozenset[str]]:
        return {
            "validator": frozenset(self.validators),
            "computed": frozenset(self.computed),
            "condition": frozenset(self.conditions),
        }


class PluginHost:
    """pluggy manager with the anjian specs, loading only the enabled entry points."""

    def __init__(self, enabled: Iterable[str] = (), extra: Iterable[ModuleType | object] = (), group: str = GROUP) -> None:
        self.pm = pluggy.PluginManager("anjian")
        self.pm.add_hookspecs(specs)
        available = {ep.name: ep for ep in entry_points(group=group)}
        for name in enabled:
            if name not in available:
                raise PluginError(
                    name,
                    f"is enabled in ANJIAN_PLUGINS but no installed distribution provides it. "
                    f"Installed plugins: {', '.join(sorted(available)) or '(none)'}.",
                )
            try:
                plugin = available[name].load()
            except Exception as exc:  # an import error inside a plugin must name the plugin
                raise PluginError(name, f"failed to import: {exc!r}") from exc
            self.pm.register(plugin, name=name)
        for plugin in extra:
            self.pm.register(plugin)
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(str(exc.plugin), f"{exc}. Check the hook's name against anjian.hooks.specs.") from exc
        self.functions = self._collect_functions()

    @property
    def hook(self) -> Any:
        return self.pm.hook

    def metadata_paths(self) -> list[Path]:
        return [Path(p) for paths in self.pm.hook.anjian_metadata_paths() for p in paths]

    def _collect_functions(self) -> NamedFunctions:
        def merge(results: list[Mapping[str, Any]], kind: str) -> dict[str, Callable[..., Any]]:
            merged: dict[str, Callable[..., Any]] = {}
            for mapping in results:
                for name, fn in mapping.items():
                    if name in merged and merged[name] is not fn:
                        raise PluginError(name, f"the {kind} name is registered by two plugins; rename one.")
                    merged[name] = fn
            return merged

        return NamedFunctions(
            validators=merge(self.pm.hook.anjian_validators(), "validator"),
            computed=merge(self.pm.hook.anjian_computed(), "computed function"),
            conditions=merge(self.pm.hook.anjian_conditions(), "condition function"),
        )
