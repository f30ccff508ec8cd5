"""Public accounts: registration verified by e-mail, 忘记密码 by e-mail (no account enumeration, rate
limited, single-use expiring links), and enterprise accounts requested against the registry,
approved by an officer of the enterprise's region and opened by the applicant."""

import datetime as dt
import re

import pytest
from portal_forms import captcha_fields
from sqlalchemy import select

from anjian import Actor
from anjian.testing.plugin import ADMIN_PASSWORD
from anjian_portals.public import accounts

PASSWORD = "Gongzhong-pass-2026"


@pytest.fixture
def outbox(published, monkeypatch):
    """The platform with an SMTP server configured; messages recorded instead of sent."""
    sent = []
    monkeypatch.setattr(published, "settings", published.settings.model_copy(update={"smtp_host": "mail.invalid"}))
    monkeypatch.setattr(accounts, "send_mail", lambda settings, to, subject, body: sent.append((to, subject, body)))
    return sent


def _link(message):
    return re.search(r"http://localhost(/\S+)", message[2]).group(1)


def _register(client, **values):
    page = client.get("/register").get_data(as_text=True)
    data = {"name": "王小明", "email": "wang@example.cn", "password": PASSWORD, "password_again": PASSWORD, **values}
    return client.post("/register", data={**captcha_fields(page), **data})


def test_registration_creates_the_account_only_when_the_link_is_followed_once(client, app, outbox):
    response = _register(client)
    assert response.status_code == 200 and "如果该邮箱地址可以使用" in response.get_data(as_text=True)
    assert [m[0] for m in outbox] == ["wang@example.cn"]
    with app.app_context():
        assert app.appbuilder.sm.find_user(email="wang@example.cn") is None  # nothing before the link
    link = _link(outbox[0])
    assert client.get(link).status_code == 200
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="wang@example.cn") is not None
    account = app.extensions["anjian"].access.account("wang@example.cn")
    assert account.user_type == "public" and account.region == "350524"
    again = client.get(link)
    assert again.status_code == 404 and "已使用或已过期" in again.get_data(as_text=True)
    signed = client.post("/login/", data={"username": "wang@example.cn", "password": PASSWORD})
    assert signed.status_code == 302 and "/login/" not in signed.headers["Location"]

    # Registering a known address answers the same page; the mail tells the owner instead.
    other = app.test_client()
    same = _register(other)
    assert same.status_code == 200 and "如果该邮箱地址可以使用" in same.get_data(as_text=True)
    assert "已经注册过" in outbox[-1][2]


def test_registration_errors_are_named_per_field(client, outbox):
    bad = _register(client, name="", email="not-an-address", password_again="other")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "请填写有效的电子邮箱地址" in html and "两次输入的密码不一致" in html
    assert 'id="e-email"' in html and outbox == []
    weak = _register(client, password="short", password_again="short")
    assert weak.status_code == 422 and 'id="e-password"' in weak.get_data(as_text=True)


def test_registration_links_expire(client, outbox, clock):
    clock.set(dt.datetime(2026, 11, 1, 2, 0))
    _register(client)
    clock.advance(hours=25)
    assert client.get(_link(outbox[0])).status_code == 404


def test_forgot_password_answers_the_same_and_resets_once(client, app, outbox):
    page = client.get("/password/forgot").get_data(as_text=True)
    unknown = client.post("/password/forgot", data={**captcha_fields(page), "email": "nobody@example.cn"})
    known = client.post("/password/forgot", data={**captcha_fields(page), "email": "officer@example.org"})
    assert unknown.status_code == known.status_code == 200
    strip = lambda r: re.sub(r'name="csrf_token" value="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(unknown) == strip(known)  # no account enumeration
    assert [m[0] for m in outbox] == ["officer@example.org"]
    link = _link(outbox[0])
    form = client.get(link)
    assert form.status_code == 200 and "新密码" in form.get_data(as_text=True)
    mismatch = client.post(link, data={"password": "Neu-Passwort-2026", "password_again": "x"})
    assert mismatch.status_code == 422  # the link stays usable after a mistake
    done = client.post(link, data={"password": "Neu-Passwort-2026", "password_again": "Neu-Passwort-2026"})
    assert done.status_code == 200 and "密码已重设" in done.get_data(as_text=True)
    assert (
        client.post(link, data={"password": "Zweites-Passwort-2026", "password_again": "Zweites-Passwort-2026"}).status_code
        == 404
    )
    old = app.test_client().post("/login/", data={"username": "officer", "password": ADMIN_PASSWORD})
    assert "/login/" in old.headers["Location"]  # the old password no longer signs in
    new = app.test_client().post("/login/", data={"username": "officer", "password": "Neu-Passwort-2026"})
    assert new.status_code == 302 and "/login/" not in new.headers["Location"]


def test_reset_requests_are_limited_per_address_across_processes(client, app, outbox, published):
    from anjian.testing.plugin import TEST_APP_CONFIG
    from anjian.web.app import create_app

    second = create_app(platform=published, config=TEST_APP_CONFIG).test_client()  # another server, same database
    page = client.get("/password/forgot").get_data(as_text=True)
    statuses = []
    for i in range(12):
        c = client if i % 2 else second
        statuses.append(c.post("/password/forgot", data={**captcha_fields(page), "email": f"u{i}@example.cn"}).status_code)
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]


def test_tracking_lookups_are_limited_across_processes(app, published):
    from anjian.testing.plugin import TEST_APP_CONFIG
    from anjian.web.app import create_app

    one, two = app.test_client(), create_app(platform=published, config=TEST_APP_CONFIG).test_client()
    codes = [(one if i % 2 else two).get("/track/TSAAAAA-AAAAA").status_code for i in range(31)]
    assert codes[:30] == [404] * 30 and codes[30] == 429
    assert two.get("/api/v1/public/track/TSAAAAA-AAAAA").status_code == 429


def _enterprise(published):
    table = published.registry.table("enterprise")
    with published.engine.connect() as conn:
        return conn.execute(select(table).limit(1)).mappings().one()


def test_enterprise_account_requested_approved_in_its_region_and_opened(client, app, outbox, published, record_factory):
    firm = record_factory.create("enterprise", region_code="350524100000")
    page = client.get("/report/enterprise_account").get_data(as_text=True)
    base = {
        "enterprise_name": firm["name"],
        "credit_code": firm["credit_code"].lower(),
        "applicant_name": "李安全",
        "applicant_phone": "13900001111",
        "applicant_email": "li@firm.example.cn",
    }
    wrong = client.post("/report/enterprise_account", data={**captcha_fields(page), **base, "enterprise_name": "别的公司"})
    assert wrong.status_code == 422 and "名录不符" in wrong.get_data(as_text=True)
    filed = client.post("/report/enterprise_account", data={**captcha_fields(page), **base})
    assert filed.status_code == 303
    code = re.search(r'id="tracking-code">([^<]+)<', client.get(filed.headers["Location"]).get_data(as_text=True)).group(1)

    table = published.registry.table("enterprise_account_request")
    with published.engine.connect() as conn:
        request = conn.execute(select(table).where(table.c.tracking_code == code)).mappings().one()
    assert request["enterprise_id"] == firm["id"] and request["region_code"] == "350524100000"
    assert "发送开通链接" not in client.get(f"/track/{code}").get_data(as_text=True)  # not before approval

    access = published.access
    admin = Actor("admin", is_admin=True)
    with app.app_context():
        sm = app.appbuilder.sm
        for name in ("elsewhere", "reviewer"):
            sm.add_user(name, name, "", f"{name}@example.org", sm.find_role(sm.auth_role_public), password=ADMIN_PASSWORD)
        sm.session.commit()
    access.save_account(admin, "elsewhere", "agency", "350524101000")
    access.add_grant(admin, "elsewhere", "account_reviewer", "350524101000")
    access.save_account(admin, "reviewer", "agency", "350524")
    access.add_grant(admin, "reviewer", "account_reviewer", "350524")
    from anjian.errors import AnjianError

    with pytest.raises(AnjianError):  # an officer of another township neither sees nor approves it
        published.workflow.take(Actor("elsewhere"), "enterprise_account_request", request["id"], "approve")
    published.workflow.take(Actor("reviewer"), "enterprise_account_request", request["id"], "approve")

    track = client.get(f"/track/{code}").get_data(as_text=True)
    assert "已批准" in track and "l***@firm.example.cn" in track and "li@firm" not in track
    sent = client.post(f"/track/{code}/activate")
    assert sent.status_code == 200 and outbox[-1][0] == "li@firm.example.cn"
    link = _link(outbox[-1])
    assert client.post(link, data={"password": PASSWORD, "password_again": PASSWORD}).status_code == 200
    account = access.account("li@firm.example.cn")
    assert account.user_type == "enterprise" and account.enterprise_id == firm["id"]
    assert [g.role for g in access.grants_of("li@firm.example.cn")] == ["enterprise_safety"]
    assert client.post(link, data={"password": PASSWORD, "password_again": PASSWORD}).status_code == 404
    assert "发送开通链接" not in client.get(f"/track/{code}").get_data(as_text=True)


@pytest.mark.slow
def test_registration_mail_goes_through_a_real_smtp_server(published, app, monkeypatch, smtp_sink):
    port, received = smtp_sink
    update = {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_sender": "portal@anjian.example.cn"}
    monkeypatch.setattr(published, "settings", published.settings.model_copy(update=update))
    client = app.test_client()
    assert _register(client, email="zhao@example.cn").status_code == 200
    assert len(received) == 1 and received[0]["To"] == "zhao@example.cn"
    body = received[0].get_payload(decode=True).decode("utf-8")
    link = re.search(r"http://localhost(/\S+)", body).group(1)
    assert app.test_client().get(link).status_code == 200
    assert published.access.account("zhao@example.cn").user_type == "public"


def test_the_login_page_leads_to_password_reset_and_registration(client):
    page = client.get("/login/").get_data(as_text=True)
    assert 'href="/password/forgot"' in page and 'href="/register"' in page
    assert client.get("/register").status_code == 503  # no SMTP server configured: said plainly
    assert "尚未配置邮件服务" in client.get("/password/forgot").get_data(as_text=True)
