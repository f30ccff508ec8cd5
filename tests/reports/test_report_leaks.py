"""The leak matrix for reports: for every kind of user, each report they may run counts exactly the
records they can list with the same filter, and reports on data they may not count are refused.

The expected counts come from the list API (the scope every list uses) and the workflow's state
table, never from the report code.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from report_world import ADMIN, TOWN_A, TOWN_B, close
from sqlalchemy import select, update

from anjian.reports import local_today
from anjian.testing.helpers import ApiClient
from anjian.testing.plugin import ADMIN_PASSWORD
from anjian.workflow.tables import instance

pytestmark = pytest.mark.postgres
REGIONS = [TOWN_A, TOWN_B, "350524", "350203", "350206"]
# user -> (type, region, grants, reports they may run)
USERS = {
    "county": (
        "agency",
        "350524",
        [
            ("hazard_officer", "350524"),
            ("complaint_head", "350524"),
            ("filing_officer", "350524"),
            ("organisation_viewer", "350524"),
        ],
        None,
    ),
    "town": ("agency", TOWN_A, [("hazard_officer", TOWN_A)], "hazard"),
    "xiamen": ("agency", "350200", [("hazard_officer", "350200"), ("complaint_head", "350200")], None),
    "province": (
        "agency",
        "350000",
        [("hazard_head", "350000"), ("complaint_head", "350000"), ("filing_head", "350000"), ("organisation_clerk", "350000")],
        None,
    ),
    "firm": ("enterprise", TOWN_A, [("enterprise_safety", TOWN_A)], "none"),
    "viewer": ("agency", "350203", [("organisation_viewer", "350203")], "organisation"),
}
SOURCES = {"hazard": {"hidden_danger", "hazard_statistics"}, "organisation": {"staff", "expert"}, "none": set()}


@pytest.fixture
def matrix(app, client, record_factory):
    platform = app.extensions["anjian"]
    today = local_today().isoformat()
    firms = {}
    for n, region in enumerate(REGIONS):
        firm = record_factory.create("enterprise", region_code=region)["id"]
        firms[region] = firm
        for k in range(2):
            danger = record_factory.create(
                "hidden_danger", enterprise_id=firm, region_code=region, found_on=today, level=("general", "major")[k]
            )
            if (n + k) % 2:
                close(platform, danger["id"])
        record_factory.create("complaint", region_code=region, received_at=f"{today}T09:00:00+08:00", channel="hotline")
        filing = record_factory.create("hazard_source_filing", enterprise_id=firm, region_code=region, hazard_level="2")
        with platform.engine.begin() as conn:
            conn.execute(
                update(instance)
                .where(instance.c.entity == "hazard_source_filing", instance.c.record_id == filing["id"])
                .values(state="filed")
            )
        record_factory.create("staff", region_code=region, status="active")
        record_factory.create("expert", region_code=region)
    with app.app_context():
        sm = app.appbuilder.sm
        for name, (user_type, region, grants, _) in USERS.items():
            sm.add_user(name, name, "", f"{name}@example.org", sm.find_role(sm.auth_role_public), password=ADMIN_PASSWORD)
            sm.session.commit()
            platform.access.save_account(
                ADMIN,
                name,
                user_type,
                region,
                org_name="矩阵",
                enterprise_id=firms[TOWN_A] if user_type == "enterprise" else None,
            )
            for role, area in grants:
                platform.access.add_grant(ADMIN, name, role, area)
    return platform


def api_for(client, username):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": ADMIN_PASSWORD})
    return ApiClient(client, response.get_json()["access_token"])


def listed_ids(api, platform, link):
    """The ids the user can list with the filter of a drill link (the 环节 filter applied here)."""
    parts = urlsplit(link)
    entity = parts.path.strip("/").split("/")[1]
    args = dict(parse_qsl(parts.query))
    states = args.pop("_state", None)
    page = api.get(f"/api/v1/e/{entity}", query_string={**args, "fields": "id", "page_size": "500"}).get_json()
    ids = {item["id"] for item in page["items"]}
    assert page["total"] == len(ids)
    if states:
        with platform.engine.connect() as conn:
            keep = set(
                conn.execute(
                    select(instance.c.record_id).where(instance.c.entity == entity, instance.c.state.in_(states.split(",")))
                ).scalars()
            )
        ids &= keep
    return ids


def test_report_totals_equal_what_each_user_can_list(client, matrix):
    reports = matrix.registry.catalog.reports
    checked = 0
    for username, (_, _, _, only) in USERS.items():
        api = api_for(client, username)
        names = {r["name"] for r in api.get("/api/v1/reports").get_json()["items"]}
        if only is not None:
            assert {reports[n].source for n in names} <= SOURCES[only]
        for name, report in reports.items():
            response = api.get(f"/api/v1/reports/{name}")
            if name not in names:
                assert response.status_code == 403, (username, name)
                continue
            result = response.get_json()
            assert response.status_code == 200, (username, name, result)
            for measure in report.measures:
                link = (result["totals"] or {}).get("_links", {}).get(measure.name)
                if not link or measure.kind != "count":
                    continue
                expected = len(listed_ids(api, matrix, link))
                assert result["totals"][measure.name] == expected, (username, name, measure.name)
                assert sum(row[measure.name] for row in result["rows"]) == expected  # no group counts a row twice
                checked += 1
    assert checked > 40


def test_scope_counts_by_hand(client, matrix):
    """The totals written out: 安溪 has 3 regions × 2 dangers, the town 2, 厦门 2 × 2, the province all."""
    expected = {"county": 6, "town": 2, "xiamen": 4, "province": 10}
    for username, count in expected.items():
        result = api_for(client, username).get("/api/v1/reports/hidden_danger_by_region").get_json()
        assert result["totals"]["found"] == count, username
    assert api_for(client, "firm").get("/api/v1/reports/hidden_danger_by_region").status_code == 403
