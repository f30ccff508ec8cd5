"""pytest plugin (entry point ``pytest11: anjian``): platform, app, API, clock and record fixtures.

The database a test starts from (initialised, published, or with the web app's users) is built
once per session and copied (``templates``); the ``clock`` fixture turns time instead of sleeping.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.security import generate_password_hash

from ..config import Settings, load_settings
from ..store.clock import use_clock
from .clock import ManualClock
from .factory import RecordFactory
from .helpers import ApiClient, free_port
from .routes import share_route_builders
from .templates import Templates

share_route_builders()  # every test builds an app with the same URL rules (anjian.testing.routes)

ADMIN_PASSWORD = "Anjian-test-1"  # meets the password policy for both test users

# Flask settings of every test app. A cheap password hash keeps logins fast (the default,
# scrypt, costs half a second of CPU per login); the policy and history checks do not depend
# on the method, and `anjian serve` keeps the default.
FAST_HASH = "pbkdf2:sha256:1000"
TEST_APP_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "FAB_PASSWORD_HASH_METHOD": FAST_HASH,
    "AUTH_DB_FAKE_PASSWORD_HASH_CHECK": generate_password_hash("no such user", method=FAST_HASH),
}

# The stages a test's database can start from, each including the one before.
STAGES = ("initialised", "published", "app")


def _reset_database(url: str) -> None:
    """Start a shared test database (PostgreSQL) empty: drop and create it again, so whatever a test
    made there (extensions such as PostGIS, partitioned tables, sequences) goes with it."""
    from sqlalchemy.engine import make_url

    from .templates import recreate_database

    recreate_database(make_url(url))


def add_test_users(application: Any) -> None:
    """FAB's tables and permissions, and the users ``admin`` (Admin) and ``officer`` (Public)."""
    with application.app_context():
        sm = application.appbuilder.sm
        sm.create_db()
        application.appbuilder.add_permissions(update_perms=True)
        sm.add_user("admin", "系统", "管理员", "admin@example.org", sm.find_role(sm.auth_role_admin), password=ADMIN_PASSWORD)
        sm.add_user("officer", "普通", "用户", "officer@example.org", sm.find_role(sm.auth_role_public), password=ADMIN_PASSWORD)


def build_stage(stage: str) -> Callable[[Settings], None]:
    """A builder that brings a new database up to ``stage`` (see STAGES)."""

    def build(settings: Settings) -> None:
        from ..runtime import Platform

        instance = Platform(settings)
        try:
            instance.init_db()
            if stage in ("published", "app"):
                instance.publish()
            if stage == "app":
                from ..web.app import create_app

                add_test_users(create_app(platform=instance, config=TEST_APP_CONFIG))
        finally:
            instance.dispose()

    return build


def _stage(request: pytest.FixtureRequest) -> str:
    names = request.fixturenames
    return "app" if "app" in names else "published" if "published" in names else "initialised"


@pytest.fixture(scope="session")
def anjian_templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    """Template databases of this session (see ``anjian.testing.templates``)."""
    return Templates(tmp_path_factory.mktemp("templates"))


_worker_databases: set[str] = set()


def shared_database_url() -> str:
    """The PostgreSQL database of this test process (ANJIAN_TEST_DATABASE_URL), or "".

    Under pytest-xdist each worker gets a database of its own beside the named one (``<name>_gw0``,
    created on first use), so workers that empty their database between tests never meet.
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = os.environ.get("ANJIAN_TEST_DATABASE_URL", "")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    if name not in _worker_databases:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).first() is None:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        _worker_databases.add(name)
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = shared_database_url()
    if url and request.node.get_closest_marker("postgres"):
        _reset_database(url)
        return url
    return f"sqlite:///{tmp_path / 'anjian.db'}"


@pytest.fixture
def enabled_plugins() -> tuple[str, ...]:
    """Plugins enabled beside the bundled modules; a plugin's conftest overrides it (``("hello",)``)."""
    return ()


@pytest.fixture
def settings(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, enabled_plugins: tuple[str, ...]) -> Settings:
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
        **({"plugins": (*Settings.model_fields["plugins"].default, *enabled_plugins)} if enabled_plugins else {}),
    )


@pytest.fixture
def platform(settings: Settings, request: pytest.FixtureRequest, anjian_templates: Templates) -> Iterator[Any]:
    """A Platform on a database brought up to what the test asks for: ``published`` or ``app``."""
    from ..runtime import Platform

    stage = _stage(request)
    anjian_templates.prepare(stage, settings, build_stage(stage))
    instance = Platform(settings)
    yield instance
    instance.dispose()


@pytest.fixture
def published(platform: Any) -> Any:
    """A platform with the standard metadata published."""
    return platform


@pytest.fixture
def app(published: Any) -> Any:
    """The web app; its database has FAB's permissions and the users ``admin`` and ``officer``."""
    from ..web.app import create_app

    return create_app(platform=published, config=TEST_APP_CONFIG)


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


@pytest.fixture
def clock() -> Iterator[ManualClock]:
    """The process clock, standing still at the start of the test until the test moves it."""
    manual = ManualClock()
    with use_clock(manual):
        yield manual


@pytest.fixture
def record_factory(published: Any) -> RecordFactory:
    """``record_factory.body("enterprise", name=...)`` / ``.create(...)``: valid records from the specs."""
    return RecordFactory(published)


@pytest.fixture
def smtp_sink() -> Iterator[tuple[int, list[Any]]]:
    """(port, received messages) of an SMTP server (aiosmtpd) running in this process on a free
    loopback port; a test using it starts a server, so mark it ``slow``."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list[Any] = []

    class Sink(Message):
        def handle_message(self, message: Any) -> None:
            received.append(message)

    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, received
    controller.stop()
