"""The permission matrix: zero records leak across scope on any read path; forbidden actions are refused.

Users at province, city, county and township level in two branches of the region tree (泉州/安溪
and 厦门/思明), an enterprise user, a member-unit user and a public user. The expected visibility
is written out by hand (region prefixes), not computed by the code under test.
"""

import csv
import io
import random
import re

import pytest

from anjian import Actor
from anjian.config import load_settings
from anjian.demo import credit_code
from anjian.testing.plugin import TEST_APP_CONFIG

pytestmark = pytest.mark.postgres
ADMIN = Actor("admin", is_admin=True)
PASSWORD = "Matrix-pass-1"
ORG = ("agency", "staff", "expert")
ENTITIES = ("enterprise", *ORG)

# user -> (type, region, [(role, region)], read prefixes {entity group: [prefixes]})
USERS = {
    "prov": ("agency", "350000", [("registry_head", "350000"), ("organisation_clerk", "350000")], {"ent": ["35"], "org": ["35"]}),
    "city_a": (
        "agency",
        "350500",
        [("registry_clerk", "350500"), ("organisation_viewer", "350500")],
        {"ent": ["3505"], "org": ["3505"]},
    ),
    "county_a": (
        "agency",
        "350524",
        [("registry_head", "350524"), ("organisation_clerk", "350524")],
        {"ent": ["350524"], "org": ["350524"]},
    ),
    "town_a": ("agency", "350524100000", [("registry_clerk", "350524100000")], {"ent": ["350524100"], "org": []}),
    "city_b": (
        "agency",
        "350200",
        [("registry_head", "350200"), ("organisation_clerk", "350200")],
        {"ent": ["3502"], "org": ["3502"]},
    ),
    "county_b": (
        "agency",
        "350203",
        [("registry_clerk", "350203"), ("organisation_viewer", "350203")],
        {"ent": ["350203"], "org": ["350203"]},
    ),
    "ent_user": ("enterprise", "350524100000", [("registry_clerk", "350524100000")], {"ent": ["OWN"], "org": []}),
    "member": ("member_unit", "350524", [("organisation_viewer", "350524")], {"ent": [], "org": ["350524"]}),
    "public": ("public", "350524", [], {"ent": [], "org": []}),
}
CREATE = {
    "prov": {"ent", "org"},
    "city_a": {"ent"},
    "county_a": {"ent", "org"},
    "town_a": {"ent"},
    "city_b": {"ent", "org"},
    "county_b": {"ent"},
    "ent_user": set(),
    "member": set(),
    "public": set(),
}
DELETE = {"prov": {"ent"}, "county_a": {"ent"}, "city_b": {"ent"}}
HOME = {
    "prov": "350524101000",
    "city_a": "350524",
    "county_a": "350524100000",
    "town_a": "350524100000",
    "city_b": "350203",
    "county_b": "350203",
    "ent_user": "350524100000",
    "member": "350524",
    "public": "350524",
}
OTHER = {
    "prov": None,
    "city_a": "350203",
    "county_a": "350203",
    "town_a": "350524101000",
    "city_b": "350524",
    "county_b": "350206",
    "ent_user": "350524101000",
    "member": "350203",
    "public": "350203",
}
RNG = random.Random(2260)


def group(entity):
    return "ent" if entity == "enterprise" else "org"


def record_for(entity, region, n, agency_id=None):
    if entity == "enterprise":
        return {"name": f"矩阵企业{n}有限公司", "credit_code": credit_code(RNG), "region_code": region, "industry": "C"}
    if entity == "agency":
        return {"name": f"矩阵机构{n}", "kind": "authority", "level": "county", "region_code": region}
    if entity == "staff":
        return {"name": f"矩阵人员{n}", "agency_id": agency_id, "region_code": region, "status": "active"}
    return {"name": f"矩阵专家{n}", "specialty": "fire", "region_code": region}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from anjian.runtime import Platform
    from anjian.web.app import create_app

    home = tmp_path_factory.mktemp("matrix")
    from anjian.testing.plugin import _reset_database, shared_database_url

    url = shared_database_url()
    if url:  # the PostgreSQL pass: start from an empty database
        _reset_database(url)
    settings = load_settings(
        {},
        home=home / "var",
        database_url=url or f"sqlite:///{home / 'db.sqlite'}",
        secret_key="matrix-secret-0123456789-0123456789-0123",
        catalog_poll_interval=0.05,
        demo_data=False,
    )
    platform = Platform(settings)
    platform.init_db()
    platform.publish()
    records = {e: {} for e in ENTITIES}
    regions = ["350524100000", "350524101000", "350524", "350203", "350206"]
    for n, region in enumerate(regions):
        for entity in ("enterprise", "agency", "expert"):
            created = platform.records.create(entity, record_for(entity, region, n), ADMIN)
            records[entity][created["id"]] = region
        agency_id = max(k for k, v in records["agency"].items() if v == region)
        created = platform.records.create("staff", record_for("staff", region, n, agency_id), ADMIN)
        records["staff"][created["id"]] = region
    app = create_app(platform=platform, config=TEST_APP_CONFIG)
    own_enterprise = min(k for k, v in records["enterprise"].items() if v == "350524100000")
    with app.app_context():
        sm = app.appbuilder.sm
        sm.create_db()
        app.appbuilder.add_permissions(update_perms=True)
        for name, (user_type, region, grants, _) in USERS.items():
            assert sm.add_user(name, name, "", f"{name}@example.org", sm.find_role(sm.auth_role_public), password=PASSWORD)
            app.appbuilder.session.commit()  # end FAB's read transaction before the store writes (SQLite snapshots)
            platform.access.store.save_account(
                ADMIN, name, user_type, region, enterprise_id=own_enterprise if user_type == "enterprise" else None
            )
            for role, area in grants:
                platform.access.store.add_grant(ADMIN, name, role, area)
    yield {"platform": platform, "app": app, "records": records, "own": own_enterprise}
    platform.dispose()


def expected(world, user, entity):
    prefixes = USERS[user][3][group(entity)]
    if prefixes == ["OWN"]:
        return {world["own"]}
    return {i for i, region in world["records"][entity].items() if any(region.startswith(p) for p in prefixes)}


@pytest.fixture(scope="module")
def clients(world):
    result = {}
    for user in USERS:
        api = world["app"].test_client()
        token = api.post("/api/v1/auth/token", json={"username": user, "password": PASSWORD}).get_json()["access_token"]
        ui = world["app"].test_client()
        assert ui.post("/login/", data={"username": user, "password": PASSWORD}).status_code == 302
        result[user] = (api, {"Authorization": f"Bearer {token}"}, ui)
    return result


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("entity", ENTITIES)
def test_no_record_leaks_on_any_read_path(world, clients, user, entity):
    api, headers, ui = clients[user]
    want = expected(world, user, entity)
    listed = api.get(f"/api/v1/e/{entity}?page_size=500", headers=headers)
    if not want and USERS[user][3][group(entity)] == []:
        assert listed.status_code == 403  # no grant allows reading this entity at all
        assert ui.get(f"/e/{entity}/").status_code == 403
        assert api.get(f"/api/v1/e/{entity}/export?format=csv", headers=headers).status_code == 403
        assert ui.get(f"/e/{entity}/lookup?q=").status_code == 403
        for record_id in world["records"][entity]:
            assert api.get(f"/api/v1/e/{entity}/{record_id}", headers=headers).status_code == 403
        return
    assert {item["id"] for item in listed.get_json()["items"]} == want  # API list
    for record_id in world["records"][entity]:  # API detail: out of scope is 404, never 200
        status = api.get(f"/api/v1/e/{entity}/{record_id}", headers=headers).status_code
        assert status == (200 if record_id in want else 404), (user, entity, record_id)
        ui_status = ui.get(f"/e/{entity}/{record_id}").status_code
        assert ui_status == (200 if record_id in want else 404), (user, entity, record_id)
    searched = api.get(f"/api/v1/e/{entity}?q=矩阵&page_size=500", headers=headers).get_json()
    assert {item["id"] for item in searched["items"]} == want  # search
    exported = api.get(f"/api/v1/e/{entity}/export?format=csv", headers=headers)
    if exported.status_code == 200:  # export
        rows = list(csv.reader(io.StringIO(exported.get_data().decode("utf-8-sig"))))[1:]
        assert {int(r[0]) for r in rows} == want
    page = ui.get(f"/e/{entity}/?page_size=100").get_data(as_text=True)
    assert {int(i) for i in re.findall(r'<tr data-id="(\d+)"', page)} == want  # screen list
    lookup = ui.get(f"/e/{entity}/lookup?q=").get_json()["results"]
    assert {r["id"] for r in lookup} <= want and len(lookup) == min(len(want), 20)  # dropdown


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("entity", ENTITIES)
def test_writes_are_refused_outside_scope_and_permission(world, clients, user, entity):
    api, headers, _ = clients[user]
    platform = world["platform"]
    agency = next(iter(world["records"]["agency"])) if entity == "staff" else None
    may_create = group(entity) in CREATE[user]
    n = f"{user}-{entity}"
    home = HOME[user]
    body = record_for(entity, home, n, agency)
    if entity == "staff":  # link to an agency the user can see, in its home region
        visible = expected(world, user, "agency") or {agency}
        body["agency_id"] = min(visible)
    created = api.post(f"/api/v1/e/{entity}", json=body, headers=headers)
    assert created.status_code == (201 if may_create else 403), (user, entity, created.get_json())
    if OTHER[user]:
        outside = api.post(
            f"/api/v1/e/{entity}", json=record_for(entity, OTHER[user], n + "x", body.get("agency_id")), headers=headers
        )
        assert outside.status_code in ((403, 422) if may_create else (403,)), (user, entity, outside.get_json())
        if may_create:
            assert outside.status_code == 403 or entity == "staff"  # staff may also fail its out-of-scope link
    others = set(world["records"][entity]) - expected(world, user, entity)
    for record_id in list(others)[:2]:
        patched = api.patch(f"/api/v1/e/{entity}/{record_id}", json={"name": "改名"}, headers=headers)
        assert patched.status_code in (403, 404)
        assert api.delete(f"/api/v1/e/{entity}/{record_id}", headers=headers).status_code in (403, 404)
    if created.status_code == 201:
        record = created.get_json()
        moved = api.patch(f"/api/v1/e/{entity}/{record['id']}", json={"region_code": OTHER[user] or "350524"}, headers=headers)
        if OTHER[user]:
            assert moved.status_code == 403  # a record may not be moved out of the user's scope
        may_delete = group(entity) in DELETE.get(user, set())
        removed = api.delete(f"/api/v1/e/{entity}/{record['id']}", headers=headers)
        assert removed.status_code == (204 if may_delete else 403)
        if not may_delete:
            platform.records.delete(entity, record["id"], ADMIN)


def test_links_to_out_of_scope_records_are_missing_to_the_user(world, clients):
    api, headers, _ = clients["county_b"]
    a_side_agency = next(i for i, r in world["records"]["agency"].items() if r.startswith("350524"))
    body = record_for("staff", "350203", "link", a_side_agency)
    # county_b may not create staff at all; city_b may, and still cannot link to 安溪's agency.
    api, headers, _ = clients["city_b"]
    response = api.post("/api/v1/e/staff", json=body, headers=headers)
    assert response.status_code == 422 and response.get_json()["error"]["errors"][0]["pointer"] == "/agency_id"


def test_menus_and_home_show_only_what_the_user_may_read(world, clients):
    _, _, ui = clients["member"]
    home = ui.get("/e/").get_data(as_text=True)
    assert "/e/agency/" in home and "/e/enterprise/" not in home
    _, _, ui = clients["public"]
    page = ui.get("/e/").get_data(as_text=True)
    # The public (公众) reads published records only: entities that declare `published`, nothing else.
    published = [name for name, spec in world["platform"].registry.catalog.entities.items() if spec.published]
    for name in published:
        page = re.sub(rf'href="/e/{name}/[^"]*"', "", page)
    assert "/e/" not in re.sub(r'href="/e/"', "", page).replace("/e/_static", "")


def test_the_audit_log_screen_is_scoped(world, clients):
    from anjian.authz.regions import within

    platform = world["platform"]
    platform.access.store.add_grant(ADMIN, "county_b", "auditor", "350203")
    platform.access._checked = 0
    _, _, ui = clients["county_b"]
    html = ui.get("/e/_audit/?entity=enterprise").get_data(as_text=True)
    regions = {r for i, r in world["records"]["enterprise"].items()}
    shown = re.findall(r'<tr data-audit="\d+">.*?</tr>', html, re.S)
    assert shown and all("思明区" in row for row in shown)  # only entries of records in 思明区
    assert any(within(r, "350203") for r in regions)
    _, _, ui = clients["county_a"]
    assert ui.get("/e/_audit/").status_code == 403  # no auditor grant
    assert "审计日志" not in ui.get("/e/").get_data(as_text=True)
