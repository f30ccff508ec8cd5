"""Refresh tokens: rotation, reuse detection revoking the family, logout, revocation on password reset and disable."""

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select, update

from anjian.data.system import audit_log, refresh_token
from anjian.testing.plugin import ADMIN_PASSWORD

pytestmark = pytest.mark.postgres


def login(client, username="officer"):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": ADMIN_PASSWORD})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["refresh_token"].startswith("ajr_") and body["refresh_expires_in"] > 0
    return body


def refresh(client, token):
    return client.post("/api/v1/auth/refresh", json={"refresh_token": token})


def works(client, access):
    return client.get("/api/v1/meta/version", headers={"Authorization": f"Bearer {access}"}).status_code == 200


def test_refresh_rotates_and_the_old_token_stops_working(client, app):
    first = login(client)
    second = refresh(client, first["refresh_token"])
    assert second.status_code == 200
    pair = second.get_json()
    assert pair["refresh_token"] != first["refresh_token"] and works(client, pair["access_token"])
    third = refresh(client, pair["refresh_token"])
    assert third.status_code == 200
    with app.extensions["anjian"].engine.connect() as conn:
        stored = list(conn.execute(select(refresh_token.c.token_hash)).scalars())
    assert first["refresh_token"] not in stored  # only hashes are kept
    assert hashlib.sha256(first["refresh_token"].encode()).hexdigest() in stored


def test_reusing_a_rotated_token_revokes_the_whole_family(client, app):
    first = login(client)
    other_login = login(client)  # another family of the same user stays valid
    current = refresh(client, first["refresh_token"]).get_json()
    reused = refresh(client, first["refresh_token"])
    assert reused.status_code == 401 and reused.get_json()["error"]["code"] == "auth.refresh_invalid"
    revoked = refresh(client, current["refresh_token"])  # the thief's or the owner's newer token: gone too
    assert revoked.status_code == 401
    assert refresh(client, other_login["refresh_token"]).status_code == 200
    with app.extensions["anjian"].engine.connect() as conn:
        actions = list(conn.execute(select(audit_log.c.action).where(audit_log.c.actor == "officer")).scalars())
    assert "refresh_reused" in actions


def test_logout_revokes_the_refresh_token(client, app):
    pair = login(client)
    out = client.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert out.status_code == 200
    assert refresh(client, pair["refresh_token"]).status_code == 401
    assert client.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]}).status_code == 200  # idempotent
    assert client.post("/api/v1/auth/logout", json={"refresh_token": "ajr_unknown"}).status_code == 401
    with app.extensions["anjian"].engine.connect() as conn:
        assert "logout" in list(conn.execute(select(audit_log.c.action).where(audit_log.c.actor == "officer")).scalars())


def test_an_expired_refresh_token_is_refused(client, app):
    pair = login(client)
    with app.extensions["anjian"].engine.begin() as conn:
        conn.execute(update(refresh_token).values(expires_at=dt.datetime(2020, 1, 1)))
    assert refresh(client, pair["refresh_token"]).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"refresh_token": 5},
        {"refresh_token": ""},
        {"refresh_token": "' OR '1'='1"},
        {"refresh_token": "<script>alert(1)</script>"},
        {"refresh_token": "x" * 5000},
        None,
    ],
)
def test_bad_refresh_input_is_a_clean_error(client, body):
    response = client.post("/api/v1/auth/refresh", json=body)
    assert response.status_code in (401, 422) and response.get_json()["error"]["code"] in (
        "auth.refresh_invalid",
        "record.invalid",
    )


def test_an_access_token_is_not_a_refresh_token_and_vice_versa(client):
    pair = login(client)
    assert refresh(client, pair["access_token"]).status_code == 401
    assert client.get("/api/v1/meta/version", headers={"Authorization": f"Bearer {pair['refresh_token']}"}).status_code == 401


def test_password_reset_by_an_administrator_voids_every_token(client, app):
    pair = login(client)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.reset_password(sm.find_user(username="officer").id, "Reset-by-admin-7")
    assert not works(client, pair["access_token"])
    assert refresh(client, pair["refresh_token"]).status_code == 401


def test_disabling_a_user_voids_every_token(client, app):
    pair = login(client)
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username="officer")
        user.active = False
        sm.update_user(user)
        sm.revoke_tokens("officer", "disabled")  # what the user screen does on saving a disabled user
    assert not works(client, pair["access_token"])
    assert refresh(client, pair["refresh_token"]).status_code == 401


def test_disabled_user_cannot_refresh_even_before_revocation(client, app):
    pair = login(client)
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username="officer")
        user.active = False
        sm.update_user(user)
    assert refresh(client, pair["refresh_token"]).status_code == 401
    assert not works(client, pair["access_token"])
