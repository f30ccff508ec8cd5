"""Safety of the public face: CSRF on its forms, a content security policy, no caching of what is
personal, sanitised rich text, public files only from public fields."""

from anjian.testing.plugin import TEST_APP_CONFIG
from anjian.web.app import create_app
from anjian_portals.text import rich_text


def test_forms_need_the_csrf_token_but_the_machine_api_does_not(published):
    app = create_app(platform=published, config={**TEST_APP_CONFIG, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    page = client.get("/report/complaint")
    assert 'name="csrf_token"' in page.get_data(as_text=True)
    assert client.post("/report/complaint", data={"subject": "某某事项", "content": "内容内容"}).status_code == 400
    assert client.post("/track/TSAAAAA-AAAAA/rate", data={"level": "5"}).status_code == 400
    filed = client.post("/api/v1/public/complaints", json={"subject": "某某违法行为", "content": "具体情况说明。"})
    assert filed.status_code == 201


def test_public_pages_carry_the_policy_and_personal_pages_are_not_cached(client):
    home = client.get("/")
    policy = home.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "object-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert "<script>" not in home.get_data(as_text=True)  # no inline script: the page works without it
    assert client.get("/report/complaint").headers["Cache-Control"] == "no-store"
    assert client.get("/track").headers["Cache-Control"] == "no-store"


def test_rich_text_is_sanitised():
    html = str(
        rich_text('<p onclick="x()">说明</p><script>alert(1)</script><a href="javascript:alert(1)">链接</a><img src=x onerror=y>')
    )
    assert (
        "<p>说明</p>" in html
        and "script" not in html
        and "onclick" not in html
        and "javascript:" not in html
        and "<img" not in html
    )
    assert str(rich_text("第一行\n第二行 & 附件")) == "第一行<br>第二行 &amp; 附件"  # plain text keeps its lines


def test_files_of_non_public_fields_are_not_served(client, published):
    import io

    from anjian import Actor

    spec = published.registry.entity("complaint")
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
    stored = published.files.save(
        spec, spec.field("evidence_files"), "a.png", "image/png", io.BytesIO(png), Actor("admin", is_admin=True)
    )
    assert client.get(f"/portal/files/{stored['id']}").status_code == 404
