"""A county with an enterprise user, officers and a head, on a platform whose clock the tests turn."""

import datetime as dt

import pytest

from anjian import Actor
from anjian.demo import credit_code
from anjian.store.clock import use_clock
from anjian.testing import token_callers
from anjian.testing.clock import ManualClock
from anjian.testing.plugin import TEST_APP_CONFIG

ADMIN = Actor("admin", is_admin=True)
PASSWORD = "Flow-pass-1"
TOWN = "350524100000"  # 凤城镇, 安溪县
OTHER_COUNTY = "350203"  # 思明区, 厦门

# user -> (type, region, grants)
USERS = {
    "ent": ("enterprise", TOWN, [("enterprise_safety", TOWN), ("filing_applicant", TOWN)]),
    "ent2": ("enterprise", TOWN, [("enterprise_safety", TOWN)]),
    "officer": ("agency", "350524", [("hazard_officer", "350524"), ("complaint_clerk", "350524"), ("filing_officer", "350524")]),
    "head": ("agency", "350524", [("hazard_head", "350524"), ("complaint_head", "350524"), ("filing_head", "350524")]),
    "handler": ("agency", TOWN, [("complaint_handler", TOWN)]),
    "stranger": ("agency", OTHER_COUNTY, [("hazard_head", OTHER_COUNTY), ("complaint_head", OTHER_COUNTY)]),
}


START = dt.datetime(2025, 9, 29, 2, 0)  # Monday 29 September 2025, 10:00 in 安溪


def _build_county(settings):
    """Publish, two enterprises, the users and their grants, all stamped at START; the firm ids."""
    import random

    from anjian.runtime import Platform
    from anjian.web.app import create_app

    with use_clock(ManualClock(START)):
        platform = Platform(settings)
        try:
            platform.init_db()
            platform.publish()
            rng = random.Random(7)
            firms = [
                platform.records.create(
                    "enterprise",
                    {"name": f"安溪流程测试{n}有限公司", "credit_code": credit_code(rng), "region_code": TOWN, "industry": "C"},
                    ADMIN,
                )["id"]
                for n in range(2)
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
                    firm = {"ent": firms[0], "ent2": firms[1]}.get(name)
                    platform.access.store.save_account(ADMIN, name, user_type, region, enterprise_id=firm)
                    for role, area in grants:
                        platform.access.store.add_grant(ADMIN, name, role, area)
        finally:
            platform.dispose()
    return firms


@pytest.fixture
def county(settings, anjian_templates, clock):
    """Platform, web app, users and two enterprises in 安溪县; ``clock`` drives every deadline.

    The county is built once per session (anjian.testing.templates) and copied for each test.
    """
    from anjian.runtime import Platform
    from anjian.web.app import create_app

    firms = anjian_templates.prepare("county", settings, _build_county)
    clock.set(START)
    platform = Platform(settings)
    app = create_app(platform=platform, config=TEST_APP_CONFIG)
    yield {"platform": platform, "app": app, "clock": clock, "firms": firms}
    platform.dispose()


@pytest.fixture
def api_as(county):
    """api_as(user) -> a function (method, url, json) -> (status, body) over HTTP with the user's token."""
    return token_callers(county["app"], PASSWORD)
