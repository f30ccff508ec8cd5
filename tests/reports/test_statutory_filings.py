"""Statutory statistics: the enterprises' quarterly hidden-danger statistics summed by county, the
late and missing filers against the registry and the obligation's due date (15 days after the
quarter), the figures as filed, and a correction filed again as a new version with its difference.

Filings move through the real process (the enterprise signs and submits, the officer returns);
the clock decides when each was filed.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from report_world import ADMIN, OTHER_COUNTY, TOWN_A, TOWN_B, grant
from sqlalchemy import delete, event, func, select

from anjian import Actor
from anjian.errors import PermissionDenied, RecordValidationError
from anjian.reports import ReportRunner
from anjian.reports.statutory import StatutoryFilings, difference, due_date, period_end
from anjian.reports.tables import statutory_filing
from anjian.testing.plugin import ADMIN_PASSWORD
from anjian.workflow.steps import StepTaken

pytestmark = pytest.mark.postgres  # the PostgreSQL pass runs them again
REPORT = "hazard_statistics_quarterly"
COUNTY_OFFICER, XIAMEN_OFFICER = Actor("county"), Actor("xiamen")
METADATA = Path(__file__).resolve().parents[2] / "metadata"


def filings(platform) -> StatutoryFilings:
    return StatutoryFilings(ReportRunner(platform.registry, platform.access, platform.engine))


@pytest.fixture
def quarter(published, record_factory, clock):
    """Q1 2026 in 安溪县 and 思明区: who filed when, who did not, one enterprise closed."""
    platform = published
    clock.set_local("2026-03-01 09:00")
    firms = {}
    for key, region, status in [
        ("a1", TOWN_A, "active"),
        ("a2", TOWN_A, "active"),
        ("a3", TOWN_A, "active"),
        ("b1", TOWN_B, "active"),
        ("closed", TOWN_A, "closed"),
        ("x1", OTHER_COUNTY, "active"),
    ]:
        firms[key] = record_factory.create("enterprise", region_code=region, status=status, name=f"统计测试{key}有限公司")["id"]
        platform.access.save_account(ADMIN, f"ent_{key}", "enterprise", region, enterprise_id=firms[key])
        platform.access.add_grant(ADMIN, f"ent_{key}", "enterprise_safety", region)
    grant(platform, "county", "hazard_officer", "350524")
    grant(platform, "xiamen", "hazard_officer", "350200")
    records = {}

    def file(key, region, on, general_found, submit=True):
        clock.set_local(on)
        ent = Actor(f"ent_{key}")
        body = {
            "enterprise_id": firms[key],
            "region_code": region,
            "period": "quarter",
            "year": 2026,
            "quarter": 1,
            "general_found": general_found,
            "general_rectified": general_found - 1,
            "major_found": 1,
            "major_rectified": 0,
            "funds": 2.5,
            "signed_by": "负责人",
        }
        records[key] = platform.records.create("hazard_statistics", body, ent)["id"]
        if submit:
            platform.workflow.take(ent, "hazard_statistics", records[key], "submit", {})

    file("a1", TOWN_A, "2026-04-10 10:00", 3)  # on time (due 15 April)
    file("b1", TOWN_B, "2026-04-20 10:00", 7)  # five days late
    file("a2", TOWN_A, "2026-04-12 10:00", 9, submit=False)  # a draft only: not filed
    file("x1", OTHER_COUNTY, "2026-04-02 10:00", 4)  # another county's
    clock.set_local("2026-04-30 09:00")
    return {"platform": platform, "firms": firms, "records": records, "clock": clock}


def test_due_dates_come_from_the_obligation(published):
    spec = published.registry.catalog.reports[REPORT].statutory
    annual = published.registry.catalog.reports["hazard_statistics_annual"].statutory
    assert (spec.obligation, spec.every, spec.due_days, spec.registry) == ("quarterly", "quarter", 15, "enterprise")
    assert period_end(2026, 1) == dt.date(2026, 3, 31) and period_end(2025, 4) == dt.date(2025, 12, 31)
    assert due_date(spec, 2026, 1) == dt.date(2026, 4, 15) and due_date(spec, 2025, 4) == dt.date(2026, 1, 15)
    assert due_date(annual, 2025, None) == dt.date(2026, 1, 31)


def test_county_summary_late_and_missing_filers_in_the_officers_scope(quarter):
    platform, firms = quarter["platform"], quarter["firms"]
    period = filings(platform).period(COUNTY_OFFICER, REPORT, {"year": "2026", "quarter": "1"})
    assert period.due_on == dt.date(2026, 4, 15) and "安溪县" in period.scope
    status = {f.owner_id: f.status for f in period.filers}
    assert status == {firms["a1"]: "on_time", firms["b1"]: "late", firms["a2"]: "missing", firms["a3"]: "missing"}
    late = {f.owner_id: f for f in period.late_and_missing}
    assert set(late) == {firms["b1"], firms["a2"], firms["a3"]} and late[firms["b1"]].days_late == 5
    [county] = period.summary
    assert county["region_code"] == "350524" and county["region"] == "安溪县"
    expected = {"expected": 4, "filed": 2, "on_time": 1, "late": 1, "missing": 2, "pending": 0, "corrected": 0}
    assert {k: county[k] for k in expected} == expected
    assert (county["general_found"], county["general_rectified"], county["funds"]) == (10, 8, 5)  # the draft's 9 not counted
    assert period.totals["expected"] == 4 and period.totals["filed_rate"] == 0.5

    xiamen = filings(platform).period(XIAMEN_OFFICER, REPORT, {"year": "2026", "quarter": "1"})
    assert [(f.owner_id, f.status) for f in xiamen.filers] == [(firms["x1"], "on_time")]
    assert xiamen.totals["general_found"] == 4


def test_before_the_due_date_an_unfiled_enterprise_is_pending_not_missing(quarter):
    quarter["clock"].set_local("2026-04-14 09:00")
    period = filings(quarter["platform"]).period(COUNTY_OFFICER, REPORT, {"year": "2026", "quarter": "1"})
    assert period.totals["missing"] == 0 and period.totals["pending"] == 2 and period.late_and_missing[0].status == "late"


def test_a_correction_is_a_new_version_with_its_difference(quarter):
    platform, records, clock = quarter["platform"], quarter["records"], quarter["clock"]
    statutory = filings(platform)
    statutory.period(COUNTY_OFFICER, REPORT, {"year": "2026", "quarter": "1"})  # the figures as filed: version 1
    ent = Actor("ent_a1")
    platform.workflow.take(COUNTY_OFFICER, "hazard_statistics", records["a1"], "return", {"comment": "一般隐患数与台账不符"})
    platform.records.update("hazard_statistics", records["a1"], {"general_found": 5}, ent, partial=True)
    mid = statutory.period(COUNTY_OFFICER, REPORT, {"year": "2026", "quarter": "1"})
    assert mid.totals["general_found"] == 10  # returned for correction: the figures as filed still count
    clock.set_local("2026-05-02 10:00")
    platform.workflow.take(ent, "hazard_statistics", records["a1"], "submit", {})
    after = statutory.period(COUNTY_OFFICER, REPORT, {"year": "2026", "quarter": "1"})
    a1 = next(f for f in after.filers if f.record_id == records["a1"])
    assert (a1.version, a1.status, a1.filed_on) == (2, "on_time", dt.date(2026, 4, 10))  # on time by its first filing
    assert after.totals["general_found"] == 12 and after.totals["corrected"] == 1
    report, versions = statutory.versions(COUNTY_OFFICER, REPORT, records["a1"])
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["figures"]["general_found"] == 3 and versions[1]["changes"] == {"general_found": (3, 5, 2)}
    assert versions[1]["filed_by"] == "ent_a1"
    assert statutory.capture(report) == 0  # nothing new: captured once
    assert statutory.versions(XIAMEN_OFFICER, REPORT, records["a1"])[1] == []  # outside their scope


def test_difference_names_only_what_changed():
    assert difference({"a": 1, "b": 2.5}, {"a": 1, "b": 3.0}, ["a", "b"]) == {"b": (2.5, 3.0, 0.5)}
    assert difference({"a": None}, {"a": 4}, ["a"]) == {"a": (None, 4, None)}


@pytest.mark.parametrize(
    ("args", "pointer"),
    [
        ({"year": "2026;drop table x"}, "/query/year"),
        ({"year": "1900"}, "/query/year"),
        ({"quarter": "5"}, "/query/quarter"),
        ({"quarter": "{{7*7}}"}, "/query/quarter"),
        ({"region": "35"}, "/query/region"),
    ],
)
def test_bad_periods_are_field_errors(quarter, args, pointer):
    with pytest.raises(RecordValidationError) as caught:
        filings(quarter["platform"]).period(COUNTY_OFFICER, REPORT, args)
    assert [e.pointer for e in caught.value.errors] == [pointer]


def test_only_users_who_may_report_on_the_filings_see_them(quarter):
    with pytest.raises(PermissionDenied):
        filings(quarter["platform"]).period(Actor("ent_a1"), REPORT, {})
    with pytest.raises(RecordValidationError):  # not a statutory report
        filings(quarter["platform"]).period(ADMIN, "hidden_danger_by_region", {})


def test_a_statutory_option_is_checked_with_file_and_pointer(published, tmp_path):
    folder = tmp_path / "metadata"
    shutil.copytree(METADATA, folder)
    path = folder / "hazard" / "hazard_statistics_annual.report.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["statutory"].update(obligation="yearly", filed=["submitted", "done"], figures=["analysis", "enterprise_id"])
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    problems = {
        e.pointer: e.message for e in published.check([folder]) if e.path.endswith("hazard_statistics_annual.report.json")
    }
    assert set(problems) == {"/statutory/obligation", "/statutory/filed/1", "/statutory/figures/0", "/statutory/figures/1"}
    assert "yearly" in problems["/statutory/obligation"] and "done" in problems["/statutory/filed/1"]


def test_the_officers_screens(app, client, quarter):
    platform = quarter["platform"]
    assert client.post("/login/", data={"username": "admin", "password": ADMIN_PASSWORD}).status_code in (200, 302)
    page = client.get(f"/reports/{REPORT}").get_data(as_text=True)
    assert f"/reports/{REPORT}/filings" in page and "报送情况" in page
    html = client.get(f"/reports/{REPORT}/filings?year=2026&quarter=1").get_data(as_text=True)
    assert "2026年第1季度" in html and "2026-04-15" in html
    assert 'id="anjian-filings-summary"' in html and "安溪县" in html and "思明区" in html
    assert "逾期报送" in html and "未报送" in html and "统计测试b1有限公司" in html
    a1 = quarter["records"]["a1"]
    assert f"/reports/{REPORT}/filings/{a1}" in html
    versions = client.get(f"/reports/{REPORT}/filings/{a1}").get_data(as_text=True)
    assert "第1版" in versions and "首次报送" in versions and "排查一般隐患" in versions
    bad = client.get(f"/reports/{REPORT}/filings?year=abc&quarter=9")
    assert bad.status_code == 200 and "参数有误" in bad.get_data(as_text=True)
    assert client.get("/reports/hidden_danger_by_region/filings").status_code == 422
    assert platform  # the platform behind the app is the quarter's


def test_the_versions_page_names_the_filer_as_people_know_them(app, client, quarter):
    records = quarter["records"]
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("ent_a1", "企业", "安全员", "ent_a1@example.org", sm.find_role(sm.auth_role_public), password=ADMIN_PASSWORD)
    assert client.post("/login/", data={"username": "admin", "password": ADMIN_PASSWORD}).status_code in (200, 302)
    assert client.get(f"/reports/{REPORT}/filings?year=2026&quarter=1").status_code == 200  # the period's filings, as filed
    named = client.get(f"/reports/{REPORT}/filings/{records['a1']}").get_data(as_text=True)
    assert "报送人 <span" in named and ">企业安全员</span>" in named and ">ent_a1</span>" not in named
    unnamed = client.get(f"/reports/{REPORT}/filings/{records['b1']}").get_data(as_text=True)
    assert ">ent_b1</span>" in unnamed  # no account in the user table: the login name


def test_the_beat_task_snapshots_filings_made_before_step_capture(quarter, monkeypatch):
    from anjian.tasks import app as tasks

    monkeypatch.setattr(tasks, "worker_platform", lambda: quarter["platform"])
    celery = tasks.celery_app
    assert celery.conf.beat_schedule["anjian-statutory-capture"]["task"] == "anjian.statutory_capture"
    assert celery.tasks["anjian.statutory_capture"].apply().get() == {"captured": 0}  # every filing step captured its own
    forget_snapshots(quarter["platform"])  # as filed before snapshots were taken at the step
    assert celery.tasks["anjian.statutory_capture"].apply().get() == {"captured": 3}  # a1, b1, x1 (a2 is a draft)
    assert celery.tasks["anjian.statutory_capture"].apply().get() == {"captured": 0}
    assert snapshots(quarter["platform"], quarter["records"]["b1"])[0]["filed_at"] == dt.datetime(2026, 4, 20, 2, 0)


def test_the_api_answers_the_period_and_the_versions(api, officer_api, quarter):
    body = api.get(f"/api/v1/reports/{REPORT}/filings", query_string={"year": "2026", "quarter": "1"}).get_json()
    assert (body["year"], body["quarter"], body["due_on"]) == (2026, 1, "2026-04-15")
    assert body["totals"]["expected"] == 5 and body["totals"]["filed"] == 3  # 安溪县's four and 思明区's one
    assert {f["status"] for f in body["filers"]} == {"on_time", "late", "missing"}
    a1 = quarter["records"]["a1"]
    versions = api.get(f"/api/v1/reports/{REPORT}/filings/{a1}").get_json()
    assert [v["version"] for v in versions["versions"]] == [1] and versions["versions"][0]["figures"]["general_found"] == 3
    bad = api.get(f"/api/v1/reports/{REPORT}/filings", query_string={"year": "1' or 1=1--"})
    assert bad.status_code == 422 and "/query/year" in bad.get_data(as_text=True)
    assert officer_api.get(f"/api/v1/reports/{REPORT}/filings").status_code == 403
    paths = api.get("/api/v1/openapi.json").get_json()["paths"]
    assert f"/reports/{REPORT}/filings" in paths and f"/reports/{REPORT}/filings/{{record_id}}" in paths
    assert "/reports/hidden_danger_by_region/filings" not in paths


def test_a_correction_filed_before_any_snapshot_keeps_the_first_filing_date(quarter):
    platform, records, clock = quarter["platform"], quarter["records"], quarter["clock"]
    ent = Actor("ent_a1")
    platform.workflow.take(COUNTY_OFFICER, "hazard_statistics", records["a1"], "return", {"comment": "请更正"})
    platform.records.update("hazard_statistics", records["a1"], {"general_found": 4}, ent, partial=True)
    clock.set_local("2026-04-28 10:00")
    platform.workflow.take(ent, "hazard_statistics", records["a1"], "submit", {})
    period = filings(platform).period(COUNTY_OFFICER, REPORT, {"year": "2026", "quarter": "1"})
    a1 = next(f for f in period.filers if f.record_id == records["a1"])
    assert (a1.status, a1.filed_on, a1.figures["general_found"]) == ("on_time", dt.date(2026, 4, 10), 4)
    # each filing step captured its figures: version 1 has 3, version 2 has 4
    _, versions = filings(platform).versions(COUNTY_OFFICER, REPORT, records["a1"])
    assert [(v["version"], v["figures"]["general_found"]) for v in versions] == [(1, 3), (2, 4)]
    assert versions[1]["changes"]["general_found"][:2] == (3, 4) and versions[1]["filed_at"].date() == dt.date(2026, 4, 28)


# ---- captured by the filing step ---------------------------------------------------------------


def snapshots(platform, record_id):
    """The versions stored for one filing, read straight from the table (no view, no beat)."""
    with platform.engine.connect() as conn:
        rows = conn.execute(
            select(statutory_filing).where(statutory_filing.c.record_id == record_id).order_by(statutory_filing.c.version)
        )
        return [dict(r._mapping) for r in rows]


def test_two_safety_net_captures_at_once_leave_one_set_of_versions(quarter, monkeypatch):
    platform = quarter["platform"]
    forget_snapshots(platform)  # older filings: only the safety net captures them
    snapshots, report = platform.statutory_snapshots, platform.registry.catalog.reports[REPORT]
    assert snapshots.capture(report) == 3
    # The second capture read before the first committed (PostgreSQL, two views at once): it finds
    # no version yet and writes version 1 again; the unique version refuses it, and the view goes on.
    monkeypatch.setattr(type(snapshots), "_latest", lambda self, conn, entity, ids: {})
    assert snapshots.capture(report) == 0
    with platform.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(statutory_filing)).scalar() == 3


def forget_snapshots(platform):
    """Delete every version, as for filings made before snapshots were taken at the step."""
    with platform.engine.begin() as conn:
        conn.execute(delete(statutory_filing))


def test_the_filing_step_captures_version_1_in_its_own_transaction(quarter, api):
    platform, records, firms = quarter["platform"], quarter["records"], quarter["firms"]
    [a1] = snapshots(platform, records["a1"])  # no period was shown and no beat ran
    assert (a1["version"], a1["state"], a1["filed_by"], a1["owner_id"]) == (1, "submitted", "ent_a1", firms["a1"])
    assert a1["filed_at"] == a1["captured_at"] == dt.datetime(2026, 4, 10, 2, 0)  # the step's moment (10:00 in 安溪)
    assert a1["figures"] == {"general_found": 3, "general_rectified": 2, "major_found": 1, "major_rectified": 0, "funds": 2.5}
    assert snapshots(platform, records["a2"]) == []  # a draft is not filed
    body = {"enterprise_id": firms["a3"], "region_code": TOWN_A, "period": "quarter", "year": 2026, "quarter": 1}
    a3 = platform.records.create("hazard_statistics", {**body, "general_found": 6, "signed_by": "负责人"}, Actor("ent_a3"))
    taken = api.post(f"/api/v1/e/hazard_statistics/{a3['id']}/transitions/submit", json={})
    assert taken.status_code == 200, taken.get_json()
    [version] = snapshots(platform, a3["id"])
    assert (version["version"], version["figures"]["general_found"], version["filed_by"]) == (1, 6, "admin")
    platform.workflow.take(COUNTY_OFFICER, "hazard_statistics", a3["id"], "receive", {})  # filed to filed: no new version
    assert len(snapshots(platform, a3["id"])) == 1


def test_a_listener_that_raises_rolls_back_the_filing_step_and_its_snapshot(quarter):
    platform, records = quarter["platform"], quarter["records"]
    seen = []

    def refuse(step):
        with_snapshot = step.connection.execute(
            select(statutory_filing.c.version).where(statutory_filing.c.record_id == step.record["id"])
        ).all()
        seen.append((step.transition, step.from_state, step.to_state, len(with_snapshot)))
        raise RuntimeError("拒绝")

    platform.workflow.on_step(refuse)  # after the statutory listener the runtime registered
    with pytest.raises(RuntimeError, match="拒绝"):
        platform.workflow.take(Actor("ent_a2"), "hazard_statistics", records["a2"], "submit", {})
    assert seen == [("submit", "draft", "submitted", 1)]  # the snapshot was written in the step's transaction...
    assert snapshots(platform, records["a2"]) == []  # ...and rolled back with it
    assert platform.workflow.status(ADMIN, "hazard_statistics", records["a2"])["state"] == "draft"


def test_a_correction_is_captured_as_the_next_version_by_its_step(quarter):
    platform, records, clock = quarter["platform"], quarter["records"], quarter["clock"]
    ent = Actor("ent_b1")
    platform.workflow.take(COUNTY_OFFICER, "hazard_statistics", records["b1"], "return", {"comment": "资金有误"})
    platform.records.update("hazard_statistics", records["b1"], {"funds": 3.75, "major_found": 2}, ent, partial=True)
    assert [v["version"] for v in snapshots(platform, records["b1"])] == [1]  # returned, not filed again yet
    clock.set_local("2026-05-03 16:30")
    platform.workflow.take(ent, "hazard_statistics", records["b1"], "submit", {})
    first, second = snapshots(platform, records["b1"])
    assert (first["figures"]["funds"], second["figures"]["funds"], second["figures"]["major_found"]) == (2.5, 3.75, 2)
    assert second["filed_at"] == second["captured_at"] == dt.datetime(2026, 5, 3, 8, 30) and second["filed_by"] == "ent_b1"
    _, versions = filings(platform).versions(COUNTY_OFFICER, REPORT, records["b1"])
    assert versions[1]["changes"] == {"funds": (2.5, 3.75, 1.25), "major_found": (1, 2, 1)}
    platform.workflow.take(COUNTY_OFFICER, "hazard_statistics", records["b1"], "return", {"comment": "再核对"})
    platform.workflow.take(ent, "hazard_statistics", records["b1"], "submit", {})  # filed again unchanged
    assert len(snapshots(platform, records["b1"])) == 2


def test_edits_after_filing_before_any_view_leave_version_1_as_signed(quarter):
    platform, records, clock = quarter["platform"], quarter["records"], quarter["clock"]
    ent = Actor("ent_a1")
    platform.workflow.take(COUNTY_OFFICER, "hazard_statistics", records["a1"], "return", {"comment": "请核对"})
    platform.records.update("hazard_statistics", records["a1"], {"general_found": 8}, ent, partial=True)
    platform.records.update("hazard_statistics", records["a1"], {"general_rectified": 0}, ent, partial=True)
    clock.set_local("2026-05-06 09:00")
    period = filings(platform).period(COUNTY_OFFICER, REPORT, {"year": "2026", "quarter": "1"})  # the first view
    a1 = next(f for f in period.filers if f.record_id == quarter["records"]["a1"])
    assert (a1.version, a1.figures["general_found"], a1.figures["general_rectified"]) == (1, 3, 2)
    [version] = snapshots(platform, records["a1"])
    assert version["captured_at"] == dt.datetime(2026, 4, 10, 2, 0)  # taken by the filing step, not by this view


def test_a_legacy_filing_corrected_before_any_snapshot_is_rebuilt_from_the_audit_log(quarter):
    platform, records, clock = quarter["platform"], quarter["records"], quarter["clock"]
    forget_snapshots(platform)  # a1 was filed before snapshots were taken at the step
    ent = Actor("ent_a1")
    platform.workflow.take(COUNTY_OFFICER, "hazard_statistics", records["a1"], "return", {"comment": "请更正"})
    platform.records.update("hazard_statistics", records["a1"], {"general_found": 4}, ent, partial=True)
    clock.set_local("2026-04-28 10:00")
    platform.workflow.take(ent, "hazard_statistics", records["a1"], "submit", {})  # the step finds no version 1
    first, second = snapshots(platform, records["a1"])
    assert (first["figures"]["general_found"], first["filed_at"]) == (3, dt.datetime(2026, 4, 10, 2, 0))
    assert (second["figures"]["general_found"], second["filed_at"]) == (4, dt.datetime(2026, 4, 28, 2, 0))


class _NoDatabase:
    """A connection that fails the test if anything asks it a question."""

    def __getattr__(self, name):
        raise AssertionError(f"the statutory listener used the database ({name})")


def test_a_step_without_a_statutory_filing_costs_no_statutory_query(quarter):
    platform, records = quarter["platform"], quarter["records"]
    catalog = platform.registry.catalog
    danger = platform.registry.entity("hidden_danger")

    def step(entity, transition, from_state, to_state, record):
        spec = platform.registry.entity(entity)
        process = catalog.process_of(entity)
        return StepTaken(_NoDatabase(), spec, record, process, transition, from_state, to_state, ADMIN, dt.datetime(2026, 5, 1))

    quarterly = {"id": records["a1"], "period": "quarter"}
    for taken in [
        step("hidden_danger", "report_major", "reported", "county_review", {"id": 1, "region_code": TOWN_A}),
        step("hazard_statistics", "receive", "submitted", "received", quarterly),  # filed to filed
        step("hazard_statistics", "return", "submitted", "draft", quarterly),
        step("hazard_statistics", "_migrate", "draft_old", "submitted", quarterly),
    ]:
        platform.statutory_snapshots.on_step(taken)  # returns before touching the database
    assert platform.statutory_snapshots.statutory_reports(danger.name) == []

    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(platform.engine, "before_cursor_execute", count)
    try:
        platform.workflow.take(COUNTY_OFFICER, "hazard_statistics", records["a1"], "receive", {})
        received = [s for s in statements if "anjian_statutory_filing" in s]
        platform.workflow.take(COUNTY_OFFICER, "hazard_statistics", records["b1"], "return", {"comment": "再核对"})
        returned = [s for s in statements if "anjian_statutory_filing" in s]
        statements.clear()
        platform.workflow.take(Actor("ent_b1"), "hazard_statistics", records["b1"], "submit", {})
        submitted = [s for s in statements if "anjian_statutory_filing" in s]
    finally:
        event.remove(platform.engine, "before_cursor_execute", count)
    assert received == [] and returned == [] and submitted  # the counter sees the filing step's statutory queries
