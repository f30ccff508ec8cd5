"""API keys: created by the CLI (shown once, hashed), limited to their scopes, never beyond their user; audited."""

import datetime as dt
import hashlib

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from anjian import Actor
from anjian.cli.main import cli
from anjian.data.system import api_key, audit_log
from anjian_registry.uscc import check_character, organisation_check_character

pytestmark = pytest.mark.postgres

ADMIN = Actor.system("test")


def code(n):
    body = f"MA2YK{n:03d}"  # positions 9-16; 17 is their GB 11714 check character
    first17 = "91350200" + body + organisation_check_character(body)
    return first17 + check_character(first17)


IN_AREA = {"name": "凤城镇接口密钥公司", "credit_code": code(1), "region_code": "350524100000", "industry": "C", "employees": 20}
OUT_OF_AREA = {**IN_AREA, "name": "思明区接口密钥公司", "credit_code": code(2), "region_code": "350203"}


@pytest.fixture
def cli_runner(app, settings, monkeypatch):
    monkeypatch.setenv("ANJIAN_HOME", str(settings.home))
    monkeypatch.setenv("ANJIAN_DATABASE_URL", settings.db_url)
    monkeypatch.setenv("ANJIAN_SECRET_KEY", settings.secret_key)
    platform = app.extensions["anjian"]
    platform.access.store.save_account(ADMIN, "officer", "agency", "350524100000")
    platform.access.store.add_grant(ADMIN, "officer", "registry_clerk", "350524100000")
    platform.records.create("enterprise", IN_AREA, ADMIN)
    platform.records.create("enterprise", OUT_OF_AREA, ADMIN)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args))


def create_key(invoke, user, *scopes, expires=None):
    args = ["apikey", "create", "--user", user, "--name", "gateway"]
    for scope in scopes:
        args += ["--scope", scope]
    if expires:
        args += ["--expires", expires]
    result = invoke(*args)
    assert result.exit_code == 0, result.output + str(result.exception)
    secret = next(line for line in result.output.splitlines() if line.startswith("ajk_"))
    assert secret.startswith("ajk_")
    return secret


def call(client, method, url, key, header="Authorization", **kwargs):
    headers = {"Authorization": f"ApiKey {key}"} if header == "Authorization" else {"X-API-Key": key}
    return getattr(client, method)(url, headers=headers, **kwargs)


def test_a_key_reads_within_its_scope_and_its_users_region(cli_runner, client, app):
    key = create_key(cli_runner, "officer", "enterprise:read")
    listing = call(client, "get", "/api/v1/e/enterprise", key)
    assert listing.status_code == 200
    names = {item["name"] for item in listing.get_json()["items"]}
    assert names == {IN_AREA["name"]}  # the user's region still applies
    assert call(client, "get", "/api/v1/e/enterprise", key, header="X-API-Key").status_code == 200
    with app.extensions["anjian"].engine.connect() as conn:
        row = conn.execute(select(api_key)).one()
        used = conn.execute(select(audit_log).where(audit_log.c.action == "apikey_used")).first()
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in str(dict(row._mapping))
    assert used.actor == "officer" and used.record_id == row.key_id and used.detail["api_key"] == row.key_id


def test_outside_its_scope_a_key_is_refused_even_if_the_user_may(cli_runner, client):
    key = create_key(cli_runner, "officer", "enterprise:read")
    created = call(client, "post", "/api/v1/e/enterprise", key, json={**IN_AREA, "credit_code": code(3), "name": "新公司"})
    assert created.status_code == 403 and "权限范围" in created.get_json()["error"]["message"]
    assert call(client, "get", "/api/v1/e/agency", key).status_code == 403
    assert call(client, "get", "/api/v1/e/enterprise/export", key).status_code == 403


def test_a_key_never_exceeds_its_user(cli_runner, client):
    key = create_key(cli_runner, "officer", "enterprise:*", "agency:read")
    assert call(client, "get", "/api/v1/e/agency", key).status_code == 403  # the officer may not read agencies
    outside = call(client, "post", "/api/v1/e/enterprise", key, json={**OUT_OF_AREA, "credit_code": code(4), "name": "区外公司"})
    assert outside.status_code == 403  # outside the officer's region
    inside = call(client, "post", "/api/v1/e/enterprise", key, json={**IN_AREA, "credit_code": code(5), "name": "区内公司"})
    assert inside.status_code == 201, inside.get_json()


def test_writes_through_a_key_carry_its_id_in_the_audit_log(cli_runner, client, app):
    key = create_key(cli_runner, "officer", "enterprise:create", "enterprise:read")
    created = call(client, "post", "/api/v1/e/enterprise", key, json={**IN_AREA, "credit_code": code(6), "name": "审计公司"})
    assert created.status_code == 201, created.get_json()
    with app.extensions["anjian"].engine.connect() as conn:
        key_id = conn.execute(select(api_key.c.key_id)).scalar()
        entry = conn.execute(select(audit_log).where(audit_log.c.action == "create", audit_log.c.actor == "officer")).first()
    assert entry.detail["api_key"] == key_id


def test_an_administrators_key_is_still_limited_to_its_scope(cli_runner, client):
    key = create_key(cli_runner, "admin", "enterprise:read")
    assert call(client, "get", "/api/v1/e/enterprise", key).get_json()["total"] == 2
    assert call(client, "get", "/api/v1/e/agency", key).status_code == 403
    assert call(client, "post", "/api/v1/meta/publish", key, json={}).status_code == 403


def test_revoked_expired_and_unknown_keys_are_refused(cli_runner, client, app):
    key = create_key(cli_runner, "officer", "enterprise:read")
    key_id = key[4:12]
    listed = cli_runner("apikey", "list")
    assert key_id in listed.output and "active" in listed.output and key not in listed.output
    revoked = cli_runner("apikey", "revoke", key_id)
    assert revoked.exit_code == 0
    response = call(client, "get", "/api/v1/e/enterprise", key)
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "auth.api_key_revoked"
    assert "revoked" in cli_runner("apikey", "list", "--user", "officer").output
    assert cli_runner("apikey", "revoke", key_id).exit_code != 0  # already revoked

    other = create_key(cli_runner, "officer", "enterprise:read", expires="2099-01-01")
    with app.extensions["anjian"].engine.begin() as conn:
        conn.execute(update(api_key).where(api_key.c.key_id == other[4:12]).values(expires_at=dt.datetime(2020, 1, 1)))
    assert call(client, "get", "/api/v1/e/enterprise", other).get_json()["error"]["code"] == "auth.api_key_expired"
    for bad in ("ajk_00000000_nothing", other[:-2] + "xx", "' OR '1'='1", "<script>alert(1)</script>", "x" * 3000):
        refused = call(client, "get", "/api/v1/e/enterprise", bad)
        assert refused.status_code == 401 and refused.get_json()["error"]["code"].startswith("auth.")
    with app.extensions["anjian"].engine.connect() as conn:
        actions = set(conn.execute(select(audit_log.c.action)).scalars())
    assert {"apikey_created", "apikey_revoked"} <= actions


def test_a_disabled_user_disables_their_keys(cli_runner, client, app):
    key = create_key(cli_runner, "officer", "enterprise:read")
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username="officer")
        user.active = False
        sm.update_user(user)
    assert call(client, "get", "/api/v1/e/enterprise", key).status_code == 401


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--user", "nobody", "--name", "x", "--scope", "enterprise:read"], "no active user"),
        (["--user", "officer", "--name", "x", "--scope", "enterprise"], "/scopes/0"),
        (["--user", "officer", "--name", "x", "--scope", "'; DROP TABLE anjian_api_key; --"], "/scopes/0"),
        (["--user", "officer", "--name", "", "--scope", "enterprise:read"], "/name"),
        (["--user", "officer", "--name", "x", "--scope", "enterprise:read", "--expires", "2001-01-01"], "/expires_at"),
    ],
)
def test_cli_refuses_bad_input(cli_runner, args, fragment):
    result = cli_runner("apikey", "create", *args)
    assert result.exit_code != 0
    assert fragment in result.output + str(result.exception)
