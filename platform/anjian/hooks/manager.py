"""Load enabled plugins, check they fit (anjian version, settings), and collect what they add."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from ..errors import PluginError
from . import specs
from .info import PluginInfo, check_requires, collect, plugin_settings

__all__ = ["NamedFunctions", "PluginHost", "hookimpl", "installed_entry_points"]

hookimpl = pluggy.HookimplMarker("anjian")
GROUP = "anjian.plugins"


@cache
def installed_entry_points(group: str) -> tuple[EntryPoint, ...]:
    """The installed entry points of ``group``. Scanning every installed distribution takes tens of
    milliseconds and what is installed does not change while a process runs, so it is read once."""
    return tuple(entry_points(group=group))


@dataclass(frozen=True)
class NamedFunctions:
    """The named validators and computed functions metadata may reference."""

    validators: Mapping[str, Callable[..., Any]]
    computed: Mapping[str, Callable[..., Any]]
    conditions: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    widgets: Mapping[str, Callable[..., Any]] = field(default_factory=dict)

    def names(self) -> dict[str, frozenset[str]]:
        return {
            "validator": frozenset(self.validators),
            "computed": frozenset(self.computed),
            "condition": frozenset(self.conditions),
            "widget": frozenset(self.widgets),
        }


class PluginHost:
    """pluggy manager with the anjian specs, loading only the enabled entry points."""

    def __init__(
        self,
        enabled: Iterable[str] = (),
        extra: Iterable[ModuleType | object] = (),
        group: str = GROUP,
        *,
        values: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        """Load ``enabled`` entry points of ``group``; ``values`` holds each plugin's raw settings
        (``ANJIAN_<PLUGIN>_<FIELD>`` as ``{plugin: {field: text}}``, see ``config.load_settings``)."""
        self.pm = pluggy.PluginManager("anjian")
        self.pm.add_hookspecs(specs)
        available = {ep.name: ep for ep in installed_entry_points(group)}
        self.infos: dict[str, PluginInfo] = {}
        self.settings: dict[str, Any] = {}
        external: set[str] = set()
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
            if available[name].dist is not None and available[name].dist.name != "anjian":  # type: ignore[union-attr]
                external.add(name)
        for plugin in extra:
            self.pm.register(plugin)
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(str(exc.plugin), f"{exc}. Check the hook's name against anjian.hooks.specs.") from exc
        self._check_declarations(external, values or {})
        self.functions = self._collect_functions()

    def _check_declarations(self, external: set[str], values: Mapping[str, Mapping[str, str]]) -> None:
        """Version ranges first (a plugin for another engine must not run), then every settings problem at once."""
        for impl in self.pm.hook.anjian_plugin.get_hookimpls():
            info = impl.function()
            if not isinstance(info, PluginInfo):
                raise PluginError(impl.plugin_name, "anjian_plugin() must return anjian.hooks.PluginInfo.")
            check_requires(impl.plugin_name, info)
            self.infos[impl.plugin_name] = info
        for name in sorted(external - set(self.infos)):
            raise PluginError(
                name,
                "声明缺少支持的 anjian 版本（实现 anjian_plugin() 返回 PluginInfo(requires=...)）。 / "
                "declares no supported anjian versions: implement anjian_plugin() returning PluginInfo(requires=...).",
            )
        problems: list[tuple[str, str]] = []
        for name in sorted({*self.infos, *values}):
            info = self.infos.get(name)
            if info is None:
                problems += [(f"ANJIAN_{name.upper()}_{k.upper()}", f"plugin {name} declares no settings") for k in values[name]]
                continue
            model, found = plugin_settings(name, info, values.get(name, {}))
            self.settings[name] = model
            problems += found
        collect(problems)

    def names(self) -> list[str]:
        """Names of the registered plugins (entry-point names; bundled modules included)."""
        return [name for name, _plugin in self.pm.list_name_plugin()]

    def tables(self) -> list[Any]:
        """The plugins' own SQLAlchemy MetaData objects (``anjian_tables``)."""
        return [metadata for result in self.pm.hook.anjian_tables() for metadata in result]

    def blueprints(self) -> list[Any]:
        return [bp for result in self.pm.hook.anjian_blueprints() for bp in result]

    def cli_commands(self) -> list[Any]:
        return [command for result in self.pm.hook.anjian_cli_commands() for command in result]

    def beat_schedule(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for result in self.pm.hook.anjian_beat_schedule(settings=self.settings):
            for key, entry in result.items():
                if key in merged:
                    raise PluginError(key, "the beat entry is declared by two plugins; rename one.")
                merged[key] = entry
        return merged

    def register_tasks(self, celery: Any, platform: Callable[[], Any]) -> None:
        self.pm.hook.anjian_celery_tasks(celery=celery, platform=platform)

    @staticmethod
    def _merge(results: list[Mapping[str, Any]], kind: str) -> dict[str, Callable[..., Any]]:
        merged: dict[str, Callable[..., Any]] = {}
        for mapping in results:
            for name, fn in mapping.items():
                if name in merged and merged[name] is not fn:
                    raise PluginError(name, f"the {kind} name is registered by two plugins; rename one.")
                merged[name] = fn
        return merged

    @property
    def hook(self) -> Any:
        return self.pm.hook

    def metadata_paths(self) -> list[Path]:
        return [Path(p) for paths in self.pm.hook.anjian_metadata_paths() for p in paths]

    def _collect_functions(self) -> NamedFunctions:
        merge = self._merge
        return NamedFunctions(
            validators=merge(self.pm.hook.anjian_validators(), "validator"),
            computed=merge(self.pm.hook.anjian_computed(), "computed function"),
            conditions=merge(self.pm.hook.anjian_conditions(), "condition function"),
            widgets=merge(self.pm.hook.anjian_widgets(), "widget"),
        )
