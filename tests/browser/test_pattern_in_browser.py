"""The form checks a field's pattern in the browser as the server does (ECMA-262, "u" flag)."""

import pytest

PASSWORD = "Browser-test-1"  # as set by conftest.server

pytestmark = pytest.mark.browser


def test_a_pattern_is_checked_in_the_form_as_on_the_server(page, shot):
    page.goto("/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/office/")  # signing in lands on the office face
    page.goto("/e/")
    page.goto("/e/enterprise/new")
    phone = page.locator("#contact_phone")
    assert phone.get_attribute("data-pattern") == "^[0-9+\\-() ]{5,20}$"
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)

    phone.fill("٠٥٩٥-1234567")  # Arabic-Indic digits: not [0-9] in ECMA-262 (Python's \d would take them)
    page.click("button[type=submit]:has-text('保存')")
    group = page.locator(".anjian-field[data-name=contact_phone]")
    assert "格式不符合要求" in group.locator(".anjian-client-error").inner_text()
    assert "has-error" in (group.get_attribute("class") or "")
    assert posts == []  # refused before anything was sent
    shot("pattern-refused-in-browser")

    phone.fill("0595-1234567")
    assert group.locator(".anjian-client-error").count() == 0
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_load_state()
    assert posts  # sent: the server gives its verdict on the other fields
    assert page.locator(".anjian-field[data-name=contact_phone] .anjian-client-error").count() == 0
