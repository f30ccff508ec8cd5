"""API-key callers: roles resolved once and reused, but revocation and deactivation act on the next request."""

import pytest
from sqlalchemy import Boolean, Column, MetaData, String, Table, update

from anjian import Actor
from anjian.api import _blueprint
from anjian.auth.apikeys import ApiKeys

ADMIN = Actor.system("test")
USERS = Table("ab_user", MetaData(), Column("username", String), Column("active", Boolean))


@pytest.fixture
def officer_key(app):
    platform = app.extensions["anjian"]
    platform.access.store.save_account(ADMIN, "officer", "agency", "350524100000")
    platform.access.store.add_grant(ADMIN, "officer", "registry_clerk", "350524100000")
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="officer") is not None
    _key, secret = ApiKeys(platform.engine).create("officer", "gateway", ["enterprise:read"], "test")
    return secret


@pytest.fixture
def resolutions(monkeypatch):
    """How often the key's user went through Flask-AppBuilder's user lookup."""
    calls = []
    real = _blueprint.user_actor

    def counted(username):
        calls.append(username)
        return real(username)

    monkeypatch.setattr(_blueprint, "user_actor", counted)
    return calls


def get(client, key):
    return client.get("/api/v1/e/enterprise", headers={"Authorization": f"ApiKey {key}"})


def test_the_users_roles_are_resolved_once_for_many_requests(client, officer_key, resolutions):
    assert [get(client, officer_key).status_code for _ in range(3)] == [200, 200, 200]
    assert resolutions == ["officer"]


def test_a_revoked_key_is_refused_on_the_next_request(app, client, officer_key, resolutions):
    assert get(client, officer_key).status_code == 200
    ApiKeys(app.extensions["anjian"].engine).revoke(officer_key[4:12])
    refused = get(client, officer_key)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "auth.api_key_revoked"


def test_a_deactivated_user_is_refused_on_the_next_request(app, client, officer_key, resolutions):
    assert get(client, officer_key).status_code == 200
    with app.app_context():  # the administrators' path: FAB's update, then the user's tokens voided
        sm = app.appbuilder.sm
        user = sm.find_user(username="officer")
        user.active = False
        sm.update_user(user)
        sm.session.commit()
        sm.revoke_tokens("officer", "disabled")
    assert get(client, officer_key).status_code == 401
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username="officer")
        user.active = True
        sm.update_user(user)
        sm.session.commit()
    assert get(client, officer_key).status_code == 200
    assert len(resolutions) == 2  # re-enabled: the changed token generation made it resolve again


def test_a_user_disabled_straight_in_the_database_is_refused_too(app, client, officer_key):
    assert get(client, officer_key).status_code == 200
    with app.extensions["anjian"].engine.begin() as conn:  # no token generation bumped
        conn.execute(update(USERS).where(USERS.c.username == "officer").values(active=False))
    assert get(client, officer_key).status_code == 401


def test_cached_roles_expire_after_their_time(app, client, officer_key, resolutions):
    assert get(client, officer_key).status_code == 200
    actors = app.extensions["anjian_key_actors"]
    now = [1000.0]
    actors.clock = lambda: now[0]
    actors.forget()
    assert get(client, officer_key).status_code == 200
    now[0] += actors.ttl / 2
    assert get(client, officer_key).status_code == 200
    assert len(resolutions) == 2
    now[0] += actors.ttl
    assert get(client, officer_key).status_code == 200
    assert len(resolutions) == 3
