"""An enterprise account from request to first sign-in, with nobody pulling the link: at phone
width an enterprise files the request, an officer approves it on the office screen, the activation
link arrives through a real SMTP server by itself, and the applicant opens the account with it."""

import json
import re
import time
import urllib.request
from email.header import decode_header, make_header

import pytest
import test_portal_in_browser
import test_portal_interaction_in_browser
from browser_server import PASSWORD, running_server
from test_portal_in_browser import ARTIFACTS, axe_clean, no_overflow, shoot, sign_in, solve, step

pytestmark = pytest.mark.browser
EMAIL = "activation@firm.example.cn"
mailbox = pytest.fixture(scope="module")(test_portal_interaction_in_browser.mailbox.__wrapped__)  # its own SMTP sink


@pytest.fixture(scope="module")
def server(tmp_path_factory, mailbox):
    env = {"ANJIAN_SMTP_HOST": "127.0.0.1", "ANJIAN_SMTP_PORT": str(mailbox[0])}
    with running_server(tmp_path_factory.mktemp("activation") / "var", extra_env=env) as running:
        yield running


phone = pytest.fixture(test_portal_in_browser.phone.__wrapped__)  # the same phone, on this module's server


def _api(server, path, token=None, body=None):
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server["base"] + path, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _mail_to(received, address):
    for _ in range(200):  # delivered after the officer's answer is out: wait for it to arrive
        found = [m for m in received if m["To"] == address]
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address}")


def test_approval_mails_the_link_and_the_applicant_opens_the_account(phone, chromium, server, mailbox):
    _, received = mailbox
    token = _api(server, "/api/v1/auth/token", body={"username": "admin", "password": PASSWORD})["access_token"]
    firm = _api(server, "/api/v1/e/enterprise?page_size=1&fields=name,credit_code", token)["items"][0]

    page = phone
    page.goto("/report/enterprise_account")
    page.fill("#f-enterprise_name", firm["name"])
    page.fill("#f-credit_code", firm["credit_code"])
    page.fill("#f-applicant_name", "周安全")
    page.fill("#f-applicant_phone", "13900002222")
    page.fill("#f-applicant_email", EMAIL)
    solve(page)
    page.click("main button[type=submit]:has-text('提交')")
    code = page.inner_text("#tracking-code").strip()
    track = f"/track/{code}"
    page.goto(track)
    assert "待审核" in page.inner_text("main") and "开通链接" not in page.inner_text("main")

    found = _api(server, f"/api/v1/e/enterprise_account_request?q={code}", token)["items"]
    office = chromium.new_context(base_url=server["base"], locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    sign_in(office)
    office.goto(f"/e/enterprise_account_request/{found[0]['id']}")
    step(office, "approve")
    assert "已批准" in office.inner_text(".anjian-flow .anjian-state")
    office.context.close()

    mail = _mail_to(received, EMAIL)  # nobody pressed a button on the progress page
    assert "开通企业账号" in str(make_header(decode_header(mail["Subject"])))
    link = re.search(r"https?://\S+", mail.get_payload(decode=True).decode("utf-8")).group(0)

    page.goto(track)
    assert "已自动发送" in page.inner_text("main") and EMAIL not in page.inner_text("main")
    no_overflow(page)
    axe_clean(page, "approved request's progress page")
    shoot(page, ARTIFACTS, "portal-18-approved-track-390")

    page.goto(link)
    page.fill("#f-password", "Qiye-Kaitong-2026")
    page.fill("#f-password_again", "Qiye-Kaitong-2026")
    axe_clean(page, "activation")
    page.click("main button[type=submit]")
    assert "企业账号已开通" in page.inner_text("#message")
    page.click("main a:has-text('登录')")
    page.fill("input[name=username]", EMAIL)
    page.fill("input[name=password]", "Qiye-Kaitong-2026")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/office/$|.*/e/.*|.*/$"))
    assert "/login" not in page.url
