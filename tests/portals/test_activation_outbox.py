"""An approved enterprise account request mails its activation link by itself: the approval's
transaction writes an outbox row, the web process sends it once the officer's answer is out, a
failed send stays owed for the next delivery, and a refused step owes nothing."""

import re

import pytest
from portal_forms import captcha_fields
from sqlalchemy import select

from anjian import Actor
from anjian.testing.plugin import ADMIN_PASSWORD
from anjian_portals import outbox as outbox_module
from anjian_portals.mail import MailFailed
from anjian_portals.public import accounts
from anjian_portals.tables import portal_outbox

PASSWORD = "Qiye-pass-2026-ok"


@pytest.fixture
def mails(published, monkeypatch):
    sent = []
    monkeypatch.setattr(published, "settings", published.settings.model_copy(update={"smtp_host": "mail.invalid"}))

    def record(settings, to, subject, body):
        sent.append((to, subject, body))

    monkeypatch.setattr(accounts, "send_mail", record)
    monkeypatch.setattr(outbox_module, "send_mail", record)
    return sent


def _request(client, firm, email):
    page = client.get("/report/enterprise_account").get_data(as_text=True)
    data = {
        "enterprise_name": firm["name"],
        "credit_code": firm["credit_code"],
        "applicant_name": "李安全",
        "applicant_phone": "13900001111",
        "applicant_email": email,
    }
    filed = client.post("/report/enterprise_account", data={**captcha_fields(page), **data})
    assert filed.status_code == 303
    html = client.get(filed.headers["Location"]).get_data(as_text=True)
    return re.search(r'id="tracking-code">([^<]+)<', html).group(1)


def _id_of(published, code):
    table = published.registry.table("enterprise_account_request")
    with published.engine.connect() as conn:
        return conn.execute(select(table.c.id).where(table.c.tracking_code == code)).scalar_one()


def _rows(published):
    with published.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(portal_outbox).order_by(portal_outbox.c.id))]


def _reviewer(app, published):
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("reviewer", "审核员", "", "reviewer@example.org", sm.find_role(sm.auth_role_public), password=ADMIN_PASSWORD)
        sm.session.commit()
    admin = Actor("admin", is_admin=True)
    published.access.save_account(admin, "reviewer", "agency", "350524")
    published.access.add_grant(admin, "reviewer", "account_reviewer", "350524")


def _approve(app, record_id):
    officer = app.test_client()
    token = officer.post("/api/v1/auth/token", json={"username": "reviewer", "password": ADMIN_PASSWORD}).get_json()
    return officer.post(
        f"/api/v1/e/enterprise_account_request/{record_id}/transitions/approve",
        json={},
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )


def test_approval_mails_the_activation_link_after_commit(client, app, published, record_factory, mails, monkeypatch):
    firm = record_factory.create("enterprise", region_code="350524100000")
    code = _request(client, firm, "zhao@firm.example.cn")
    record_id = _id_of(published, code)
    _reviewer(app, published)

    def refused(*args, **kwargs):  # a step rolled back owes no mail
        raise RuntimeError("rolled back")

    monkeypatch.setattr(published.workflow, "_after_move", refused)
    with pytest.raises(RuntimeError):
        published.workflow.take(Actor("reviewer"), "enterprise_account_request", record_id, "approve")
    assert _rows(published) == [] and mails == []
    monkeypatch.undo()  # also the mail fixture's patches: set them again
    monkeypatch.setattr(published, "settings", published.settings.model_copy(update={"smtp_host": "mail.invalid"}))

    def failing(settings, to, subject, body):
        raise MailFailed("connection refused")

    monkeypatch.setattr(outbox_module, "send_mail", failing)
    approved = _approve(app, record_id)
    assert approved.status_code == 200, approved.get_json()
    approved.close()  # the WSGI server closes the response after sending it: then the mail goes
    [row] = _rows(published)
    assert row["email"] == "zhao@firm.example.cn" and row["sent_at"] is None and row["attempts"] == 1
    assert "connection refused" in row["last_error"]

    monkeypatch.setattr(outbox_module, "send_mail", lambda settings, to, subject, body: mails.append((to, subject, body)))
    quiet = client.get("/")  # within the minute: no second look for owed mail
    quiet.close()
    assert mails == []
    app.extensions["anjian_portal_outbox_checked"] -= accounts.RETRY_SECONDS  # a minute later
    later = client.get("/")  # any request of the process retries the owed mail
    later.close()
    [row] = _rows(published)
    assert row["sent_at"] is not None and row["attempts"] == 1
    assert outbox_module.deliver(published, lambda token: f"http://localhost/enterprise/activate/{token}", 60) == 0
    [(to, subject, body)] = mails
    assert to == "zhao@firm.example.cn" and "开通企业账号" in subject and "已批准" in body
    link = re.search(r"http://localhost(/\S+)", body).group(1)
    opened = client.post(link, data={"password": PASSWORD, "password_again": PASSWORD})
    assert opened.status_code == 200 and "企业账号已开通" in opened.get_data(as_text=True)
    account = published.access.account("zhao@firm.example.cn")
    assert account.user_type == "enterprise" and account.enterprise_id == firm["id"]
    table = published.registry.table("enterprise_account_request")
    with published.engine.connect() as conn:
        assert conn.execute(select(table.c.approved_at).where(table.c.id == record_id)).scalar_one() is not None


def test_the_mail_goes_when_the_approval_answer_is_sent(client, app, published, record_factory, mails):
    firm = record_factory.create("enterprise", region_code="350524100000")
    code = _request(client, firm, "qian@firm.example.cn")
    _reviewer(app, published)
    approved = _approve(app, _id_of(published, code))
    assert approved.status_code == 200 and mails == []  # nothing inside the request: after the answer
    approved.close()
    assert [m[0] for m in mails] == ["qian@firm.example.cn"]
    assert _rows(published)[0]["sent_at"] is not None
    track = client.get(f"/track/{code}").get_data(as_text=True)
    assert "发送开通链接" in track  # the fallback stays until the account is opened
