"""Lockout keyed on the normalised name and claimed before the password is checked; parallel
failed logins never answer 500; logout and refresh-token reuse void that login's access tokens."""

import threading

import flask_appbuilder.security.manager as fab_manager
import pytest

from anjian.testing.plugin import ADMIN_PASSWORD


def attempt(client, username, password):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def test_case_and_space_variants_share_one_count_and_one_lock(client):
    for name in ("officer", "OFFICER", " Officer ", "oFFicer", "officer "):
        assert attempt(client, name, "wrong").status_code == 401
    for name in ("officer", "OFFICER", "Officer"):  # FAB finds the user whatever the case: all locked
        locked = attempt(client, name, ADMIN_PASSWORD)
        assert locked.status_code == 429, name
    form = client.post("/login/", data={"username": "OFFICER", "password": ADMIN_PASSWORD})
    assert form.status_code == 302 and "/login/" in form.headers["Location"]


def _parallel(app, count, work):
    barrier = threading.Barrier(count)
    results = []
    guard = threading.Lock()

    def run():
        client = app.test_client()
        barrier.wait()
        outcome = work(client)
        with guard:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_parallel_failed_logins_check_no_more_passwords_than_the_threshold(app, monkeypatch):
    checked = []
    real = fab_manager.check_password_hash

    def counting(pwhash, password):
        if password == "wrong":
            checked.append(1)
        return real(pwhash, password)

    monkeypatch.setattr(fab_manager, "check_password_hash", counting)
    statuses = _parallel(app, 10, lambda c: attempt(c, "officer", "wrong").status_code)
    assert sorted(set(statuses)) <= [401, 429], statuses  # never 500 (database is locked)
    assert len(checked) <= app.extensions["anjian"].settings.lockout_threshold
    assert statuses.count(401) == len(checked)


def test_parallel_failed_logins_of_known_users_never_answer_500(app, monkeypatch):
    # FAB counts fail_login_count on the user row: through its session that write failed with
    # "database is locked" on SQLite when another login wrote in between.
    monkeypatch.setitem(app.extensions["anjian"].settings.__dict__, "lockout_threshold", 100)
    names = ["officer", "admin"] * 5
    statuses = _parallel(app, 10, lambda c: attempt(c, names.pop(), "wrong").status_code)
    assert statuses == [401] * 10
    with app.app_context():
        sm = app.appbuilder.sm
        counts = sorted(sm.find_user(username=n).fail_login_count or 0 for n in ("officer", "admin"))
    assert counts == [5, 5]


def _login(client, username="officer"):
    response = attempt(client, username, ADMIN_PASSWORD)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _works(client, access):
    return client.get("/api/v1/meta/version", headers={"Authorization": f"Bearer {access}"}).status_code


def test_logout_voids_the_access_tokens_of_that_login_at_once(client):
    first, other = _login(client), _login(client)
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}).get_json()
    assert _works(client, first["access_token"]) == 200 and _works(client, refreshed["access_token"]) == 200
    assert client.post("/api/v1/auth/logout", json={"refresh_token": refreshed["refresh_token"]}).status_code == 200
    for access in (first["access_token"], refreshed["access_token"]):
        response = client.get("/api/v1/meta/version", headers={"Authorization": f"Bearer {access}"})
        assert response.status_code == 401 and response.get_json()["error"]["code"] == "auth.token_revoked"
    assert _works(client, other["access_token"]) == 200  # another login of the same user stays


def test_refresh_token_reuse_voids_the_access_tokens_of_that_login(client):
    first, other = _login(client), _login(client)
    current = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}).get_json()
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    assert _works(client, first["access_token"]) == 401 and _works(client, current["access_token"]) == 401
    assert _works(client, other["access_token"]) == 200


def _screen_login(client):
    response = client.post("/login/", data={"username": "officer", "password": ADMIN_PASSWORD})
    assert response.status_code == 302 and "/login/" not in response.headers["Location"]


def _signed_in(client):
    response = client.get("/e/")
    return response.status_code == 200 or "/login/" not in response.headers.get("Location", "/login/")


def test_screen_logout_is_a_post_a_cross_site_get_does_not_log_out(client):
    _screen_login(client)
    assert _signed_in(client)
    got = client.get("/logout/")
    assert got.status_code == 405 and _signed_in(client)
    page = client.get("/e/", follow_redirects=True).get_data(as_text=True)
    assert 'method="post" action="/logout/"' in page  # the menu offers a form, not a link
    posted = client.post("/logout/")
    assert posted.status_code == 302 and not _signed_in(client)


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def test_screen_logout_needs_the_csrf_token(csrf_app):
    import re

    client = csrf_app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login/", data={"username": "officer", "password": ADMIN_PASSWORD, "csrf_token": token})
    assert _signed_in(client)
    assert client.post("/logout/").status_code == 400 and _signed_in(client)  # forged cross-site form
    page = client.get("/e/", follow_redirects=True).get_data(as_text=True)
    token = re.search(r'action="/logout/">\s*<input type="hidden" name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/logout/", data={"csrf_token": token}).status_code == 302 and not _signed_in(client)
