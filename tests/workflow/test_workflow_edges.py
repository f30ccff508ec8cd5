"""Paths around the main flows: bad input to steps, the message centre, inbox filters, rejected
extensions, deleting and importing records in a process, clocks started late or paused."""

import io

import pytest
from sqlalchemy import select

from anjian import Actor
from anjian.errors import WorkflowRefused
from anjian.workflow.tables import deadline, instance, notice

pytestmark = pytest.mark.postgres
TOWN = "350524100000"
PASSWORD = "Flow-pass-1"
ENT, OFFICER, HEAD = Actor("ent"), Actor("officer"), Actor("head")
MAJOR_REPORT = {  # what a major hidden danger's report carries (16号令, FACTS §7.2)
    "current_state": "现状说明",
    "cause": "原因分析",
    "severity": "危害程度分析",
    "difficulty": "整改难度分析",
}


def danger(county, level="major", **extra):
    return county["platform"].records.create(
        "hidden_danger",
        {
            "enterprise_id": county["firms"][0],
            "region_code": TOWN,
            "title": "边界测试隐患",
            "level": level,
            "found_on": "2025-09-28",
            "description": "边界测试的隐患描述。",
            "measures": "整改",
            "responsible_person": "甲",
            **MAJOR_REPORT,
            **extra,
        },
        ENT,
    )["id"]


def test_bad_input_to_a_step_is_a_clear_error(county, api_as):
    record = danger(county)
    ent = api_as("ent")
    url = f"/api/v1/e/hidden_danger/{record}/transitions"
    assert ent("post", f"{url}/no_such_step", {})[0] == 404
    client = county["app"].test_client()
    token = client.post("/api/v1/auth/token", json={"username": "ent", "password": PASSWORD}).get_json()["access_token"]
    broken = client.post(
        f"{url}/report_major", data="{not json", headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    )
    assert broken.status_code == 422
    status, body = ent("post", f"{url}/report_major", {"data": ["not", "an", "object"]})
    assert status == 422 and body["error"]["errors"][0]["pointer"] == "/data"
    status, body = ent("post", f"{url}/report_major", {"attachments": "abc"})
    assert status == 422 and body["error"]["errors"][0]["pointer"] == "/attachments"
    status, body = ent("post", f"{url}/report_major", {"attachments": ["f1"]})  # this step takes no attachments
    assert status == 422 and body["error"]["errors"][0]["pointer"] == "/attachments"
    assert county["platform"].workflow.status(ENT, "hidden_danger", record)["state"] == "reported"


def test_a_step_takes_only_its_own_entitys_step_files(county):
    platform = county["platform"]
    record = danger(county, level="general", rectify_deadline="2025-10-20")
    platform.workflow.take(ENT, "hidden_danger", record, "start_rectify", {})
    spec = platform.registry.entity("hidden_danger")
    photo = platform.files.save(
        spec, spec.field("photos"), "现场.png", "image/png", io.BytesIO(b"\x89PNG"), ENT
    )  # a field's file
    with pytest.raises(Exception, match="不存在"):
        platform.workflow.take(
            ENT, "hidden_danger", record, "self_accept", {"data": {"completed_on": "2025-10-09"}, "attachments": [photo["id"]]}
        )
    from anjian.ui.workflow import STEP_FILES

    step_file = platform.files.save(spec, STEP_FILES, "验收.pdf", "application/pdf", io.BytesIO(b"%PDF"), ENT)
    done = platform.workflow.take(
        ENT, "hidden_danger", record, "self_accept", {"data": {"completed_on": "2025-10-09"}, "attachments": [step_file["id"]]}
    )
    assert done["state"] == "closed"
    history = platform.workflow.status(ENT, "hidden_danger", record)["history"]
    assert history[-1]["attachments"] == [step_file["id"]]


def test_the_message_centre_over_the_api_and_the_screens(county, api_as):
    record = danger(county)
    county["platform"].workflow.take(ENT, "hidden_danger", record, "report_major", {})
    officer = api_as("officer")
    status, body = officer("get", "/api/v1/notices")
    assert status == 200 and body["unread"] == 1
    first = body["items"][0]["id"]
    assert officer("post", "/api/v1/notices/read", {"ids": ["x"]})[0] == 422
    assert officer("post", "/api/v1/notices/read", {"ids": [first]})[0] == 200
    assert officer("get", "/api/v1/notices")[1]["unread"] == 0
    county["platform"].workflow.urge(HEAD, "hidden_danger", record, "请尽快审核")
    browser = county["app"].test_client()
    browser.post("/login/", data={"username": "officer", "password": PASSWORD})
    assert "消息 (1)" in browser.get("/e/_notices/").get_data(as_text=True)
    assert browser.post("/e/_notices/read").status_code == 302
    assert "消息 (1)" not in browser.get("/e/_notices/").get_data(as_text=True)


def test_urging_and_amending_from_the_record_screen(county):
    platform = county["platform"]
    record = danger(county)
    platform.workflow.take(ENT, "hidden_danger", record, "report_major", {})
    head = county["app"].test_client()
    head.post("/login/", data={"username": "head", "password": PASSWORD})
    page = head.get(f"/e/hidden_danger/{record}").get_data(as_text=True)
    assert "催办" in page
    assert head.post(f"/e/hidden_danger/{record}/urge", data={"message": "今日办结"}).status_code == 302
    assert platform.workflow.status(HEAD, "hidden_danger", record)["history"][-1]["transition"] == "_urge"
    # Close it (officer confirms, plan, head approves, completion, officer closes), then amend from the screen.
    officer = OFFICER
    platform.workflow.take(officer, "hidden_danger", record, "confirm_major", {"data": {"rectify_deadline": "2025-12-31"}})
    plan = {
        k: "方案" for k in ("plan_goal", "plan_methods", "plan_resources", "plan_organisation", "plan_schedule", "plan_safety")
    }
    platform.records.update("hidden_danger", record, plan, ENT, partial=True)
    for actor, step, data in (
        (ENT, "submit_plan", {}),
        (HEAD, "approve_plan", {}),
        (ENT, "report_completion", {"completed_on": "2025-10-01", "assessment": "合格"}),
        (officer, "close", {"check_result": "合格"}),
    ):
        platform.workflow.take(actor, "hidden_danger", record, step, {"data": data})
    clerk = county["app"].test_client()
    clerk.post("/login/", data={"username": "officer", "password": PASSWORD})
    assert "更正" in clerk.get(f"/e/hidden_danger/{record}").get_data(as_text=True)
    amended = clerk.post(f"/e/hidden_danger/{record}/amend")
    assert amended.status_code == 302 and amended.headers["Location"].endswith("/edit")
    new_id = int(amended.headers["Location"].split("/")[-2])
    assert platform.workflow.status(OFFICER, "hidden_danger", new_id)["state"] == "reported"
    assert head.post(f"/e/hidden_danger/{new_id}/amend").status_code == 409  # not locked: nothing to amend


def test_inbox_filters_and_bad_boxes(county, api_as):
    platform, clock = county["platform"], county["clock"]
    late = danger(county)
    platform.workflow.take(ENT, "hidden_danger", late, "report_major", {})  # county review: 5 working days
    clock.set_local("2025-10-20 09:00")
    fresh = danger(county)
    platform.workflow.take(ENT, "hidden_danger", fresh, "report_major", {})
    officer = api_as("officer")
    assert officer("get", "/api/v1/inbox?box=everything")[0] == 422
    status, body = officer("get", "/api/v1/inbox?box=todo&overdue=1")
    assert [i["record_id"] for i in body["items"]] == [late] and body["counts"]["overdue"] == 1
    browser = county["app"].test_client()
    browser.post("/login/", data={"username": "officer", "password": PASSWORD})
    page = browser.get("/e/_inbox/?box=todo&overdue=1").get_data(as_text=True)
    assert f'data-id="{late}"' in page and f'data-id="{fresh}"' not in page and "逾期 1" in page


def test_a_rejected_extension_leaves_the_deadline_and_bad_requests_are_refused(county, api_as):
    platform = county["platform"]
    record = danger(county)
    platform.workflow.take(ENT, "hidden_danger", record, "report_major", {})
    with platform.engine.connect() as conn:
        clock_id = conn.execute(
            select(deadline.c.id, deadline.c.due_at).where(deadline.c.record_id == record, deadline.c.rule == "county_review")
        ).one()
    ent, head = api_as("ent"), api_as("head")
    for bad in (
        {"amount": "ten", "unit": "days", "reason": "x"},
        {"amount": 3, "unit": "weeks", "reason": "x"},
        {"amount": 0, "unit": "days", "reason": "x"},
    ):
        assert ent("post", f"/api/v1/deadlines/{clock_id.id}/extensions", bad)[0] == 422, bad
    status, body = ent(
        "post", f"/api/v1/deadlines/{clock_id.id}/extensions", {"amount": 3, "unit": "days", "reason": "材料补充中"}
    )
    assert status == 201
    assert head("post", f"/api/v1/extensions/{body['id']}/decision", {"approve": "yes"})[0] == 422
    status, decided = head("post", f"/api/v1/extensions/{body['id']}/decision", {"approve": False, "note": "不同意"})
    assert status == 200 and decided["approved"] is False
    with platform.engine.connect() as conn:
        assert conn.execute(select(deadline.c.due_at).where(deadline.c.id == clock_id.id)).scalar_one() == clock_id.due_at
    # A closed clock takes no more extensions and no late approval.
    status, body = ent("post", f"/api/v1/deadlines/{clock_id.id}/extensions", {"amount": 1, "unit": "days", "reason": "再申请"})
    assert status == 201
    platform.workflow.take(OFFICER, "hidden_danger", record, "confirm_major", {"data": {"rectify_deadline": "2025-12-31"}})
    assert head("post", f"/api/v1/extensions/{body['id']}/decision", {"approve": True})[0] == 409
    assert ent("post", f"/api/v1/deadlines/{clock_id.id}/extensions", {"amount": 1, "unit": "days", "reason": "x"})[0] == 409


def test_deleting_and_importing_records_of_a_process(county):
    platform = county["platform"]
    fresh = danger(county)
    platform.records.delete("hidden_danger", fresh, Actor("admin", is_admin=True))  # still at the start: it may go
    with platform.engine.connect() as conn:
        assert (
            conn.execute(select(instance).where(instance.c.record_id == fresh, instance.c.entity == "hidden_danger")).first()
            is None
        )
        assert conn.execute(select(notice).where(notice.c.record_id == fresh, notice.c.entity == "hidden_danger")).first() is None
    moving = danger(county)
    platform.workflow.take(ENT, "hidden_danger", moving, "report_major", {})
    with pytest.raises(WorkflowRefused, match="不能删除"):
        platform.records.delete("hidden_danger", moving, Actor("admin", is_admin=True))
    from anjian.data.transfer import import_records

    rows = [
        ["enterprise_id", "region_code", "title", "level", "found_on", "description"],
        [str(county["firms"][0]), TOWN, "导入隐患一", "general", "2025-09-20", "导入的隐患描述一"],
        [str(county["firms"][0]), TOWN, "导入隐患二", "major", "2025-09-21", "导入的隐患描述二"],
    ]
    report = import_records(platform.records, "hidden_danger", iter(rows), Actor("admin", is_admin=True))
    assert report.committed and report.created == 2
    with platform.engine.connect() as conn:
        states = conn.execute(select(instance.c.state).where(instance.c.entity == "hidden_danger")).scalars().all()
    assert states.count("reported") == 2  # both imported records started their process (the moving one is under review)


def test_a_clock_started_after_its_due_date_escalates_at_the_next_scan(county):
    platform = county["platform"]
    report = platform.records.create(
        "hazard_statistics",
        {"enterprise_id": county["firms"][0], "region_code": TOWN, "period": "quarter", "year": 2025, "quarter": 2},
        ENT,
    )  # due 2025-07-15
    assert report["due_on"] == "2025-07-15"
    assert platform.timers.scan() == 1
    with platform.engine.connect() as conn:
        kinds = [n["kind"] for n in platform.workflow.notices.listing(conn, "ent")]
    assert "overdue" in kinds


def test_a_paused_clock_is_not_overdue(county):
    platform, clock = county["platform"], county["clock"]
    record = danger(county, rectify_deadline="2025-10-10")
    platform.workflow.take(ENT, "hidden_danger", record, "report_major", {})
    platform.workflow.take(OFFICER, "hidden_danger", record, "confirm_major", {})
    plan = {
        k: "方案" for k in ("plan_goal", "plan_methods", "plan_resources", "plan_organisation", "plan_schedule", "plan_safety")
    }
    platform.records.update("hidden_danger", record, plan, ENT, partial=True)
    platform.workflow.take(ENT, "hidden_danger", record, "submit_plan", {})
    platform.workflow.take(HEAD, "hidden_danger", record, "approve_plan", {})
    platform.workflow.take(ENT, "hidden_danger", record, "request_appraisal", {"comment": "专家评估"})
    platform.workflow.take(OFFICER, "hidden_danger", record, "approve_appraisal", {})  # a pause needs the county's approval
    clock.set_local("2025-10-20 09:00")  # past the date, but the clock is stopped
    status = platform.workflow.status(ENT, "hidden_danger", record)
    assert [d["overdue"] for d in status["deadlines"] if d["rule"] == "major_rectification"] == [False]
