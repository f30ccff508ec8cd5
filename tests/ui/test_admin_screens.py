"""系统管理 over HTTP: organisations, users and grants, for an administrator and a delegated county administrator."""

import re

import pytest
from sqlalchemy import select

from anjian import Actor
from anjian.data.system import account, audit_log, grant, organisation
from anjian.messages import message
from anjian.testing.plugin import ADMIN_PASSWORD

pytestmark = pytest.mark.postgres
ADMIN = Actor("admin", is_admin=True)
COMPANY = {"name": "管理测试有限公司", "credit_code": "91350200MA2YJ1XR9G", "region_code": "350524100000", "industry": "C"}


def errors_in(html):
    return dict(re.findall(r'data-for="([^"]*)">([^<]+)<', html))


def login(app, username, password=ADMIN_PASSWORD):
    client = app.test_client()
    response = client.post("/login/", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def add_login(app, username):
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user(username, username, "", f"{username}@example.org", sm.find_role(sm.auth_role_public), password=ADMIN_PASSWORD)
        sm.session.commit()


def audit_actions(platform, actor=None):
    query = select(audit_log.c.actor, audit_log.c.action, audit_log.c.entity, audit_log.c.record_id).order_by(audit_log.c.id)
    with platform.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [(r.action, r.entity, r.record_id) for r in rows if actor is None or r.actor == actor]


@pytest.fixture
def people(app):
    """A county administrator of 安溪 (350524), a user in 安溪, one in 思明 (350203) and one with rights above the county."""
    platform = app.extensions["anjian"]
    store = platform.access.store
    for name in ("county", "wang", "li", "boss"):
        add_login(app, name)
    store.save_account(ADMIN, "county", "agency", "350524")
    store.add_grant(ADMIN, "county", "region_admin", "350524")
    store.save_account(ADMIN, "wang", "agency", "350524100000")
    store.save_account(ADMIN, "li", "agency", "350203")
    store.save_account(ADMIN, "boss", "agency", "350524")
    store.add_grant(ADMIN, "boss", "registry_head", "350500")  # lives in the county, holds rights for the city
    return platform


def test_only_administrators_and_region_admins_see_and_open_system_management(app, people):
    officer = login(app, "officer")
    assert "系统管理" not in officer.get("/e/").get_data(as_text=True)
    assert officer.get("/admin/users/").status_code == 403
    assert officer.post("/admin/organisations/new", data={"name": "x"}).status_code == 403
    assert "系统管理" in login(app, "admin").get("/e/").get_data(as_text=True)
    county_home = login(app, "county").get("/e/").get_data(as_text=True)
    assert "系统管理" in county_home and 'href="/admin/users/"' in county_home
    assert login(app, "wang").get("/admin/grants/").status_code == 403


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # WTForms deprecations in FAB's own user forms, not ours
def test_fab_user_and_role_screens_still_work(app):
    browser = login(app, "admin")
    assert browser.get("/users/list/").status_code == 200
    assert browser.get("/roles/list/").status_code == 200
    assert login(app, "officer").get("/users/list/").status_code == 403  # FAB refuses non-administrators itself


def test_an_administrator_creates_an_organisation_a_user_and_a_grant_and_revokes_it(app, people):
    browser = login(app, "admin")
    bad = browser.post(
        "/admin/organisations/new",
        data={"name": "", "kind": "enterprise", "region_code": "999999", "credit_code": "abc", "active": "on"},
    )
    assert bad.status_code == 422
    errors = errors_in(bad.get_data(as_text=True))
    assert {"name", "region_code", "credit_code", "enterprise_id"} <= set(errors)
    assert "999999" in errors["region_code"]
    good = {
        "name": "安溪县应急管理局",
        "kind": "agency",
        "region_code": "350524",
        "credit_code": "11350524MB0000000X",
        "active": "on",
    }
    assert browser.post("/admin/organisations/new", data=good).status_code == 302
    duplicate = browser.post("/admin/organisations/new", data={**good, "name": "另一个局"})
    assert duplicate.status_code == 409 and "已被" in errors_in(duplicate.get_data(as_text=True))["credit_code"]
    with people.engine.connect() as conn:
        org = conn.execute(select(organisation).where(organisation.c.name == good["name"])).one()
    listed = browser.get("/admin/organisations/?q=应急").get_data(as_text=True)
    assert "安溪县应急管理局" in listed

    user = {
        "username": "zhang",
        "name": "张三",
        "email": "zhang@example.org",
        "password": "Safety-pass-7",
        "user_type": "agency",
        "organisation_id": str(org.id),
        "region_code": "",
    }
    missing = browser.post("/admin/users/new", data={**user, "username": "wang", "email": "bad"})
    assert missing.status_code == 422
    assert set(errors_in(missing.get_data(as_text=True))) >= {"username", "email"}
    created = browser.post("/admin/users/new", data=user)
    assert created.status_code == 302 and created.headers["Location"].endswith("/admin/users/zhang/grants")
    with people.engine.connect() as conn:
        row = conn.execute(select(account).where(account.c.username == "zhang")).one()
    assert (row.organisation_id, row.org_name, row.region_code, row.user_type) == (org.id, "安溪县应急管理局", "350524", "agency")
    login(app, "zhang", "Safety-pass-7")  # the login works with the password set through FAB
    users = browser.get(f"/admin/users/?organisation_id={org.id}").get_data(as_text=True)
    assert 'data-user="zhang"' in users and 'data-user="wang"' not in users

    refused = browser.post("/admin/users/zhang/grants", data={"role": "no_such_role", "region_code": "350524"})
    assert refused.status_code == 422 and "未知角色" in errors_in(refused.get_data(as_text=True))["role"]
    page = browser.get("/admin/users/zhang/grants").get_data(as_text=True)
    assert 'value="registry_clerk"' in page and 'value="region_admin"' in page  # roles of the live policy
    added = browser.post(
        "/admin/users/zhang/grants", data={"role": "registry_clerk", "region_code": "350524", "expires_at": "2099-12-31"}
    )
    assert added.status_code == 302
    with people.engine.connect() as conn:
        made = conn.execute(select(grant).where(grant.c.username == "zhang")).one()
    assert made.role == "registry_clerk" and made.expires_at.year in (2099, 2100) and made.granted_by == "admin"
    people.access.check(Actor("zhang"), people.registry.entity("enterprise"), "read")
    assert browser.post(f"/admin/grants/{made.id}/revoke").status_code == 302
    with people.engine.connect() as conn:
        assert conn.execute(select(grant.c.revoked_at).where(grant.c.id == made.id)).scalar() is not None
    actions = audit_actions(people, "admin")
    for expected in [
        ("organisation", "_organisations", str(org.id)),
        ("account", "_accounts", "zhang"),
        ("user_create", "_users", "zhang"),
        ("grant", "_grants", str(made.id)),
        ("revoke", "_grants", str(made.id)),
    ]:
        assert expected in actions


def test_editing_deactivating_and_resetting_a_password(app, people):
    browser = login(app, "admin")
    form = browser.get("/admin/users/wang/edit").get_data(as_text=True)
    assert 'value="wang@example.org"' in form
    saved = browser.post(
        "/admin/users/wang/edit",
        data={
            "name": "王五",
            "email": "wang5@example.org",
            "password": "Renewed-pass-2",
            "user_type": "agency",
            "region_code": "350524101000",
        },
    )
    assert saved.status_code == 302
    assert people.access.state().accounts["wang"].region == "350524101000"
    signed_in = login(app, "wang", "Renewed-pass-2")
    token = signed_in.post("/api/v1/auth/token", json={"username": "wang", "password": "Renewed-pass-2"}).get_json()[
        "access_token"
    ]
    assert browser.post("/admin/users/wang/active", data={"active": "0"}).status_code == 302
    assert signed_in.get("/e/").status_code == 302  # the open session ended with the deactivation
    refused = app.test_client().post("/login/", data={"username": "wang", "password": "Renewed-pass-2"})
    assert refused.status_code == 302 and "/login/" in refused.headers["Location"]  # an inactive user cannot sign in
    assert browser.post("/admin/users/wang/active", data={"active": "1"}).status_code == 302
    login(app, "wang", "Renewed-pass-2")
    stale = app.test_client().get("/api/v1/e/enterprise", headers={"Authorization": f"Bearer {token}"})
    assert stale.status_code == 401  # a token issued before the deactivation stays void after re-enabling
    actions = [a for a, _, record in audit_actions(people, "admin") if record == "wang"]
    assert {"user_update", "password_reset", "user_deactivate", "user_activate", "account"} <= set(actions)
    assert browser.post("/admin/users/admin/active", data={"active": "0"}).status_code == 302  # refused with a message
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="admin").active


def test_notices_after_an_action_come_from_the_catalogue(app, people):
    browser = login(app, "admin")
    refused = browser.post("/admin/users/admin/active", data={"active": "0"}, follow_redirects=True)
    assert "不能停用自己的账号" in refused.get_data(as_text=True)
    done = browser.post("/admin/users/wang/active", data={"active": "0"}, follow_redirects=True)
    assert "已停用用户 wang" in done.get_data(as_text=True)
    assert message("ui.admin.user_deactivated", "en", username="wang") == "User wang deactivated"


def test_a_county_administrator_manages_only_their_county(app, people):
    county = login(app, "county")
    users = county.get("/admin/users/").get_data(as_text=True)
    assert 'data-user="wang"' in users and 'data-user="li"' not in users and 'data-user="admin"' not in users
    assert county.get("/admin/users/li/edit").status_code == 403
    assert county.post("/admin/users/li/active", data={"active": "0"}).status_code == 403
    assert county.get("/admin/users/admin/edit").status_code == 403
    assert county.get("/admin/users/boss/edit").status_code == 403  # holds rights above the county
    assert (
        county.post(
            "/admin/users/boss/edit",
            data={
                "name": "b",
                "email": "b@example.org",
                "password": "Taken-over-1",
                "user_type": "agency",
                "region_code": "350524",
            },
        ).status_code
        == 403
    )

    above = county.post("/admin/users/wang/grants", data={"role": "registry_clerk", "region_code": "350500"})
    text = above.get_data(as_text=True)
    assert above.status_code == 403 and "不在您的管理范围内" in text and "350500" in text
    beside = county.post("/admin/users/wang/grants", data={"role": "registry_clerk", "region_code": "350203"})
    assert beside.status_code == 403
    assert (
        county.post("/admin/users/wang/grants", data={"role": "registry_clerk", "region_code": "350524100000"}).status_code == 302
    )

    outside = county.post(
        "/admin/users/new",
        data={
            "username": "xmuser",
            "name": "厦门",
            "email": "xm@example.org",
            "password": "Siming-pass-123",
            "user_type": "agency",
            "region_code": "350203",
        },
    )
    assert outside.status_code == 403 and "不在您的管理范围内" in outside.get_data(as_text=True)
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="xmuser") is None  # no login without its account
    inside = county.post(
        "/admin/users/new",
        data={
            "username": "town",
            "name": "镇用户",
            "email": "town@example.org",
            "password": "Fengcheng-pass-123",
            "user_type": "agency",
            "region_code": "350524100000",
        },
    )
    assert inside.status_code == 302

    assert (
        county.post(
            "/admin/organisations/new", data={"name": "思明区局", "kind": "agency", "region_code": "350203", "active": "on"}
        ).status_code
        == 403
    )
    assert (
        county.post(
            "/admin/organisations/new",
            data={"name": "凤城镇安监站", "kind": "agency", "region_code": "350524100000", "active": "on"},
        ).status_code
        == 302
    )
    people.access.organisations.save(ADMIN, _org("思明区应急管理局", "350203"))
    listed = county.get("/admin/organisations/").get_data(as_text=True)
    assert "凤城镇安监站" in listed and "思明区应急管理局" not in listed
    found = county.get("/admin/lookup/organisations?q=应急").get_json()["results"]
    assert found == []

    with people.engine.connect() as conn:
        li_grant = conn.execute(select(grant.c.id).where(grant.c.username == "boss")).scalar()
    assert county.post(f"/admin/grants/{li_grant}/revoke").status_code == 403  # a grant above their region
    grants = county.get("/admin/grants/").get_data(as_text=True)
    assert "wang" in grants and "boss" not in grants
    assert {"grant", "account", "user_create", "organisation"} <= {a for a, _, _ in audit_actions(people, "county")}


def _org(name, region):
    from anjian.authz.organisations import OrganisationInput

    return OrganisationInput(name=name, kind="agency", region_code=region)


def test_an_enterprise_user_is_bound_through_the_enterprise_picker(app, people):
    enterprise = people.records.create("enterprise", COMPANY, ADMIN)
    county = login(app, "county")
    found = county.get("/admin/lookup/enterprises?q=管理测试").get_json()["results"]
    assert found == [{"id": enterprise["id"], "text": COMPANY["name"]}]
    missing = county.post(
        "/admin/users/new",
        data={
            "username": "boss2",
            "name": "企业",
            "email": "e@example.org",
            "password": "Ent-pass-123",
            "user_type": "enterprise",
            "region_code": "350524100000",
        },
    )
    assert missing.status_code == 422 and "enterprise_id" in errors_in(missing.get_data(as_text=True))
    made = county.post(
        "/admin/users/new",
        data={
            "username": "boss2",
            "name": "企业",
            "email": "e@example.org",
            "password": "Ent-pass-123",
            "user_type": "enterprise",
            "region_code": "350524100000",
            "enterprise_id": str(enterprise["id"]),
        },
    )
    assert made.status_code == 302, made.get_data(as_text=True)
    assert people.access.state().accounts["boss2"].enterprise_id == enterprise["id"]


def test_forms_need_the_csrf_token(people):
    from anjian.web.app import create_app

    app = create_app(platform=people, config={"TESTING": True})
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login/", data={"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": token}).status_code == 302
    data = {"name": "令牌测试局", "kind": "agency", "region_code": "350524", "active": "on"}
    assert client.post("/admin/organisations/new", data=data).status_code == 400
    form = client.get("/admin/organisations/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert client.post("/admin/organisations/new", data={**data, "csrf_token": token}).status_code == 302


def test_fab_has_access_asks_casbin_for_generated_entries(app, people):
    from flask_login import login_user

    people.access.store.add_grant(ADMIN, "wang", "registry_clerk", "350524")
    with app.test_request_context("/"):
        sm = app.appbuilder.sm
        login_user(sm.find_user(username="wang"))
        assert sm.has_access("menu_access", "anjian:enterprise")
        assert sm.has_access("can_edit", "anjian:enterprise")
        assert not sm.has_access("can_delete", "anjian:enterprise")  # a clerk may not delete
        assert not sm.has_access("menu_access", "anjian:_admin_users")
    with app.test_request_context("/"):
        login_user(app.appbuilder.sm.find_user(username="county"))
        assert app.appbuilder.sm.has_access("menu_access", "anjian:_admin_users")
        assert not app.appbuilder.sm.has_access("menu_access", "anjian:enterprise")


def test_out_of_range_pages_and_dates_are_handled_not_crashed(app, people):
    admin = login(app, "admin")
    huge = "99999999999999999999"
    for url in ("/admin/users/", "/admin/organisations/", "/admin/grants/", "/e/_audit/"):
        assert admin.get(f"{url}?page={huge}").status_code == 200, url
    refused = admin.post(
        "/admin/users/wang/grants", data={"role": "registry_clerk", "region_code": "350524", "expires_at": "9999-12-31"}
    )
    assert refused.status_code == 422 and "有效的日期" in refused.get_data(as_text=True)


def test_an_auditor_of_the_whole_country_reads_every_entry(app, people):
    people.access.store.add_grant(ADMIN, "li", "auditor", "*")
    page = login(app, "li").get("/e/_audit/")
    assert page.status_code == 200 and 'data-audit="' in page.get_data(as_text=True)
