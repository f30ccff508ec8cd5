"""The plugin API's checks at start: supported versions, settings, widgets, tables, routes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import Column, Integer, MetaData, String, Table, inspect

from anjian.config import load_settings
from anjian.errors import ConfigError, PluginError
from anjian.hooks import PluginHost, PluginInfo, hookimpl
from anjian.hooks.info import check_requires


class _Plugin:
    """A plugin given as an object (``extra``), declaring what the test needs."""

    def __init__(self, info: PluginInfo, tables: list[Any] | None = None, widgets: dict[str, Any] | None = None) -> None:
        self.info, self.metadata, self.widget_map = info, tables or [], widgets or {}

    @hookimpl
    def anjian_plugin(self) -> PluginInfo:
        return self.info

    @hookimpl
    def anjian_tables(self) -> list[Any]:
        return self.metadata

    @hookimpl
    def anjian_widgets(self) -> dict[str, Any]:
        return self.widget_map


def test_a_version_outside_the_range_stops_the_start_in_both_languages() -> None:
    with pytest.raises(PluginError) as caught:
        check_requires("gis", PluginInfo(title="一张图", requires=">=2.0"), current="0.1.0")
    text = str(caught.value)
    assert "插件「一张图」支持 anjian >=2.0，当前安装的是 0.1.0" in text
    assert "it supports anjian >=2.0 but 0.1.0 is installed" in text and "ANJIAN_PLUGINS" in text
    check_requires("gis", PluginInfo(title="一张图", requires=">=0.1,<0.2"), current="0.1.0")
    check_requires("gis", PluginInfo(title="一张图", requires=">=0.1"), current="0.2.0.dev1")  # development builds fit


def test_a_malformed_range_is_named() -> None:
    with pytest.raises(PluginError, match="PEP 440"):
        check_requires("gis", PluginInfo(title="一张图", requires="version 2"), current="0.1.0")


def test_the_host_checks_every_plugin_it_loads() -> None:
    with pytest.raises(PluginError, match="supports anjian >=99"):
        PluginHost((), extra=[_Plugin(PluginInfo(title="未来", requires=">=99"))])


class _Options(BaseModel):
    limit: int = 5


def test_plugin_settings_come_from_prefixed_variables() -> None:
    settings = load_settings({"ANJIAN_PLUGINS": "registry,demo", "ANJIAN_DEMO_LIMIT": "7"})
    assert settings.plugin_values == {"demo": {"limit": "7"}}
    with pytest.raises(ConfigError, match="ANJIAN_DEMO_LIMIT: unknown setting"):
        load_settings({"ANJIAN_PLUGINS": "registry", "ANJIAN_DEMO_LIMIT": "7"})  # not enabled: a misspelling
    plugin = _Plugin(PluginInfo(title="演示", requires=">=0", settings=_Options))
    host = PluginHost((), extra=[plugin])
    name = host.pm.get_name(plugin)
    assert host.settings == {name: _Options(limit=5)}  # the declared defaults
    assert PluginHost((), extra=[plugin], values={name: {"limit": "9"}}).settings[name].limit == 9
    with pytest.raises(ConfigError) as caught:
        PluginHost((), extra=[plugin], values={name: {"limit": "many", "colour": "red"}})
    assert [key for key, _ in caught.value.problems] == [f"ANJIAN_{name.upper()}_COLOUR", f"ANJIAN_{name.upper()}_LIMIT"]


def test_an_unknown_widget_names_file_and_pointer(platform: Any, tmp_path: Any) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "gauge.json").write_text(
        '{"title": "量表", "type": "object", "properties": {"v": {"type": "number", "title": "值", '
        '"x-anjian": {"widget": "monitoring.gauge"}}}, "x-anjian": {"entity": "gauge"}}',
        encoding="utf-8",
    )
    errors = platform.check([folder])
    assert [(e.pointer, e.message) for e in errors] == [
        ("/properties/v/x-anjian/widget", "没有插件注册名为 'monitoring.gauge' 的控件")
    ]


def test_plugin_tables_are_created_and_grow_additively(settings: Any) -> None:
    from anjian.runtime import Platform

    first = MetaData()
    Table("demo_reading", first, Column("id", Integer, primary_key=True))
    plugin = _Plugin(PluginInfo(title="演示", requires=">=0"), tables=[first])
    instance = Platform(settings, plugins=[plugin])
    instance.init_db()
    assert [c["name"] for c in inspect(instance.engine).get_columns("demo_reading")] == ["id"]
    instance.dispose()
    second = MetaData()
    Table("demo_reading", second, Column("id", Integer, primary_key=True), Column("note", String(20)))
    plugin.metadata = [second]
    instance = Platform(settings, plugins=[plugin])
    instance.init_db()
    assert [c["name"] for c in inspect(instance.engine).get_columns("demo_reading")] == ["id", "note"]
    instance.dispose()


def test_a_disabled_plugin_adds_no_routes(client: Any) -> None:
    assert client.get("/hello/").status_code == 404
    assert client.get("/api/v1/hello/greeting").get_json()["error"]["code"] == "http.404"
