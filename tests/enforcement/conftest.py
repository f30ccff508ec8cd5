"""A county (安溪县) with two townships, enforcement officers at the county and in one township, the
执法负责人, a read-only leader, an officer of another module and an enterprise user, on a turned clock."""

import pytest
from enforcement_world import ADMIN, OTHER_TOWN, PASSWORD, START, TOWN, USERS

from anjian.demo import credit_code
from anjian.store.clock import use_clock
from anjian.testing import token_callers
from anjian.testing.clock import ManualClock
from anjian.testing.plugin import TEST_APP_CONFIG


def _build(settings):
    """Publish, one enterprise in each township, the users and their grants, stamped at START."""
    import random

    from anjian.runtime import Platform
    from anjian.web.app import create_app

    with use_clock(ManualClock(START)):
        platform = Platform(settings)
        try:
            platform.init_db()
            platform.publish()
            rng = random.Random(29)
            firms = [
                platform.records.create(
                    "enterprise",
                    {"name": f"安溪执法测试{n}有限公司", "credit_code": credit_code(rng), "region_code": town, "industry": "C"},
                    ADMIN,
                )["id"]
                for n, town in enumerate((TOWN, OTHER_TOWN))
            ]
            app = create_app(platform=platform, config=TEST_APP_CONFIG)
            with app.app_context():
                sm = app.appbuilder.sm
                sm.create_db()
                app.appbuilder.add_permissions(update_perms=True)
                for name, (user_type, region, grants) in USERS.items():
                    assert sm.add_user(
                        name, name, "", f"{name}@example.org", sm.find_role(sm.auth_role_public), password=PASSWORD
                    )
                    app.appbuilder.session.commit()
                    firm = firms[0] if user_type == "enterprise" else None
                    platform.access.store.save_account(ADMIN, name, user_type, region, enterprise_id=firm)
                    for role, area in grants:
                        platform.access.store.add_grant(ADMIN, name, role, area)
        finally:
            platform.dispose()
    return firms


@pytest.fixture
def bureau(settings, anjian_templates, clock):
    """Platform, web app, users and the two enterprises; ``clock`` drives every deadline."""
    from anjian.runtime import Platform
    from anjian.web.app import create_app

    firms = anjian_templates.prepare("enforcement_bureau", settings, _build)
    clock.set(START)
    platform = Platform(settings)
    app = create_app(platform=platform, config=TEST_APP_CONFIG)
    yield {"platform": platform, "app": app, "clock": clock, "firms": firms}
    platform.dispose()


@pytest.fixture
def as_user(bureau):
    """as_user(name) -> call(method, url, json=None) -> (status, body), over HTTP with the user's token."""
    return token_callers(bureau["app"], PASSWORD)
