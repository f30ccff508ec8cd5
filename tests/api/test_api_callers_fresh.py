"""API callers (access tokens and API keys) are read fresh by one query per request: revocation,
deactivation and role changes act on the very next request, and Flask-AppBuilder's ORM lookup
is never on the request path."""

import pytest
from sqlalchemy import delete, insert, select, update

from anjian import Actor
from anjian.auth.apikeys import ApiKeys
from anjian.data.users import ab_role, ab_user, ab_user_role
from anjian.testing.plugin import ADMIN_PASSWORD

ADMIN = Actor.system("test")


@pytest.fixture
def officer_key(app):
    platform = app.extensions["anjian"]
    platform.access.store.save_account(ADMIN, "officer", "agency", "350524100000")
    platform.access.store.add_grant(ADMIN, "officer", "registry_clerk", "350524100000")
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="officer") is not None
    _key, secret = ApiKeys(platform.engine).create("officer", "gateway", ["*:*"], "test")
    return secret


@pytest.fixture
def fab_lookups(app, monkeypatch):
    """Every time a request went through Flask-AppBuilder's user lookup."""
    calls = []
    sm = app.appbuilder.sm
    real = sm.find_user

    def counted(*args, **kwargs):
        calls.append(kwargs.get("username") or args)
        return real(*args, **kwargs)

    monkeypatch.setattr(sm, "find_user", counted)
    return calls


def get(client, key):
    return client.get("/api/v1/e/enterprise", headers={"Authorization": f"ApiKey {key}"})


def set_admin(app, username, admin):
    """Give or take FAB's Admin role straight in the database (as another process would)."""
    with app.extensions["anjian"].engine.begin() as conn:
        user_id = conn.execute(select(ab_user.c.id).where(ab_user.c.username == username)).scalar_one()
        role_id = conn.execute(select(ab_role.c.id).where(ab_role.c.name == "Admin")).scalar_one()
        link = (ab_user_role.c.user_id == user_id) & (ab_user_role.c.role_id == role_id)
        conn.execute(delete(ab_user_role).where(link))
        if admin:
            conn.execute(insert(ab_user_role).values(user_id=user_id, role_id=role_id))


def test_many_requests_never_go_through_the_orm_lookup(client, officer_key, fab_lookups):
    assert [get(client, officer_key).status_code for _ in range(3)] == [200, 200, 200]
    assert fab_lookups == []


def test_a_revoked_key_is_refused_on_the_next_request(app, client, officer_key):
    assert get(client, officer_key).status_code == 200
    ApiKeys(app.extensions["anjian"].engine).revoke(officer_key[4:12])
    refused = get(client, officer_key)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "auth.api_key_revoked"


def test_a_deactivated_user_is_refused_on_the_next_request(app, client, officer_key):
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


def test_a_user_disabled_straight_in_the_database_is_refused_too(app, client, officer_key):
    assert get(client, officer_key).status_code == 200
    with app.extensions["anjian"].engine.begin() as conn:  # no token generation bumped
        conn.execute(update(ab_user).where(ab_user.c.username == "officer").values(active=False))
    assert get(client, officer_key).status_code == 401


def test_a_role_granted_or_withdrawn_reaches_a_key_on_the_next_request(app, client, officer_key):
    audit = {"Authorization": f"ApiKey {officer_key}"}
    assert client.get("/api/v1/studio/modules", headers=audit).status_code == 403
    set_admin(app, "officer", True)
    assert client.get("/api/v1/studio/modules", headers=audit).status_code == 200
    set_admin(app, "officer", False)
    assert client.get("/api/v1/studio/modules", headers=audit).status_code == 403


def test_a_role_withdrawn_reaches_an_access_token_on_the_next_request(app, client, fab_lookups):
    token = client.post("/api/v1/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD}).get_json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    fab_lookups.clear()  # the password login itself goes through Flask-AppBuilder
    assert client.get("/api/v1/studio/modules", headers=headers).status_code == 200
    set_admin(app, "admin", False)
    try:
        assert client.get("/api/v1/studio/modules", headers=headers).status_code == 403
    finally:
        set_admin(app, "admin", True)
    assert client.get("/api/v1/studio/modules", headers=headers).status_code == 200
    assert fab_lookups == []


def test_a_token_of_a_user_deleted_since_is_refused(app, client):
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("leaver", "临时", "用户", "leaver@example.com", sm.find_role("Admin"), password=ADMIN_PASSWORD)
    token = client.post("/api/v1/auth/token", json={"username": "leaver", "password": ADMIN_PASSWORD}).get_json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.get("/api/v1/studio/modules", headers=headers).status_code == 200
    with app.extensions["anjian"].engine.begin() as conn:
        user_id = conn.execute(select(ab_user.c.id).where(ab_user.c.username == "leaver")).scalar_one()
        conn.execute(delete(ab_user_role).where(ab_user_role.c.user_id == user_id))
        conn.execute(delete(ab_user).where(ab_user.c.id == user_id))
    refused = client.get("/api/v1/studio/modules", headers=headers)
    assert refused.status_code == 401 and "停用" in refused.get_json()["error"]["message"]
