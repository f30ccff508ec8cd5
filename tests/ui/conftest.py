"""Users of the screens: an enterprise safety officer, county clerks and a section head, signed in."""

import pytest

from anjian import Actor
from anjian.testing.plugin import ADMIN_PASSWORD

ADMIN = Actor("admin", is_admin=True)
TOWN = "350524100000"  # 凤城镇, 安溪县
FIRMS = [
    {"name": "界面权限测试甲有限公司", "credit_code": "91350200MA2YJ1XR9G", "region_code": TOWN, "industry": "C"},
    {"name": "界面权限测试乙有限公司", "credit_code": "91512081MA62K0260E", "region_code": TOWN, "industry": "B"},
]
# user -> (type, region, grants)
STAFF = {
    "ent": ("enterprise", TOWN, [("enterprise_safety", TOWN)]),
    "clerk": ("agency", "350524", [("registry_clerk", "350524"), ("hazard_officer", "350524")]),
    "head": ("agency", "350524", [("registry_head", "350524"), ("hazard_head", "350524")]),
    "town": ("agency", "350524", [("registry_clerk", "350524"), ("hazard_officer", "350524101000")]),  # another town's dangers
}


@pytest.fixture
def staff(app):
    """Two enterprises in 安溪 and the users of STAFF (``ent`` works for the first enterprise)."""
    platform = app.extensions["anjian"]
    firms = [platform.records.create("enterprise", firm, ADMIN)["id"] for firm in FIRMS]
    with app.app_context():
        sm = app.appbuilder.sm
        for name, (user_type, region, grants) in STAFF.items():
            sm.add_user(name, name, "", f"{name}@example.org", sm.find_role(sm.auth_role_public), password=ADMIN_PASSWORD)
            sm.session.commit()
            platform.access.store.save_account(ADMIN, name, user_type, region, enterprise_id=firms[0] if name == "ent" else None)
            for role, area in grants:
                platform.access.store.add_grant(ADMIN, name, role, area)
    return {"platform": platform, "firms": firms}


@pytest.fixture
def login_as(app):
    """login_as(username) -> a test client with that user's web session."""

    def login(username):
        client = app.test_client()
        response = client.post("/login/", data={"username": username, "password": ADMIN_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return client

    return login
