"""The tutorial plugin, loaded through its entry point: every capability it adds works end to end."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from anjian.config import load_settings
from anjian.errors import ConfigError
from anjian.hooks import PluginHost


def test_installed_through_its_entry_point() -> None:
    (entry,) = [ep for ep in entry_points(group="anjian.plugins") if ep.name == "hello"]
    assert entry.value == "anjian_hello"
    assert entry.dist is not None and entry.dist.name == "anjian-hello"


def test_tables_metadata_and_settings(published: Any) -> None:
    assert "hello_visit" in inspect(published.engine).get_table_names()  # its own table, made by init
    assert "hello_note" in published.registry.catalog.entities  # its metadata, published with the rest
    assert published.host.settings["hello"].greeting == "你好"
    assert published.host.infos["hello"].requires == ">=0.1,<0.2"


def test_api_route_greets_and_counts(api: Any) -> None:
    first = api.get("/api/v1/hello/greeting")
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"greeting": "你好，admin！", "visits": 1}
    assert api.get("/api/v1/hello/greeting").get_json()["visits"] == 2


def test_api_route_has_the_api_contract(client: Any) -> None:
    response = client.get("/api/v1/hello/greeting")  # no credentials
    assert response.status_code == 401
    assert response.get_json()["error"]["code"].startswith("auth")


def test_validator_and_widget(api: Any, client: Any) -> None:
    refused = api.post("/api/v1/e/hello_note", json={"message": "HELLO THERE"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["errors"][0]["pointer"] == "/message"
    created = api.post("/api/v1/e/hello_note", json={"message": "早上好", "mood": "<b>开心</b>"})
    assert created.status_code == 201, created.get_json()
    record_id = created.get_json()["id"]
    client.post("/login/", data={"username": "admin", "password": "Anjian-test-1"})
    page = client.get(f"/e/hello_note/{record_id}").get_data(as_text=True)
    assert '<span class="label label-info hello-badge">&lt;b&gt;开心&lt;/b&gt;</span>' in page


def test_screen_needs_login_and_renders_in_the_layout(client: Any) -> None:
    assert client.get("/hello/").status_code == 302
    client.post("/login/", data={"username": "admin", "password": "Anjian-test-1"})
    page = client.get("/hello/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "你好，admin！" in text
    assert 'href="/hello/"' in text and "问候页面" in text  # the module's menu entry


def test_settings_are_checked_at_start(settings: Any) -> None:
    with pytest.raises(ConfigError) as caught:
        PluginHost(("hello",), values={"hello": {"greeting": "", "colour": "red"}})
    names = [name for name, _ in caught.value.problems]
    assert names == ["ANJIAN_HELLO_COLOUR", "ANJIAN_HELLO_GREETING"]
    env = {"ANJIAN_PLUGINS": "hello", "ANJIAN_HELLO_GREETING": "您好"}
    loaded = load_settings(env)
    assert PluginHost(loaded.plugins, values=loaded.plugin_values).settings["hello"].greeting == "您好"


def test_task_and_beat_schedule(settings: Any, published: Any, api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from celery import Celery

    from anjian.tasks import app as tasks

    own = Celery("hello-test", set_as_current=False)
    own.conf.beat_schedule = {}
    monkeypatch.setattr(tasks, "worker_platform", lambda: published)  # the worker's Platform
    tasks.register_plugins(own, settings)  # as make_celery does for the worker and beat
    assert own.conf.beat_schedule["hello-tally"] == {"task": "hello.tally", "schedule": 3600.0}
    api.get("/api/v1/hello/greeting")
    assert own.tasks["hello.tally"].apply().get() == {"visits": 1}


def test_cli_command(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from anjian.cli.main import add_plugin_commands, cli

    monkeypatch.setenv("ANJIAN_PLUGINS", "hello")
    monkeypatch.setenv("ANJIAN_HELLO_GREETING", "您好")
    assert add_plugin_commands() == ["hello"]
    result = CliRunner().invoke(cli, ["hello", "greet", "县应急局"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "您好，县应急局！"
