"""Web sessions end after the idle timeout and the absolute lifetime, back to the login with a Chinese message."""

import time

from sqlalchemy import select

from anjian.data.system import audit_log
from anjian.testing.plugin import ADMIN_PASSWORD


def logged_in(app):
    client = app.test_client()
    assert client.post("/login/", data={"username": "officer", "password": ADMIN_PASSWORD}).status_code == 302
    assert client.get("/e/").status_code == 200
    return client


def shift(client, **seconds_ago):
    with client.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[f"anjian_{key}_at"] = time.time() - ago


def expect_expired(client, app):
    response = client.get("/e/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "会话已超时，请重新登录" in page
    assert client.get("/e/").status_code == 302  # the session is gone, not just the page
    with app.extensions["anjian"].engine.connect() as conn:
        assert "session_expired" in conn.execute(select(audit_log.c.action).where(audit_log.c.actor == "officer")).scalars().all()


def test_an_idle_session_expires(app):
    client = logged_in(app)
    shift(client, seen=29 * 60)
    assert client.get("/e/").status_code == 200  # within the 30 minutes; the request renews it
    shift(client, seen=31 * 60)
    expect_expired(client, app)


def test_an_active_session_still_ends_after_its_lifetime(app):
    client = logged_in(app)
    shift(client, login=8 * 3600 + 60, seen=10)
    expect_expired(client, app)


def test_the_settings_shape_the_timeouts(app):
    platform = app.extensions["anjian"]
    platform.settings = platform.settings.model_copy(update={"session_idle_minutes": 5, "session_max_hours": 1})
    client = logged_in(app)
    shift(client, seen=6 * 60)
    expect_expired(client, app)
    client = logged_in(app)
    shift(client, login=3700, seen=1)
    expect_expired(client, app)


def test_a_session_without_login_time_is_not_trusted(app):
    client = logged_in(app)
    with client.session_transaction() as session:
        session.pop("anjian_login_at")
    assert client.get("/e/").status_code == 302


def test_the_api_is_not_affected(app, admin_token):
    client = app.test_client()
    assert client.get("/api/v1/meta/version", headers={"Authorization": f"Bearer {admin_token}"}).status_code == 200


def test_a_password_reset_ends_the_sessions_begun_before_it(app):
    from anjian.testing.plugin import ADMIN_PASSWORD

    browser = app.test_client()
    assert browser.post("/login/", data={"username": "officer", "password": ADMIN_PASSWORD}).status_code == 302
    assert browser.get("/e/").status_code == 200
    with app.app_context():
        sm = app.appbuilder.sm
        sm.reset_password(sm.find_user(username="officer").id, "Reset-by-admin-7")  # e.g. a stolen password
    ended = browser.get("/e/")
    assert ended.status_code == 302 and "/login/" in ended.headers["Location"]
