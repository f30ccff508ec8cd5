"""Swagger UI at /api/v1/docs loads and works under the content security policy (no inline script)."""

import pytest

pytestmark = pytest.mark.browser


def test_the_api_docs_render_under_the_policy(page, shot):
    refused = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    response = page.goto("/api/v1/docs")
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    page.wait_for_selector(".swagger-ui .info .title")
    page.locator(".opblock-tag").first.click()  # the operations of a tag open
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() > 0
    shot("api-docs")
    assert refused == []
