import pytest

from anjian.config import load_settings
from anjian.errors import ConfigError


def test_defaults_and_parsing(tmp_path):
    settings = load_settings({"ANJIAN_PORT": "5080", "ANJIAN_PLUGINS": "registry, gis", "ANJIAN_HOME": str(tmp_path)})
    assert settings.port == 5080
    assert settings.plugins == ("registry", "gis")
    assert settings.db_url == f"sqlite:///{tmp_path.resolve() / 'anjian.db'}"
    assert settings.broker.startswith("sqla+sqlite:///")


def test_every_problem_is_reported_at_once():
    with pytest.raises(ConfigError) as info:
        load_settings({"ANJIAN_PORT": "not-a-port", "ANJIAN_DATABSE_URL": "x", "ANJIAN_DATABASE_URL": "nope"})
    keys = [key for key, _ in info.value.problems]
    assert "ANJIAN_DATABSE_URL" in keys  # misspelled: unknown, not silently ignored
    assert "ANJIAN_PORT" in keys
    assert "ANJIAN_DATABASE_URL" in keys
    assert "Known settings" in str(info.value)


def test_tooling_variables_are_not_settings():
    load_settings({"ANJIAN_TEST_DATABASE_URL": "postgresql://x", "ANJIAN_PG_PORT": "1"})


def test_secret_key_is_generated_once_and_kept(tmp_path):
    settings = load_settings({}, home=tmp_path)
    first = settings.signing_key()
    assert len(first) > 40
    assert load_settings({}, home=tmp_path).signing_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_audit_retention_defaults_to_six_months_and_refuses_less():
    assert load_settings({}).audit_retention_days == 180
    assert load_settings({"ANJIAN_AUDIT_RETENTION_DAYS": "365"}).audit_retention_days == 365
    with pytest.raises(ConfigError) as info:
        load_settings({"ANJIAN_AUDIT_RETENTION_DAYS": "90"})
    [(key, message)] = info.value.problems
    assert key == "ANJIAN_AUDIT_RETENTION_DAYS" and "180" in message and "等保" in message


DEFAULT = ("registry", "hazard", "complaints", "accident", "enforcement")


def test_signed_plugin_entries_change_the_default_list():
    assert load_settings({"ANJIAN_PLUGINS": "+gis, +monitoring"}).plugins == (*DEFAULT, "gis", "monitoring")
    assert load_settings({"ANJIAN_PLUGINS": "-complaints"}).plugins == ("registry", "hazard", "accident", "enforcement")
    assert load_settings({"ANJIAN_PLUGINS": "+gis,-complaints,+registry"}).plugins == (
        "registry",
        "hazard",
        "accident",
        "enforcement",
        "gis",
    )
    assert load_settings({"ANJIAN_PLUGINS": "registry,gis"}).plugins == ("registry", "gis")  # no sign: replaces


def test_signed_entries_reach_the_plugins_own_settings():
    settings = load_settings({"ANJIAN_PLUGINS": "+hello", "ANJIAN_HELLO_GREETING": "您好"})
    assert settings.plugin_values == {"hello": {"greeting": "您好"}}


def test_mixing_plain_and_signed_plugin_entries_says_what_to_write():
    with pytest.raises(ConfigError) as info:
        load_settings({"ANJIAN_PLUGINS": "registry,hazard,complaints,accident,+gis"})
    [(key, message)] = info.value.problems
    assert key == "ANJIAN_PLUGINS"
    assert "(ANJIAN_PLUGINS=+gis)" in message
    assert "(ANJIAN_PLUGINS=registry,hazard,complaints,accident,enforcement,gis)" in message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("-gis", "cannot remove 'gis'"), ("+gis,+", "'+' names no plugin"), ("-", "'-' names no plugin")],
)
def test_signed_entries_that_change_nothing_are_refused(raw, expected):
    with pytest.raises(ConfigError) as info:
        load_settings({"ANJIAN_PLUGINS": raw})
    [(key, message)] = info.value.problems
    assert key == "ANJIAN_PLUGINS" and expected in message
