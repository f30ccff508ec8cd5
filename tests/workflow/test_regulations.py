"""The hidden-danger flow says what 16号令 says (FACTS §7.2): the report's contents, a correction clock
after a failed check, a pause only with the county's approval and bounded, 挂牌督办 as a decision
whose 督办 stage tells the supervising agency before the due time, and the basis of every clock."""

import pytest
from sqlalchemy import select

from anjian import Actor
from anjian.workflow.tables import deadline

pytestmark = pytest.mark.postgres
TOWN = "350524100000"
ADMIN = Actor("admin", is_admin=True)
REPORT = {
    "current_state": "二号仓库喷淋系统停用，仓库内存放易燃包装材料",
    "cause": "消防水泵损坏后未修复",
    "severity": "起火后无法自动灭火，可致群死群伤",
    "difficulty": "需更换水泵并调试管网，约需一个月",
}
PLAN = {
    k: "详见方案" for k in ("plan_goal", "plan_methods", "plan_resources", "plan_organisation", "plan_schedule", "plan_safety")
}


def create(api_as, county, **extra):
    status, body = api_as("ent")(
        "post",
        "/api/v1/e/hidden_danger",
        {
            "enterprise_id": county["firms"][0],
            "region_code": TOWN,
            "title": "仓库喷淋系统停用",
            "level": "major",
            "found_on": "2025-09-28",
            "description": "二号仓库自动喷淋系统停用。",
            "measures": "修复消防水泵",
            "responsible_person": "周设备",
            "rectify_deadline": "2025-11-28",
            **extra,
        },
    )
    assert status == 201, body
    return body["id"]


def step(api_as, user, record, name, payload=None):
    return api_as(user)("post", f"/api/v1/e/hidden_danger/{record}/transitions/{name}", payload or {})


def to_governing(api_as, county, **extra):
    record = create(api_as, county, **REPORT, **extra)
    assert step(api_as, "ent", record, "report_major")[0] == 200
    assert step(api_as, "officer", record, "confirm_major")[0] == 200
    assert api_as("ent")("patch", f"/api/v1/e/hidden_danger/{record}", PLAN)[0] == 200
    assert step(api_as, "ent", record, "submit_plan")[0] == 200
    assert step(api_as, "head", record, "approve_plan")[0] == 200
    return record


def flow(api_as, user, record):
    status, body = api_as(user)("get", f"/api/v1/e/hidden_danger/{record}/transitions")
    assert status == 200, body
    return body


def clock_of(body, rule):
    return next(d for d in body["deadlines"] if d["rule"] == rule and d["status"] in ("open", "paused"))


def overdue_ids(api_as, user):
    status, body = api_as(user)("get", "/api/v1/inbox?box=todo&entity=hidden_danger&overdue=1")
    assert status == 200, body
    return {i["record_id"] for i in body["items"]}


def kinds(county, user):
    with county["platform"].engine.connect() as conn:
        return [(n["kind"], n["title"]) for n in county["platform"].workflow.notices.listing(conn, user)]


def test_a_major_report_carries_state_cause_severity_and_difficulty(county, api_as):
    record = create(api_as, county)
    status, body = step(api_as, "ent", record, "report_major")
    assert status == 422
    assert {e["pointer"] for e in body["error"]["errors"]} == {"/current_state", "/cause", "/severity", "/difficulty"}
    assert api_as("ent")("patch", f"/api/v1/e/hidden_danger/{record}", REPORT)[0] == 200
    assert step(api_as, "ent", record, "report_major")[0] == 200


def test_a_failed_check_starts_a_correction_clock_that_goes_overdue(county, api_as):
    clock = county["clock"]
    record = to_governing(api_as, county)
    assert (
        step(api_as, "ent", record, "report_completion", {"data": {"completed_on": "2025-09-29", "assessment": "合格"}})[0] == 200
    )
    status, body = step(
        api_as, "officer", record, "fail_check", {"data": {"check_result": "喷淋末端压力不足"}, "comment": "限期改正"}
    )
    assert status == 422 and {e["pointer"] for e in body["error"]["errors"]} == {"/correction_deadline"}
    payload = {"data": {"check_result": "喷淋末端压力不足", "correction_deadline": "2025-10-20"}, "comment": "限期改正"}
    assert step(api_as, "officer", record, "fail_check", payload)[0] == 200
    body = flow(api_as, "ent", record)
    correction = clock_of(body, "correction")
    assert correction["due_at"].startswith("2025-10-20T23:59:59") and correction["basis"]["kind"] == "order"
    assert record not in overdue_ids(api_as, "ent")
    clock.set_local("2025-10-21 09:00")
    county["platform"].timers.scan()
    assert record in overdue_ids(api_as, "ent")  # the enterprise's to-do is overdue, never dropped
    assert any(k == "overdue" and "整改期限" in t for k, t in kinds(county, "officer"))
    assert clock_of(flow(api_as, "officer", record), "correction")["overdue"] is True
    # Applying again meets the correction clock (late) and starts a new on-site check.
    status, body = step(
        api_as, "ent", record, "report_completion", {"data": {"completed_on": "2025-10-21", "assessment": "已改正"}}
    )
    assert status == 200
    body = flow(api_as, "officer", record)
    assert clock_of(body, "onsite_check")["due_at"].startswith("2025-10-31")
    met = [d for d in body["deadlines"] if d["rule"] == "correction"]
    assert [d["status"] for d in met] == ["met"] and met[0]["met_late"] is True


def test_a_pause_needs_the_countys_approval_is_bounded_and_in_the_history(county, api_as):
    platform, clock = county["platform"], county["clock"]
    record = to_governing(api_as, county)
    assert step(api_as, "ent", record, "request_appraisal")[0] == 422  # a reason is required
    assert step(api_as, "ent", record, "request_appraisal", {"comment": "请专家评估管网"})[0] == 200
    assert clock_of(flow(api_as, "ent", record), "major_rectification")["status"] == "open"  # still running
    assert step(api_as, "ent", record, "approve_appraisal")[0] == 403  # the enterprise cannot stop its own clock
    assert step(api_as, "officer", record, "approve_appraisal", {"comment": "同意暂停"})[0] == 200
    body = flow(api_as, "ent", record)
    assert clock_of(body, "major_rectification")["status"] == "paused"
    limit = clock_of(body, "appraisal_limit")
    assert limit["due_at"].startswith("2025-10-29T23:59:59")  # 30 days (profile hazard.appraisal_pause)
    assert limit["basis"]["kind"] == "commitment"
    assert [h["transition"] for h in body["history"]][-2:] == ["request_appraisal", "approve_appraisal"]
    assert [h["actor"] for h in body["history"]][-2:] == ["ent", "officer"]
    # The pause may not run on: past its limit it is overdue for the county, which ends it.
    clock.set_local("2025-10-30 09:00")
    platform.timers.scan()
    assert any(k == "overdue" and "暂停计时最长期限" in t for k, t in kinds(county, "head"))
    assert record in overdue_ids(api_as, "officer")
    assert step(api_as, "officer", record, "end_appraisal", {"comment": "超过暂停期限，恢复计时"})[0] == 200
    body = flow(api_as, "ent", record)
    assert clock_of(body, "major_rectification")["status"] == "open"


def test_a_refused_pause_keeps_the_clock_running(county, api_as):
    record = to_governing(api_as, county)
    assert step(api_as, "ent", record, "request_appraisal", {"comment": "请专家评估"})[0] == 200
    assert step(api_as, "officer", record, "reject_appraisal")[0] == 422  # the refusal needs a reason
    assert step(api_as, "officer", record, "reject_appraisal", {"comment": "无需评估"})[0] == 200
    body = flow(api_as, "ent", record)
    assert body["state"] == "governing" and clock_of(body, "major_rectification")["status"] == "open"


def test_supervision_is_a_decision_and_its_stage_tells_the_supervising_agency_before_the_due_time(county, api_as):
    platform, clock = county["platform"], county["clock"]
    # The supervising body: the county's work-safety committee office (in the head's scope, so it may be linked).
    city = platform.records.create(
        "agency", {"name": "安溪县安全生产委员会办公室", "kind": "member_unit", "level": "county", "region_code": "350524"}, ADMIN
    )["id"]
    platform.access.store.save_account(ADMIN, "cityhead", "agency", "350524", org_name="安溪县安全生产委员会办公室")
    record = to_governing(api_as, county, rectify_deadline="2025-10-31")
    assert flow(api_as, "head", record)["state"] == "governing"
    status, body = step(api_as, "head", record, "supervise", {"data": {"supervising_agency_id": city}})
    assert status == 422 and {e["pointer"] for e in body["error"]["errors"]} >= {"/supervision_doc_no", "/supervision_on"}
    status, body = step(
        api_as,
        "head",
        record,
        "supervise",
        {"data": {"supervising_agency_id": 999999, "supervision_doc_no": "安安委督〔2025〕3号", "supervision_on": "2025-09-29"}},
    )
    assert status == 422 and body["error"]["errors"][0]["pointer"] == "/supervising_agency_id", body  # not an agency
    assert step(api_as, "officer", record, "supervise", {"data": {}})[0] == 403  # the head decides
    decision = {"supervising_agency_id": city, "supervision_doc_no": "安安委督〔2025〕3号", "supervision_on": "2025-09-29"}
    status, body = step(api_as, "head", record, "supervise", {"data": decision, "comment": "挂牌督办"})
    assert status == 200 and body["record"]["supervised"] is True and body["state"] == "governing", body
    body = flow(api_as, "head", record)
    assert [h["transition"] for h in body["history"]][-1] == "supervise"  # the decision is a step in the history
    # Due 2025-10-31 23:59:59; 督办 fires 3 working days before (10/28 23:59:59), not at the due time.
    clock.set_local("2025-10-29 09:00")
    platform.timers.scan()
    supervision = [t for k, t in kinds(county, "cityhead") if k == "supervision"]
    assert supervision and "即将到期" in supervision[0]
    with platform.engine.connect() as conn:
        row = conn.execute(select(deadline).where(deadline.c.record_id == record, deadline.c.rule == "major_rectification")).one()
    assert row.stage_kind == "supervision" and row.status == "open"


def test_the_process_panel_shows_each_clocks_legal_basis(county, api_as):
    record = create(api_as, county, **REPORT)
    assert step(api_as, "ent", record, "report_major")[0] == 200
    client = county["app"].test_client()
    assert client.post("/login/", data={"username": "officer", "password": "Flow-pass-1"}).status_code == 302
    page = client.get(f"/e/hidden_danger/{record}").get_data(as_text=True)
    assert 'data-basis="commitment"' in page and "服务承诺（非法定）" in page and "县应急管理局服务承诺" in page
