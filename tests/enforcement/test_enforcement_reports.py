"""The enforcement reports count what the reader may see: cases by region and step with their fines,
penalties by month, inspections by handling; the leadership's dashboard card counts cases in progress."""

import re

import pytest
from enforcement_world import ADMIN, OTHER_TOWN, PASSWORD, TOWN

from anjian import Actor


def inspection(platform, firm, region, handling, problems=1):
    body = {
        "enterprise_id": firm,
        "region_code": region,
        "inspected_on": "2025-09-29",
        "inspectors": [{"name": "李执法"}],
        "items_checked": "危险化学品储存",
        "problem_count": problems,
        "handling": handling,
    }
    return platform.records.create("inspection_record", body, Actor("officer"))["id"]


def case(platform, firm, region, fine=None, decided_on="2025-09-29", steps=True, filed_on="2025-09-29"):
    take = platform.workflow.take
    body = {"case_title": "未按规定设置报警装置案", "enterprise_id": firm, "region_code": region, "source": "inspection"}
    record = platform.records.create(
        "penalty_case", {**body, "violation_category": "facilities", "facts": "事实"}, Actor("officer")
    )
    if not steps:
        return record["id"]
    officer, head, n = Actor("officer"), Actor("head"), record["id"]
    take(head, "penalty_case", n, "approve_filing", {"data": {"case_no": f"立{n}", "filed_on": filed_on}})
    platform.records.update(
        "penalty_case", n, {"evidence": "笔录", "legal_basis": "条款", "proposed_penalty": "罚款"}, officer, partial=True
    )
    take(officer, "penalty_case", n, "submit_review", {})
    take(head, "penalty_case", n, "approve_review", {"data": {"review_opinion": "同意"}})
    take(officer, "penalty_case", n, "serve_notice", {"data": {"notice_doc_no": f"告{n}", "notice_served_on": filed_on}})
    take(officer, "penalty_case", n, "end_statement", {})
    decision = {"decision_no": f"罚{n}", "decision_on": decided_on, "penalty_kind": "fine" if fine else "warning"}
    take(head, "penalty_case", n, "decide", {"data": {**decision, **({"fine_amount": fine} if fine else {})}})
    return n


@pytest.fixture
def filled(bureau):
    platform, (firm, other) = bureau["platform"], bureau["firms"]
    for handling in ("rectify_order", "rectify_order", "corrected_on_site"):
        inspection(platform, firm, TOWN, handling, problems=2)
    inspection(platform, other, OTHER_TOWN, "file_case")
    case(platform, firm, TOWN, fine=30000)
    case(platform, firm, TOWN, fine=12000.5, decided_on="2025-08-15", filed_on="2025-08-01")
    case(platform, other, OTHER_TOWN, fine=None)
    case(platform, other, OTHER_TOWN, steps=False)
    return bureau


def rows(as_user, user, report, **query):
    status, body = as_user(user)("get", f"/api/v1/reports/{report}?" + "&".join(f"{k}={v}" for k, v in query.items()))
    assert status == 200, body
    return body


def test_cases_by_region_and_state_with_their_fines(filled, as_user):
    result = rows(as_user, "leader", "penalty_cases_by_state", region_level="township")
    got = {(r["region"], r["state"]): (r["cases"], r["fines"]) for r in result["rows"]}
    assert got == {
        (TOWN, "serving"): (2, pytest.approx(42000.5)),
        (OTHER_TOWN, "serving"): (1, 0),  # a warning: no fine
        (OTHER_TOWN, "proposed"): (1, 0),
    }
    assert result["totals"]["cases"] == 4 and result["totals"]["open"] == 4
    assert as_user("town_officer")("get", "/api/v1/reports/penalty_cases_by_state")[0] == 403  # officers do not run reports
    assert as_user("hazard")("get", "/api/v1/reports/penalty_cases_by_state")[0] == 403


def test_penalties_by_month_count_decisions_and_sum_fines(filled, as_user):
    result = rows(as_user, "head", "penalties_by_month", period_from="2025-01-01", period_to="2025-12-31")
    got = {r["month"]: (r["decisions"], r["fined"], r["fines"]) for r in result["rows"]}
    assert got == {"2025-08": (1, 1, pytest.approx(12000.5)), "2025-09": (2, 1, pytest.approx(30000))}


def test_inspections_by_handling_in_the_readers_scope(filled, as_user):
    result = rows(as_user, "leader", "inspections_by_handling", period_from="2025-01-01", period_to="2025-12-31")
    got = {r["handling"]: (r["inspections"], r["problems"]) for r in result["rows"]}
    assert got == {"rectify_order": (2, 4), "corrected_on_site": (1, 2), "file_case": (1, 1)}
    assert result["totals"]["inspections"] == 4


def test_the_leaderships_dashboard_card_counts_cases_in_progress(filled):
    platform = filled["platform"]
    take = platform.workflow.take
    closed = case(platform, filled["firms"][0], TOWN, fine=None)
    take(
        Actor("officer"),
        "penalty_case",
        closed,
        "serve_decision",
        {"data": {"decision_served_on": "2025-09-29", "service_method": "direct"}},
    )
    take(Actor("officer"), "penalty_case", closed, "fulfilled", {"data": {"execution_note": "警告已执行"}})
    take(ADMIN, "penalty_case", closed, "close", {})
    client = filled["app"].test_client()
    client.post("/login/", data={"username": "leader", "password": PASSWORD})
    html = client.get("/e/").get_data(as_text=True)
    match = re.search(r'id="anjian-kpi-open_penalty_cases" href="([^"]+)">\s*<span class="anjian-kpi-value">([^<]*)</span>', html)
    assert match and match.group(2) == "4", html[:2000]  # five cases, one closed
    assert 'id="anjian-kpi-open_major"' not in html  # hidden dangers are not the leader's to count
