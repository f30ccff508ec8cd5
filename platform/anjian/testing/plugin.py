"""pytest plugin (entry point ``pytest11: anjian``): platform, app and API fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..config import Settings, load_settings
from .helpers import ApiClient

ADMIN_PASSWORD = "Anjian-test-1"  # meets the password policy for both test users


def _reset_database(url: str) -> None:
    """Drop every table of a shared test database (PostgreSQL) so each test starts empty."""
    from sqlalchemy import MetaData, create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        metadata = MetaData()
        metadata.reflect(conn)
        metadata.drop_all(conn)
    engine.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = os.environ.get("ANJIAN_TEST_DATABASE_URL", "")
    if url and request.node.get_closest_marker("postgres"):
        _reset_database(url)
        return url
    return f"sqlite:///{tmp_path / 'anjian.db'}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key in list(os.environ):
        if key.startswith("ANJIAN_") and not key.startswith(("ANJIAN_TEST_", "ANJIAN_PG_")):
            monkeypatch.delenv(key)
    return load_settings(
        {},
        home=tmp_path / "var",
        database_url=database_url,
        secret_key="test-secret-key-0123456789-0123456789-abcdef",
        celery_eager=True,
        catalog_poll_interval=0.05,
        demo_data=False,
        mfa_admin=False,  # the second factor is tested on its own (tests/api/test_mfa.py)
    )


@pytest.fixture
def platform(settings: Settings) -> Iterator[Any]:
    from ..runtime import Platform

    instance = Platform(settings)
    instance.init_db()
    yield instance
    instance.dispose()


@pytest.fixture
def published(platform: Any) -> Any:
    """A platform with the standard metadata published."""
    platform.publish()
    return platform


@pytest.fixture
def app(published: Any) -> Any:
    from ..web.app import create_app

    application = create_app(platform=published, config={"TESTING": True, "WTF_CSRF_ENABLED": False})
    with application.app_context():
        sm = application.appbuilder.sm
        sm.create_db()
        application.appbuilder.add_permissions(update_perms=True)
        sm.add_user("admin", "系统", "管理员", "admin@example.org", sm.find_role(sm.auth_role_admin), password=ADMIN_PASSWORD)
        sm.add_user("officer", "普通", "用户", "officer@example.org", sm.find_role(sm.auth_role_public), password=ADMIN_PASSWORD)
    return application


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


def _token(client: Any, username: str) -> str:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": ADMIN_PASSWORD})
    assert response.status_code == 200, response.get_json()
    return str(response.get_json()["access_token"])


@pytest.fixture
def admin_token(client: Any) -> str:
    return _token(client, "admin")


@pytest.fixture
def api(client: Any, admin_token: str) -> ApiClient:
    """The API as the administrator."""
    return ApiClient(client, admin_token)


@pytest.fixture
def officer_api(client: Any) -> ApiClient:
    """The API as a signed-in user who is not an administrator."""
    return ApiClient(client, _token(client, "officer"))
