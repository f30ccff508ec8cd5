"""Headers: a content security policy with nonces on screens, no-store on signed-in responses,
Secure cookies and HSTS by setting (validated)."""

import re

import pytest

from anjian.config import load_settings
from anjian.errors import ConfigError
from anjian.testing.plugin import ADMIN_PASSWORD

FAB = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # WTForms warns about FAB 5.3's own forms
SCREENS = [
    "/e/",
    "/e/enterprise/",
    "/e/enterprise/new",
    "/e/_audit/",
    "/mfa/enrol",
    pytest.param("/users/list/", marks=FAB),
    pytest.param("/roles/list/", marks=FAB),
    pytest.param("/users/userinfo/", marks=FAB),
]


def signed_in(app, username="admin"):
    client = app.test_client()
    response = client.post("/login/", data={"username": username, "password": ADMIN_PASSWORD})
    assert response.status_code == 302 and "/login/" not in response.headers["Location"]
    return client


def policy(response):
    header = response.headers.get("Content-Security-Policy", "")
    return dict((part.split(" ", 1) + [""])[:2] for part in header.split("; ") if part)


@pytest.mark.parametrize("path", SCREENS)
def test_screens_run_only_their_own_scripts_and_nonced_inline_ones(app, path):
    client = signed_in(app)
    response = client.get(path)
    assert response.status_code == 200, path
    rules = policy(response)
    nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9_-]{16,})'", rules["script-src"]).group(1)
    assert "'unsafe-inline'" not in rules["script-src"] and "'unsafe-eval'" not in rules["script-src"]
    assert rules["object-src"] == "'none'" and rules["frame-ancestors"] == "'self'" and rules["base-uri"] == "'self'"
    html = response.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline), (path, inline)
    assert not re.search(r"\son[a-z]+\s*=", re.sub(r"<script.*?</script>", "", html, flags=re.S)), path  # no handlers
    again = client.get(path)
    assert policy(again)["script-src"] != rules["script-src"]  # a fresh nonce per response


def test_the_api_docs_page_runs_under_the_policy_without_inline_scripts(app):
    client = app.test_client()  # the page and its assets are open to everyone
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    rules = policy(response)
    assert rules["script-src"].startswith("'self' 'nonce-") and "'unsafe-inline'" not in rules["script-src"]
    html = response.get_data(as_text=True)
    assert not re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script is a file the policy allows
    for src in re.findall(r'<script src="([^"]+)"', html) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', html):
        assert src.startswith("/"), src  # served by the platform itself ('self'), never a CDN
        asset = client.get(src)
        assert asset.status_code == 200, src
        asset.close()
    starter = client.get(re.findall(r'<script src="([^"]+)"', html)[-1])
    assert b"SwaggerUIBundle" in starter.data
    starter.close()
    assert re.search(r'data-openapi="/api/v1/openapi.json"', html)


def test_the_login_page_has_the_policy_too(client):
    assert "script-src" in policy(client.get("/login/"))


def test_signed_in_responses_are_not_stored(app, client):
    screens = signed_in(app)
    for path in ("/e/", "/e/enterprise/"):
        assert screens.get(path).headers["Cache-Control"] == "no-store", path
    token = client.post("/api/v1/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert token.headers["Cache-Control"] == "no-store"  # the tokens themselves
    bearer = {"Authorization": f"Bearer {token.get_json()['access_token']}"}
    assert client.get("/api/v1/e/enterprise", headers=bearer).headers["Cache-Control"] == "no-store"
    static = screens.get("/e/_static/anjian.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


def test_secure_cookies_and_hsts_by_setting(published):
    from anjian.web.app import create_app

    plain = create_app(platform=published, config={"TESTING": True, "WTF_CSRF_ENABLED": False})
    response = plain.test_client().get("/login/")
    assert "Strict-Transport-Security" not in response.headers
    assert "secure" not in response.headers.get("Set-Cookie", "").lower()

    secure_settings = published.settings.model_copy(update={"secure_cookies": True})
    published_settings = published.settings
    published.settings = secure_settings
    try:
        app = create_app(platform=published, config={"TESTING": True, "WTF_CSRF_ENABLED": False})
        response = app.test_client().get("/login/")
    finally:
        published.settings = published_settings
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "; Secure" in response.headers["Set-Cookie"]


def test_the_settings_are_validated():
    with pytest.raises(ConfigError, match="ANJIAN_SECURE_COOKIES"):
        load_settings({"ANJIAN_SECURE_COOKIES": "perhaps"})
    with pytest.raises(ConfigError, match="ANJIAN_HSTS_SECONDS"):
        load_settings({"ANJIAN_HSTS_SECONDS": "600"})  # HSTS without TLS means nothing
    with pytest.raises(ConfigError, match="ANJIAN_HSTS_SECONDS"):
        load_settings({"ANJIAN_SECURE_COOKIES": "true", "ANJIAN_HSTS_SECONDS": "-1"})
    assert load_settings({"ANJIAN_SECURE_COOKIES": "true", "ANJIAN_HSTS_SECONDS": "0"}).hsts_seconds == 0
