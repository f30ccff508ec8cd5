"""The plugin host: enabled plugins only, misspelled hooks and unknown plugins stop start-up."""

import pytest

from anjian import FieldError, hookimpl
from anjian.errors import PluginError
from anjian.hooks import PluginHost


def test_bundled_module_registers_its_named_functions():
    host = PluginHost(["registry"])
    assert "registry.uscc_check" in host.functions.validators
    assert "registry.uscc_registration_region" in host.functions.computed


def test_installed_is_not_enabled():
    assert PluginHost([]).functions.validators == {}


def test_unknown_plugin_names_the_installed_ones():
    with pytest.raises(PluginError) as info:
        PluginHost(["gsi"])
    assert "'gsi'" in str(info.value) and "Installed plugins: accident, complaints, hazard, " in str(info.value)
    assert "registry" in str(info.value)  # plugins under plugins/ are installed too (make)


def test_a_misspelled_hook_stops_start_up():
    class Typo:
        @hookimpl
        def anjian_validator(self):
            return {}

    with pytest.raises(PluginError) as info:
        PluginHost([], extra=[Typo()])
    assert "anjian_validator" in str(info.value)


def test_a_name_registered_twice_is_an_error():
    class One:
        @hookimpl
        def anjian_validators(self):
            return {"x.check": lambda value, ctx: None}

    class Two:
        @hookimpl
        def anjian_validators(self):
            return {"x.check": lambda value, ctx: "other"}

    with pytest.raises(PluginError):
        PluginHost([], extra=[One(), Two()])


class Guard:
    """A plugin that vetoes enterprises named 测试 and remembers what was written."""

    def __init__(self):
        self.written = []

    @hookimpl
    def anjian_record_validate(self, entity, record, old):
        if entity.name == "enterprise" and record.get("name") == "测试有限公司":
            return [FieldError("/name", "插件拒绝了这个名称", "plugin")]
        return []

    @hookimpl
    def anjian_record_written(self, entity, action, record, connection):
        self.written.append((entity.name, action, record["id"]))
        if record.get("employees") == 13:
            raise RuntimeError("plugin failure inside the transaction")


def test_plugin_hooks_take_part_in_every_write(settings):
    from anjian import Actor, Platform, RecordValidationError

    guard = Guard()
    platform = Platform(settings, plugins=[guard])
    platform.init_db()
    platform.publish()
    base = {"credit_code": "91350200MA2YJ1XR9G", "region_code": "350524", "industry": "C"}
    with pytest.raises(RecordValidationError) as info:
        platform.records.create("enterprise", {**base, "name": "测试有限公司"}, Actor("t", is_admin=True))
    assert info.value.errors[0].pointer == "/name"
    created = platform.records.create("enterprise", {**base, "name": "正常有限公司"}, Actor("t", is_admin=True))
    assert guard.written == [("enterprise", "create", created["id"])]
    with pytest.raises(RuntimeError):  # a failing hook rolls the write back
        platform.records.update("enterprise", created["id"], {"employees": 13}, Actor("t", is_admin=True), partial=True)
    with platform.engine.connect() as conn:
        stored = platform.reader.fetch(conn, platform.registry.entity("enterprise"), created["id"])
    assert stored["employees"] is None
    platform.dispose()
