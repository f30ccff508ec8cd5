"""Second factor (TOTP): enrolment with QR code and recovery codes, the login form's second step,
`otp` on the token endpoint, replayed/wrong/expired codes, lockout, roles that declare `mfa`; audited."""

import json
import re
import shutil
import time

import pyotp
import pytest
from sqlalchemy import select

from anjian import Actor
from anjian.config import bundled_metadata_path
from anjian.data.system import audit_log, recovery_code, user_security
from anjian.testing.plugin import ADMIN_PASSWORD


@pytest.fixture
def mfa_app(app):
    platform = app.extensions["anjian"]
    platform.settings = platform.settings.model_copy(update={"mfa_admin": True})
    return app


def token(client, otp=None, username="admin", password=ADMIN_PASSWORD):
    body = {"username": username, "password": password}
    if otp is not None:
        body["otp"] = otp
    return client.post("/api/v1/auth/token", json=body)


def actions(app, username="admin"):
    with app.extensions["anjian"].engine.connect() as conn:
        return list(conn.execute(select(audit_log.c.action).where(audit_log.c.actor == username)).scalars())


def enrol(client, username="admin"):
    """Password step, then enrolment through the screens; returns (secret, recovery codes)."""
    response = client.post("/login/", data={"username": username, "password": ADMIN_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/mfa/enrol")
    page = client.get("/mfa/enrol").get_data(as_text=True)
    secret = re.search(r'id="mfa-secret">([A-Z2-7]+)<', page).group(1)
    assert "<svg" in page and "otpauth://totp/" in page
    done = client.post("/mfa/enrol", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    return secret, codes


def next_code(secret, steps=1):
    """A valid code of a later time step (accepted within one step of now): never the one just used."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


def test_an_admin_must_enrol_before_the_session_counts(mfa_app):
    client = mfa_app.test_client()
    refused = token(client)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "auth.mfa_enrolment_required"
    client.post("/login/", data={"username": "admin", "password": ADMIN_PASSWORD})
    home = client.get("/e/")
    assert home.status_code == 302 and "/login/" in home.headers["Location"]  # not logged in yet
    page = client.get("/mfa/enrol")
    assert page.status_code == 200
    wrong = client.post("/mfa/enrol", data={"code": "000000"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.get_data(as_text=True)
    assert client.get("/e/").status_code == 302
    secret = re.search(r'id="mfa-secret">([A-Z2-7]+)<', page.get_data(as_text=True)).group(1)
    done = client.post("/mfa/enrol", data={"code": pyotp.TOTP(secret).now()})
    assert "恢复码" in done.get_data(as_text=True)
    assert client.get("/e/").status_code == 200  # logged in now
    assert {"mfa_failed", "mfa_enrolled"} <= set(actions(mfa_app))
    with mfa_app.extensions["anjian"].engine.connect() as conn:
        stored = conn.execute(select(recovery_code.c.code_hash)).scalars().all()
    assert len(stored) == 10 and all(len(h) == 64 for h in stored)


def test_token_endpoint_asks_for_the_code_and_refuses_replays(mfa_app):
    client = mfa_app.test_client()
    secret, _ = enrol(client)
    missing = token(client)
    assert missing.status_code == 401 and missing.get_json()["error"]["code"] == "auth.mfa_required"
    replay = token(client, pyotp.TOTP(secret).now())  # the code that confirmed enrolment: already used
    assert replay.status_code == 401 and replay.get_json()["error"]["code"] == "auth.mfa_failed"
    fresh = next_code(secret)
    assert token(client, fresh).status_code == 200
    assert token(client, fresh).status_code == 401  # each code works once
    expired = pyotp.TOTP(secret).at(time.time() - 300)
    assert token(client, expired).status_code == 401
    for bad in ("' OR '1'='1", "<script>alert(1)</script>", "1" * 500, "12345", 123456, ""):
        response = token(client, bad)
        assert response.status_code in (401, 429), bad
    assert "mfa_failed" in actions(mfa_app) and "mfa_verified" in actions(mfa_app)
    # FAB's own JWT login API would hand out a token on the password alone: it is closed.
    fab = client.post("/api/v1/security/login", json={"username": "admin", "password": ADMIN_PASSWORD, "provider": "db"})
    assert fab.status_code == 404 and "access_token" not in fab.get_data(as_text=True)


def test_wrong_codes_count_towards_the_lockout(mfa_app):
    client = mfa_app.test_client()
    secret, _ = enrol(client)
    client.post("/logout/")
    for _ in range(4):
        assert token(client, "000000").status_code == 401
    locked = token(client, "000000")
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert token(client, next_code(secret)).status_code == 429  # even the right code waits
    assert "login_locked" in actions(mfa_app)


def test_recovery_codes_work_once_each(mfa_app):
    client = mfa_app.test_client()
    _, codes = enrol(client)
    assert token(client, codes[0]).status_code == 200
    assert token(client, codes[0]).status_code == 401
    assert token(client, codes[1].upper().replace("-", " ")).status_code == 200  # forgiving about case and separators
    entries = actions(mfa_app)
    assert entries.count("recovery_used") == 2


def test_login_form_second_step(mfa_app):
    client = mfa_app.test_client()
    secret, codes = enrol(client)
    client.post("/logout/")
    assert client.get("/mfa/verify").status_code == 302  # no password step yet
    step = client.post("/login/", data={"username": "admin", "password": ADMIN_PASSWORD})
    assert step.headers["Location"].endswith("/mfa/verify")
    assert client.get("/e/").status_code == 302
    wrong = client.post("/mfa/verify", data={"code": "123456"})
    assert wrong.status_code == 200 and "验证码错误" in wrong.get_data(as_text=True)
    ok = client.post("/mfa/verify", data={"code": next_code(secret)})
    assert ok.status_code == 302
    assert client.get("/e/").status_code == 200
    client.post("/logout/")
    client.post("/login/", data={"username": "admin", "password": ADMIN_PASSWORD})
    assert client.post("/mfa/verify", data={"code": codes[3]}).status_code == 302
    assert client.get("/e/").status_code == 200
    assert "recovery_used" in actions(mfa_app)


def test_the_password_alone_never_replaces_an_enrolled_second_factor(mfa_app):
    client = mfa_app.test_client()
    secret, _ = enrol(client)
    client.post("/logout/")
    client.post("/login/", data={"username": "admin", "password": ADMIN_PASSWORD})  # now a code is due
    detour = client.get("/mfa/enrol")  # enrolling a new authenticator instead of giving the code
    assert detour.status_code == 302 and "/login/" in detour.headers["Location"]
    assert client.post("/mfa/enrol", data={"code": "123456"}).status_code == 302
    assert client.get("/e/").status_code == 302  # not signed in
    # The password-change API asks for the code too, whatever Authorization header comes with it.
    body = {"username": "admin", "current_password": ADMIN_PASSWORD, "password": "Another-pass-2026"}
    for headers in ({}, {"Authorization": "x"}, {"Authorization": "Basic YWRtaW46eA=="}):
        refused = client.post("/api/v1/auth/password", json=body, headers=headers)
        assert refused.status_code == 401 and "access_token" not in refused.get_data(as_text=True), headers
    changed = client.post("/api/v1/auth/password", json={**body, "otp": next_code(secret)})
    assert changed.status_code == 200 and changed.get_json()["access_token"]


def test_form_lockout_on_wrong_codes(mfa_app):
    client = mfa_app.test_client()
    enrol(client)
    client.post("/logout/")
    client.post("/login/", data={"username": "admin", "password": ADMIN_PASSWORD})
    for _ in range(4):
        assert client.post("/mfa/verify", data={"code": "000000"}).status_code == 200
    locked = client.post("/mfa/verify", data={"code": "000000"})
    assert locked.status_code == 302 and "/login/" in locked.headers["Location"]
    assert client.get("/mfa/verify").status_code == 302  # the pending password step is gone


def test_users_without_mfa_log_in_with_the_password_alone(mfa_app):
    client = mfa_app.test_client()
    assert token(client, username="officer").status_code == 200
    response = client.post("/login/", data={"username": "officer", "password": ADMIN_PASSWORD})
    assert response.status_code == 302 and "/mfa/" not in response.headers["Location"]


def test_a_user_may_enrol_voluntarily(app):
    client = app.test_client()
    client.post("/login/", data={"username": "officer", "password": ADMIN_PASSWORD})
    page = client.get("/mfa/enrol").get_data(as_text=True)
    secret = re.search(r'id="mfa-secret">([A-Z2-7]+)<', page).group(1)
    assert client.post("/mfa/enrol", data={"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert token(client, username="officer").get_json()["error"]["code"] == "auth.mfa_required"
    assert token(client, next_code(secret), username="officer").status_code == 200


def test_a_role_declaring_mfa_requires_it(app, tmp_path):
    platform = app.extensions["anjian"]
    folder = tmp_path / "meta"
    shutil.copytree(bundled_metadata_path() / "registry", folder / "registry")
    manifest = folder / "registry" / "module.json"
    content = json.loads(manifest.read_text(encoding="utf-8"))
    content["roles"][0]["mfa"] = True  # registry_clerk
    manifest.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    platform.publish([folder])
    assert any(r.mfa for m in platform.registry.catalog.modules.values() for r in m.roles)
    client = app.test_client()
    assert token(client, username="officer").status_code == 200  # no grant yet
    platform.access.store.save_account(Actor.system("test"), "officer", "agency", "350524")
    platform.access.store.add_grant(Actor.system("test"), "officer", "registry_clerk", "350524")
    refused = token(client, username="officer")
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "auth.mfa_enrolment_required"
    step = client.post("/login/", data={"username": "officer", "password": ADMIN_PASSWORD})
    assert step.headers["Location"].endswith("/mfa/enrol")


def test_cli_resets_a_lost_second_factor(mfa_app, settings, monkeypatch):
    from click.testing import CliRunner

    from anjian.cli.main import cli

    client = mfa_app.test_client()
    enrol(client)
    monkeypatch.setenv("ANJIAN_HOME", str(settings.home))
    monkeypatch.setenv("ANJIAN_DATABASE_URL", settings.db_url)
    monkeypatch.setenv("ANJIAN_SECRET_KEY", settings.secret_key)
    result = CliRunner().invoke(cli, ["user", "reset-mfa", "admin"])
    assert result.exit_code == 0, result.output
    with mfa_app.extensions["anjian"].engine.connect() as conn:
        assert conn.execute(select(user_security.c.mfa_secret).where(user_security.c.username == "admin")).scalar() is None
    assert token(client).get_json()["error"]["code"] == "auth.mfa_enrolment_required"
