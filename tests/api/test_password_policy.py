"""The password policy wherever a password is set: change-password API, FAB's forms, add_user, CLI; max age."""

import datetime as dt

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update
from werkzeug.security import check_password_hash

from anjian.cli.main import cli
from anjian.data.system import audit_log, password_history, user_security
from anjian.errors import RecordValidationError
from anjian.testing.plugin import ADMIN_PASSWORD

NEW = "Fresh-pass-2027"


def token_pair(client, username="officer", password=ADMIN_PASSWORD):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def change(client, body, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/auth/password", json=body, headers=headers)


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short1A-", "至少需要 10 个字符"),
        ("alllowercaseletters", "至少 3 类"),
        ("My-officer-pass-1", "不能包含用户名"),
        (ADMIN_PASSWORD, "不能与最近"),
        ("' or 'a'='a' --", "至少 3 类"),
        ("<script>alert('x')</script>", "至少 3 类"),
    ],
)
def test_change_password_api_refuses_weak_passwords_field_by_field(client, password, fragment):
    pair = token_pair(client)
    response = change(client, {"current_password": ADMIN_PASSWORD, "password": password}, pair["access_token"])
    assert response.status_code == 422
    errors = response.get_json()["error"]["errors"]
    assert {e["pointer"] for e in errors} == {"/password"}
    assert any(fragment in e["message"] for e in errors), errors


def test_sql_text_is_just_a_password(client):
    pair = token_pair(client)
    odd = "' OR '1'='1'; DROP TABLE ab_user; --"
    assert change(client, {"current_password": ADMIN_PASSWORD, "password": odd}, pair["access_token"]).status_code == 200
    assert token_pair(client, password=odd)
    assert client.post("/api/v1/auth/token", json={"username": "officer", "password": "' OR '1'='1"}).status_code == 401


def test_change_password_needs_the_current_password(client):
    pair = token_pair(client)
    assert change(client, {"current_password": "wrong", "password": NEW}, pair["access_token"]).status_code == 401
    missing = change(client, {"password": NEW}, pair["access_token"])
    assert missing.status_code == 422 and missing.get_json()["error"]["errors"][0]["pointer"] == "/current_password"
    assert change(client, [1, 2], pair["access_token"]).status_code == 422


def test_a_changed_password_voids_every_earlier_token(client, app):
    pair = token_pair(client)
    old_headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert client.get("/api/v1/e/enterprise", headers=old_headers).status_code in (200, 403)
    response = change(client, {"current_password": ADMIN_PASSWORD, "password": NEW}, pair["access_token"])
    assert response.status_code == 200, response.get_json()
    fresh = response.get_json()
    revoked = client.get("/api/v1/meta/version", headers=old_headers)
    assert revoked.status_code == 401 and revoked.get_json()["error"]["code"] == "auth.token_revoked"
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401
    assert client.get("/api/v1/meta/version", headers={"Authorization": f"Bearer {fresh['access_token']}"}).status_code == 200
    assert token_pair(client, password=NEW)["access_token"]
    assert client.post("/api/v1/auth/token", json={"username": "officer", "password": ADMIN_PASSWORD}).status_code == 401
    # the old password is in the history now: changing back is refused
    back = change(client, {"current_password": NEW, "password": ADMIN_PASSWORD}, fresh["access_token"])
    assert back.status_code == 422
    with app.extensions["anjian"].engine.connect() as conn:
        actions = list(conn.execute(select(audit_log.c.action).where(audit_log.c.record_id == "officer")).scalars())
        hashes = list(
            conn.execute(select(password_history.c.password_hash).where(password_history.c.username == "officer")).scalars()
        )
    assert "password_changed" in actions
    assert len(hashes) == 2 and not {ADMIN_PASSWORD, NEW} & set(hashes)  # hashes only, never the password
    assert sorted(check_password_hash(h, NEW) for h in hashes) == [False, True]


def test_change_without_a_token_uses_the_user_name(client):
    response = change(client, {"username": "officer", "current_password": ADMIN_PASSWORD, "password": NEW})
    assert response.status_code == 200
    assert change(client, {"current_password": NEW, "password": "Another-pass-9"}).status_code == 422  # who?


def test_add_user_refuses_a_weak_password(app):
    with app.app_context():
        sm = app.appbuilder.sm
        with pytest.raises(RecordValidationError) as info:
            sm.add_user("clerk", "c", "c", "clerk@example.org", sm.find_role(sm.auth_role_public), password="clerk-123456")
        assert any("用户名" in e.message for e in info.value.errors)
        assert sm.find_user(username="clerk") is None


def login_form(client, username="admin", password=ADMIN_PASSWORD):
    return client.post("/login/", data={"username": username, "password": password})


def test_fab_reset_my_password_form_applies_the_policy(client, app):
    assert login_form(client, "officer").status_code == 302
    weak = client.post("/resetmypassword/form", data={"password": "weakpassword", "conf_password": "weakpassword"})
    assert weak.status_code == 200 and "至少 3 类" in weak.get_data(as_text=True)
    good = client.post("/resetmypassword/form", data={"password": NEW, "conf_password": NEW})
    assert good.status_code == 302
    client.post("/logout/")
    assert token_pair(client, password=NEW)


@pytest.mark.filterwarnings("ignore:Yielding raw tuples:DeprecationWarning")  # FAB's role picker, on re-render
def test_fab_admin_forms_apply_the_policy(client, app):
    assert login_form(client).status_code == 302
    with app.app_context():
        sm = app.appbuilder.sm
        officer_id = sm.find_user(username="officer").id
        public_id = sm.find_role(sm.auth_role_public).id
    weak = client.post(f"/resetpassword/form?pk={officer_id}", data={"password": "Officer-9999", "conf_password": "Officer-9999"})
    assert weak.status_code == 200 and "不能包含用户名" in weak.get_data(as_text=True)
    assert client.post(f"/resetpassword/form?pk={officer_id}", data={"password": NEW, "conf_password": NEW}).status_code == 302
    assert token_pair(client, password=NEW)
    form = {
        "first_name": "新",
        "last_name": "用户",
        "username": "newbie",
        "active": "y",
        "email": "newbie@example.org",
        "roles": str(public_id),
        "password": "newbie-pass",
        "conf_password": "newbie-pass",
    }
    refused = client.post("/users/add", data=form)
    assert refused.status_code == 200 and "不能包含用户名" in refused.get_data(as_text=True)
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="newbie") is None
    accepted = client.post("/users/add", data={**form, "password": NEW, "conf_password": NEW})
    assert accepted.status_code == 302
    assert token_pair(client, "newbie", NEW)


@pytest.fixture
def cli_env(app, settings, monkeypatch):
    monkeypatch.setenv("ANJIAN_HOME", str(settings.home))
    monkeypatch.setenv("ANJIAN_DATABASE_URL", settings.db_url)
    monkeypatch.setenv("ANJIAN_SECRET_KEY", settings.secret_key)
    return CliRunner()


def test_cli_user_add_applies_the_policy(cli_env, client):
    weak = cli_env.invoke(cli, ["user", "add", "zhang", "--type", "agency", "--region", "350524", "--password", "zhang123"])
    assert weak.exit_code != 0
    assert "/password" in weak.output + str(weak.exception)
    ok = cli_env.invoke(cli, ["user", "add", "zhang", "--type", "agency", "--region", "350524", "--password", NEW])
    assert ok.exit_code == 0, ok.output
    assert token_pair(client, "zhang", NEW)


def test_an_expired_password_must_be_changed_first(client, app):
    platform = app.extensions["anjian"]
    platform.settings = platform.settings.model_copy(update={"password_max_age_days": 90})
    with platform.engine.begin() as conn:
        conn.execute(
            update(user_security).where(user_security.c.username == "officer").values(password_changed_at=dt.datetime(2020, 1, 1))
        )
    refused = client.post("/api/v1/auth/token", json={"username": "officer", "password": ADMIN_PASSWORD})
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "auth.password_expired"
    assert login_form(client, "officer").status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and "/resetmypassword/form" in home.headers["Location"]
    assert client.post("/resetmypassword/form", data={"password": NEW, "conf_password": NEW}).status_code == 302
    after = client.get("/e/")
    assert after.status_code == 200, after.headers.get("Location")
    assert token_pair(client, password=NEW)
