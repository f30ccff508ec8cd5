"""A county (安溪县) with the levels an accident is reported through: the enterprise, the county,
the city (泉州市), the province (福建省) and the ministry (the whole country), on a turned clock."""

import datetime as dt

import pytest

from anjian import Actor
from anjian.demo import credit_code
from anjian.store.clock import use_clock
from anjian.testing.clock import ManualClock
from anjian.testing.plugin import TEST_APP_CONFIG

ADMIN = Actor("admin", is_admin=True)
PASSWORD = "Report-pass-1"
TOWN = "350524100000"  # 凤城镇, 安溪县
COUNTY, CITY, PROVINCE = "350524", "350500", "350000"
START = dt.datetime(2025, 9, 29, 2, 0)  # Monday 29 September 2025, 10:00 in 安溪

# user -> (type, region, grants)
USERS = {
    "ent": ("enterprise", TOWN, [("accident_reporter", TOWN), ("major_hazard_keeper", TOWN), ("filing_applicant", TOWN)]),
    "officer": ("agency", COUNTY, [("accident_officer", COUNTY), ("major_hazard_officer", COUNTY), ("filing_officer", COUNTY)]),
    "head": ("agency", COUNTY, [("accident_head", COUNTY), ("filing_head", COUNTY)]),
    "approver": ("agency", COUNTY, [("accident_approver", COUNTY)]),
    "city": ("agency", CITY, [("accident_officer", CITY)]),
    "province": ("agency", PROVINCE, [("accident_officer", PROVINCE)]),
}


def _build(settings):
    """Publish, an enterprise, the users and their grants, all stamped at START; the firm's id."""
    import random

    from anjian.runtime import Platform
    from anjian.web.app import create_app

    with use_clock(ManualClock(START)):
        platform = Platform(settings)
        try:
            platform.init_db()
            platform.publish()
            firm = platform.records.create(
                "enterprise",
                {
                    "name": "安溪事故测试有限公司",
                    "credit_code": credit_code(random.Random(13)),
                    "region_code": TOWN,
                    "industry": "C",
                },
                ADMIN,
            )["id"]
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
                    platform.access.store.save_account(
                        ADMIN, name, user_type, region, enterprise_id=firm if user_type == "enterprise" else None
                    )
                    for role, area in grants:
                        platform.access.store.add_grant(ADMIN, name, role, area)
        finally:
            platform.dispose()
    return firm


@pytest.fixture
def levels(settings, anjian_templates, clock):
    """Platform and web app with users at every reporting level; ``clock`` drives every deadline."""
    from anjian.runtime import Platform
    from anjian.web.app import create_app

    firm = anjian_templates.prepare("accident_levels", settings, _build)
    clock.set(START)
    platform = Platform(settings)
    app = create_app(platform=platform, config=TEST_APP_CONFIG)
    yield {"platform": platform, "app": app, "clock": clock, "firm": firm}
    platform.dispose()
