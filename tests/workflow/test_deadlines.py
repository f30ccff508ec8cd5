"""Deadlines on the clock: working days across the National Day holiday, escalation order, downtime, pause, extension."""

import datetime as dt

import pytest
from sqlalchemy import select

from anjian import Actor
from anjian.data.system import audit_log
from anjian.workflow.tables import deadline

pytestmark = pytest.mark.postgres
TOWN = "350524100000"
ENT, OFFICER, HEAD = Actor("ent"), Actor("officer"), Actor("head")
PLAN = {
    k: "详见方案" for k in ("plan_goal", "plan_methods", "plan_resources", "plan_organisation", "plan_schedule", "plan_safety")
}


def major(county, deadline_on="2025-10-31"):
    platform = county["platform"]
    record = platform.records.create(
        "hidden_danger",
        {
            "enterprise_id": county["firms"][0],
            "region_code": TOWN,
            "title": "配电室无应急照明",
            "level": "major",
            "found_on": "2025-09-28",
            "description": "配电室未设置应急照明和疏散指示。",
            "measures": "增设应急照明",
            "responsible_person": "李电工",
            "rectify_deadline": deadline_on,
            "current_state": "配电室停电时一片漆黑",
            "cause": "改造时拆除了应急照明",
            "severity": "停电时人员无法疏散",
            "difficulty": "需重新布线，约一周",
        },
        ENT,
    )
    return record["id"]


def walk(county, record, *steps):
    for actor, name, payload in steps:
        county["platform"].workflow.take(actor, "hidden_danger", record, name, payload)


def to_governing(county, record):
    walk(county, record, (ENT, "report_major", {}), (OFFICER, "confirm_major", {}))
    county["platform"].records.update("hidden_danger", record, PLAN, ENT, partial=True)  # editable while planning
    walk(county, record, (ENT, "submit_plan", {}), (HEAD, "approve_plan", {}))


def clock_row(county, record, rule):
    with county["platform"].engine.connect() as conn:
        rows = conn.execute(select(deadline).where(deadline.c.record_id == record, deadline.c.rule == rule)).all()
    return [dict(r._mapping) for r in rows]


def local(row_value):
    return (row_value + dt.timedelta(hours=8)).isoformat(sep=" ")


def kinds(county, user):
    with county["platform"].engine.connect() as conn:
        return [n["kind"] for n in reversed(county["platform"].workflow.notices.listing(conn, user))]


def test_onsite_check_counts_calendar_days_across_national_day(county, api_as):
    """16号令 Art. 23: the on-site check within 10 days (日) of the application. Applied on 2025-09-30,
    it is due on 2025-10-10, not after 10 working days (2025-10-21): the holiday does not stretch it."""
    county["clock"].set_local("2025-09-30 10:00")
    record = major(county)
    to_governing(county, record)
    walk(county, record, (ENT, "report_completion", {"data": {"completed_on": "2025-09-29", "assessment": "合格"}}))
    (row,) = clock_row(county, record, "onsite_check")
    assert local(row["due_at"]) == "2025-10-10 23:59:59"
    # reminder: 3 days before (10/7); warning: 1 day before (10/9); overdue at the due time.
    assert local(row["next_fire_at"]) == "2025-10-07 23:59:59"
    status, body = api_as("officer")("get", f"/api/v1/e/hidden_danger/{record}/transitions")
    check = next(d for d in body["deadlines"] if d["rule"] == "onsite_check")
    assert check["due_at"].startswith("2025-10-10") and check["basis"]["kind"] == "law"
    assert "第16号" in check["basis"]["source"] and "第二十三条" in check["basis"]["source"]


def test_stages_fire_in_order_and_missed_ones_fire_after_downtime(county):
    platform, clock = county["platform"], county["clock"]
    record = major(county)
    to_governing(county, record)
    walk(county, record, (ENT, "report_completion", {"data": {"completed_on": "2025-09-29", "assessment": "合格"}}))
    # Due 2025-10-09 23:59:59 (10 days after 9/29): reminder at 10/6 23:59:59, warning at 10/8 23:59:59.
    clock.set_local("2025-10-06 23:00")
    assert platform.timers.scan() == 0
    clock.set_local("2025-10-07 00:00")
    assert platform.timers.scan() == 1  # the reminder
    assert platform.timers.scan() == 0  # never twice
    assert kinds(county, "officer")[-1] == "reminder"
    # The platform is down from 10/7 to 10/12: at the first scan after, warning then overdue fire, in order.
    clock.set_local("2025-10-12 09:00")
    assert platform.timers.scan() == 2
    assert kinds(county, "officer")[-2:] == ["warning", "overdue"]
    assert kinds(county, "head")[-2:] == ["warning", "overdue"]  # role:hazard_head is told too
    (row,) = clock_row(county, record, "onsite_check")
    assert row["stage_kind"] == "overdue" and row["next_fire_at"] is None and row["status"] == "open"
    with platform.engine.connect() as conn:
        stages = [
            r.detail["stage"]
            for r in conn.execute(
                select(audit_log)
                .where(audit_log.c.action == "deadline", audit_log.c.record_id == str(record))
                .order_by(audit_log.c.id)
            )
        ]
    assert stages == ["reminder", "warning", "overdue"]
    body = platform.inbox.items(OFFICER, "todo", "hidden_danger")
    assert [i["overdue"] for i in body if i["record_id"] == record] == [True]
    # Closing late meets the deadline and marks it late.
    walk(county, record, (OFFICER, "close", {"data": {"check_result": "合格"}}))
    (row,) = clock_row(county, record, "onsite_check")
    assert row["status"] == "met" and row["ended_at"] > row["due_at"]


def test_pause_stops_the_clock_and_resume_moves_the_due_time(county):
    clock = county["clock"]
    record = major(county, deadline_on="2025-10-31")
    to_governing(county, record)
    (row,) = clock_row(county, record, "major_rectification")
    assert local(row["due_at"]) == "2025-10-31 23:59:59"
    clock.set_local("2025-10-09 10:00")
    walk(county, record, (ENT, "request_appraisal", {"comment": "请专家评估"}))
    (row,) = clock_row(county, record, "major_rectification")
    assert row["status"] == "open"  # asking is not pausing: the county approves a pause
    walk(county, record, (OFFICER, "approve_appraisal", {}))
    (row,) = clock_row(county, record, "major_rectification")
    assert row["status"] == "paused" and row["next_fire_at"] is None
    clock.set_local("2025-10-14 10:00")  # five days later
    walk(county, record, (ENT, "appraisal_done", {"data": {"assessment": "可继续治理"}}))
    (row,) = clock_row(county, record, "major_rectification")
    assert row["status"] == "open" and local(row["due_at"]) == "2025-11-05 23:59:59"


def test_extension_needs_a_reason_and_an_approver(county, api_as):
    record = major(county, deadline_on="2025-10-31")
    to_governing(county, record)
    (row,) = clock_row(county, record, "major_rectification")
    ent, officer, head = api_as("ent"), api_as("officer"), api_as("head")
    status, body = ent("post", f"/api/v1/deadlines/{row['id']}/extensions", {"amount": 10, "unit": "workdays"})
    assert status == 422 and body["error"]["errors"][0]["pointer"] == "/reason"
    status, body = ent(
        "post", f"/api/v1/deadlines/{row['id']}/extensions", {"amount": 10, "unit": "workdays", "reason": "设备到货延迟"}
    )
    assert status == 201
    ext = body["id"]
    assert ent("post", f"/api/v1/deadlines/{row['id']}/extensions", {"amount": 1, "unit": "days", "reason": "再申请"})[0] == 409
    assert "extension" in kinds(county, "head")
    assert officer("post", f"/api/v1/extensions/{ext}/decision", {"approve": True})[0] == 403  # no approve permission
    assert api_as("stranger")("post", f"/api/v1/extensions/{ext}/decision", {"approve": True})[0] == 404
    status, body = head("post", f"/api/v1/extensions/{ext}/decision", {"approve": True, "note": "同意延期"})
    assert status == 200, body
    (row,) = clock_row(county, record, "major_rectification")
    assert local(row["due_at"]) == "2025-11-14 23:59:59"  # 10 working days after 10/31
    assert head("post", f"/api/v1/extensions/{ext}/decision", {"approve": False})[0] == 409


def test_calendar_day_deadline_ending_in_a_holiday_rolls_to_the_next_workday(county):
    """The complaint's 60-day answer clock: accepted 2025-08-03, day 60 is 2025-10-02 (National Day),
    so it ends on 2025-10-09, the first working day after the holiday."""
    platform, clock = county["platform"], county["clock"]
    clock.set_local("2025-08-03 09:00")
    complaint = platform.records.create(
        "complaint",
        {
            "received_at": "2025-08-03T09:00:00+08:00",
            "channel": "hotline",
            "subject": "某厂违规动火",
            "content": "夜间在仓库内违规动火作业。",
            "region_code": TOWN,
        },
        OFFICER,
    )
    platform.workflow.take(OFFICER, "complaint", complaint["id"], "accept", {})
    with platform.engine.connect() as conn:
        row = conn.execute(select(deadline).where(deadline.c.entity == "complaint", deadline.c.rule == "answer")).one()
    assert local(row.due_at) == "2025-10-09 23:59:59"
