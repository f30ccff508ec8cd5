"""Lockout with backoff after failed logins, on the token endpoint and the login form; all audited."""

import pytest
from sqlalchemy import select, update

from anjian.data.system import audit_log, login_failure
from anjian.testing.plugin import ADMIN_PASSWORD


def attempt(client, password, username="admin"):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def test_repeated_failures_lock_the_account_with_backoff(client, app):
    platform = app.extensions["anjian"]
    for _ in range(4):
        assert attempt(client, "wrong").status_code == 401
    assert attempt(client, "wrong").status_code == 401  # the fifth failure starts the lock
    locked = attempt(client, ADMIN_PASSWORD)  # even the right password waits
    assert locked.status_code == 429 and locked.get_json()["error"]["code"] == "auth.locked"
    assert 50 <= int(locked.headers["Retry-After"]) <= 60
    form = client.post("/login/", data={"username": "admin", "password": ADMIN_PASSWORD})
    assert form.status_code == 302 and "/login/" in form.headers["Location"]  # the form login is locked too

    with platform.engine.begin() as conn:  # let the lock run out
        conn.execute(update(login_failure).values(locked_until=None))
    assert attempt(client, "wrong").status_code == 401
    with platform.engine.connect() as conn:
        locked_until, failures = conn.execute(select(login_failure.c.locked_until, login_failure.c.failures)).one()
    assert failures == 6 and locked_until is not None  # the sixth failure doubles the lock
    with platform.engine.begin() as conn:
        conn.execute(update(login_failure).values(locked_until=None))
    assert attempt(client, ADMIN_PASSWORD).status_code == 200  # success clears the count
    with platform.engine.connect() as conn:
        assert conn.execute(select(login_failure)).first() is None
        actions = list(conn.execute(select(audit_log.c.action).where(audit_log.c.actor == "admin")).scalars())
    assert actions.count("login_failed") == 6 and "login_locked" in actions and actions[-1] == "login"


def test_unknown_names_lock_too_without_revealing_anything(client):
    for _ in range(5):
        assert attempt(client, "x", username="nobody").status_code == 401
    assert attempt(client, "x", username="nobody").status_code == 429


def test_sql_and_script_text_in_login_fields_is_just_a_failed_login(client):
    for name in ("admin' --", "<script>alert(1)</script>", "' OR '1'='1"):
        assert attempt(client, "' OR '1'='1", username=name).status_code == 401


@pytest.mark.postgres
def test_failures_at_the_same_moment_are_all_counted(platform):
    import threading

    from anjian.auth.lockout import LoginGuard

    guard = LoginGuard(platform.engine, threshold=100, base_seconds=60)
    barrier = threading.Barrier(6)

    def fail():
        barrier.wait()
        for _ in range(5):
            guard.failed("racer")

    threads = [threading.Thread(target=fail) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert guard.failed("racer") == 0  # the 31st failure, still under the threshold
    with platform.engine.connect() as conn:
        assert conn.execute(select(login_failure.c.failures).where(login_failure.c.username == "racer")).scalar_one() == 31
