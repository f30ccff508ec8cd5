"""The suite's entities are published alone: the standard declarations are not needed here."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # suite_cases, beside the tests


@pytest.fixture
def published(platform, tmp_path_factory):
    """A platform with only the suite's declarable schemas published (as entities suite_<n>)."""
    from suite_cases import declarable

    from anjian.testing.helpers import write_json

    folder = tmp_path_factory.mktemp("suite")
    for declared in declarable():
        write_json(folder / f"{declared.entity}.json", declared.document())
    platform.publish([folder])
    return platform


@pytest.fixture
def app(published):
    """The web application without Flask-AppBuilder's menu permissions (one per suite entity: slow)."""
    from anjian.testing.plugin import ADMIN_PASSWORD
    from anjian.web.app import create_app

    application = create_app(platform=published, config={"TESTING": True, "WTF_CSRF_ENABLED": False})
    with application.app_context():
        sm = application.appbuilder.sm
        sm.create_db()
        if sm.find_user(username="admin") is None:  # the session's template may hold it already
            sm.add_user("admin", "系统", "管理员", "admin@example.org", sm.find_role(sm.auth_role_admin), password=ADMIN_PASSWORD)
    return application
