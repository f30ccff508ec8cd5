"""What a plugin declares about itself, and the checks made on it before the platform starts.

A plugin distribution states the anjian versions it was written for (a PEP 440 specifier, read
with ``packaging``) and the settings it reads (a pydantic model, filled from ``ANJIAN_<PLUGIN>_*``
variables). Both are checked when the plugin host is built, so a mismatch stops the start with
one message instead of failing later in a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ValidationError

from ..errors import ConfigError, PluginError

__all__ = ["PluginInfo", "anjian_version", "check_requires", "collect", "plugin_settings"]


@dataclass(frozen=True)
class PluginInfo:
    """A plugin's declaration: ``requires`` is the anjian version range, e.g. ``">=0.1,<0.3"``."""

    title: str
    requires: str
    settings: type[BaseModel] | None = None
    description: str = ""


def anjian_version() -> str:
    """The installed engine's version (``0.0.0`` when running from a tree that is not installed)."""
    try:
        return version("anjian")
    except PackageNotFoundError:
        return "0.0.0"


def check_requires(name: str, info: PluginInfo, current: str | None = None) -> None:
    """PluginError, in Chinese and English, unless ``current`` lies in ``info.requires``."""
    current = current or anjian_version()
    try:
        wanted = SpecifierSet(info.requires)
    except InvalidSpecifier:
        raise PluginError(
            name,
            f'声明的 anjian 版本范围 {info.requires!r} 无法解析，应写成 PEP 440 形式，如 ">=0.1,<0.3"。 / '
            f'its supported anjian versions {info.requires!r} are not a PEP 440 specifier; write e.g. ">=0.1,<0.3".',
        ) from None
    try:
        fits = wanted.contains(Version(current), prereleases=True)
    except InvalidVersion:
        fits = False
    if not fits:
        raise PluginError(
            name,
            f"插件「{info.title}」支持 anjian {wanted}，当前安装的是 {current}；请安装与当前版本兼容的插件版本，"
            f"或从 ANJIAN_PLUGINS 中去掉 {name}。 / it supports anjian {wanted} but {current} is installed: "
            f"install a plugin release made for {current}, or remove {name} from ANJIAN_PLUGINS.",
        )


def plugin_settings(name: str, info: PluginInfo, values: Mapping[str, str]) -> tuple[BaseModel | None, list[tuple[str, str]]]:
    """The plugin's settings from ``values`` (field name -> text), and every problem by variable name."""
    prefix = f"ANJIAN_{name.upper()}_"
    if info.settings is None:
        return None, [(prefix + key.upper(), f"插件 {name} 没有这项设置 / plugin {name} declares no settings") for key in values]
    known = set(info.settings.model_fields)
    problems = [
        (prefix + key.upper(), f"unknown setting of plugin {name}. Known: {', '.join(sorted(prefix + k.upper() for k in known))}")
        for key in values
        if key not in known
    ]
    try:
        model: Any = info.settings(**{k: v for k, v in values.items() if k in known})
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            problems.append((prefix + field.upper(), error["msg"]))
        return None, problems
    return model, problems


def collect(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise ConfigError(problems)
