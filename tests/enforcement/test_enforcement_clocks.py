"""Each legal clock of enforcement, with its due date from its start and its basis: 90 days from
立案 to the decision, 5 working days from the notice for a hearing request, 15 days from service to pay;
the rectification date of the order and the agency's own recheck commitment; reminders and overdue."""

from enforcement_world import TOWN
from sqlalchemy import select

from anjian.workflow.tables import deadline

CASES = "/api/v1/e/penalty_case"
INSPECTIONS = "/api/v1/e/inspection_record"


def clocks(bureau, entity, record_id):
    with bureau["platform"].engine.connect() as conn:
        rows = conn.execute(select(deadline).where(deadline.c.entity == entity, deadline.c.record_id == record_id))
        return {r.rule: r for r in rows}


def local(moment):
    import datetime as dt

    return (moment + dt.timedelta(hours=8)).isoformat(sep=" ")


def step(as_user, user, url, name, data=None):
    status, body = as_user(user)("post", f"{url}/transitions/{name}", {"data": data or {}})
    assert status == 200, body
    return body


def basis_of(as_user, url, rule):
    status, body = as_user("officer")("get", f"{url}/transitions")
    assert status == 200
    return next(d for d in body["deadlines"] if d["rule"] == rule)


def test_the_decision_hearing_and_payment_clocks(bureau, as_user):
    status, case = as_user("officer")(
        "post",
        CASES,
        {
            "case_title": "特种作业人员未持证上岗案",
            "enterprise_id": bureau["firms"][0],
            "region_code": TOWN,
            "source": "inspection",
            "violation_category": "training",
            "facts": "电焊工未取得特种作业操作证上岗作业。",
        },
    )
    assert status == 201, case
    url = f"{CASES}/{case['id']}"
    assert clocks(bureau, "penalty_case", case["id"]) == {}  # nothing runs before 立案
    step(as_user, "head", url, "approve_filing", {"case_no": "安应急立〔2025〕20号", "filed_on": "2025-09-26"})
    decision = clocks(bureau, "penalty_case", case["id"])["decision"]
    assert local(decision.due_at) == "2025-12-25 23:59:59"  # 90 days from the 立案 date (行政处罚法 Art. 60)
    shown = basis_of(as_user, url, "decision")
    assert shown["basis"]["kind"] == "law" and shown["basis"]["confidence"] == "C" and "第六十条" in shown["basis"]["source"]

    as_user("officer")(
        "patch", url, {"evidence": "询问笔录", "legal_basis": "安全生产法第三十条", "proposed_penalty": "罚款一万元"}
    )
    step(as_user, "officer", url, "submit_review")
    step(as_user, "head", url, "approve_review", {"review_opinion": "同意"})
    step(as_user, "officer", url, "serve_notice", {"notice_doc_no": "告20", "notice_served_on": "2025-10-09"})
    assert "hearing_request" not in clocks(bureau, "penalty_case", case["id"])  # no hearing right told: no window
    as_user("officer")("patch", url, {"statement": "无"})

    # Another case told of its hearing right: 5 working days from the notice (Art. 64 with Art. 85).
    status, other = as_user("officer")("post", CASES, {**_case(bureau), "facts": "未设置报警装置"})
    other_url = f"{CASES}/{other['id']}"
    step(as_user, "head", other_url, "approve_filing", {"case_no": "立21", "filed_on": "2025-09-29"})
    as_user("officer")("patch", other_url, {"evidence": "笔录", "legal_basis": "条款", "proposed_penalty": "罚款十万元"})
    step(as_user, "officer", other_url, "submit_review")
    step(as_user, "head", other_url, "approve_review", {"review_opinion": "同意"})
    notice = {"notice_doc_no": "告21", "notice_served_on": "2025-10-10", "hearing_right": True}
    step(as_user, "officer", other_url, "serve_notice", notice)
    hearing = clocks(bureau, "penalty_case", other["id"])["hearing_request"]
    # Served Friday 10-10; Saturday 10-11 was a make-up workday after National Day, then Mon-Thu.
    assert local(hearing.due_at) == "2025-10-16 23:59:59"
    assert "第六十四条" in basis_of(as_user, other_url, "hearing_request")["basis"]["source"]

    # Back to the first case: decided, served on a Friday; 15 days end on a Saturday, rolled to Monday.
    step(as_user, "officer", url, "end_statement")
    decided = {"decision_no": "罚20", "decision_on": "2025-10-15", "penalty_kind": "fine", "fine_amount": 10000}
    step(as_user, "head", url, "decide", decided)
    assert clocks(bureau, "penalty_case", case["id"])["decision"].status == "met"
    step(as_user, "officer", url, "serve_decision", {"decision_served_on": "2025-10-17", "service_method": "direct"})
    payment = clocks(bureau, "penalty_case", case["id"])["payment"]
    assert local(payment.due_at) == "2025-11-03 23:59:59"  # 2025-11-01 is a Saturday (行政处罚法 Art. 67)
    assert "第六十七条" in basis_of(as_user, url, "payment")["basis"]["source"]


def kinds(bureau, user):
    with bureau["platform"].engine.connect() as conn:
        return [n["kind"] for n in reversed(bureau["platform"].workflow.notices.listing(conn, user))]


def test_the_decision_clock_warns_and_a_late_payment_tells_the_head(bureau, as_user):
    platform, clock = bureau["platform"], bureau["clock"]
    status, case = as_user("officer")("post", CASES, {**_case(bureau), "facts": "未设置报警装置"})
    url = f"{CASES}/{case['id']}"
    step(as_user, "head", url, "approve_filing", {"case_no": "立22", "filed_on": "2025-09-29"})
    # Due 2025-12-28 23:59:59: reminder 30 days before, warning 10 days before (to the head as well).
    clock.set_local("2025-11-28 23:00")
    assert platform.timers.scan() == 0
    clock.set_local("2025-11-29 00:00")
    assert platform.timers.scan() == 1
    assert kinds(bureau, "officer")[-1] == "reminder"
    clock.set_local("2025-12-19 09:00")
    assert platform.timers.scan() == 1
    assert kinds(bureau, "head")[-1] == "warning"
    as_user("officer")("patch", url, {"evidence": "笔录", "legal_basis": "条款", "proposed_penalty": "罚款"})
    step(as_user, "officer", url, "submit_review")
    step(as_user, "head", url, "approve_review", {"review_opinion": "同意"})
    step(as_user, "officer", url, "serve_notice", {"notice_doc_no": "告22", "notice_served_on": "2025-12-19"})
    step(as_user, "officer", url, "end_statement")
    decided = {"decision_no": "罚22", "decision_on": "2025-12-19", "penalty_kind": "fine", "fine_amount": 5000}
    step(as_user, "head", url, "decide", decided)
    assert clocks(bureau, "penalty_case", case["id"])["decision"].status == "met"  # in time: no overdue
    clock.set_local("2025-12-22 09:00")
    step(as_user, "officer", url, "serve_decision", {"decision_served_on": "2025-12-22", "service_method": "mail"})
    assert local(clocks(bureau, "penalty_case", case["id"])["payment"].due_at) == "2026-01-06 23:59:59"
    clock.set_local("2026-01-07 09:00")
    assert platform.timers.scan() == 2  # the reminder (3 days before) and the overdue, in order
    assert kinds(bureau, "head")[-1] == "overdue"
    row = clocks(bureau, "penalty_case", case["id"])["payment"]
    assert row.status == "open" and row.stage_kind == "overdue"
    paid = {"paid_on": "2026-01-07", "paid_amount": 5000}
    step(as_user, "officer", url, "record_payment", paid)
    assert clocks(bureau, "penalty_case", case["id"])["payment"].status == "met"


def test_the_rectification_order_and_its_recheck(bureau, as_user):
    status, record = as_user("officer")(
        "post",
        INSPECTIONS,
        {
            "enterprise_id": bureau["firms"][0],
            "region_code": TOWN,
            "inspected_on": "2025-09-29",
            "inspection_kind": "plan",
            "inspectors": [{"name": "李执法", "certificate_no": "35052400001"}, {"name": "陈执法"}],
            "items_checked": "危险化学品储存、特种作业人员持证",
            "problems": "液氨储罐区未设置泄漏报警装置",
            "problem_count": 1,
            "handling": "rectify_order",
        },
    )
    assert status == 201, record
    url = f"{INSPECTIONS}/{record['id']}"
    step(
        as_user,
        "officer",
        url,
        "order_rectification",
        {"order_doc_no": "安应急责改〔2025〕31号", "rectify_deadline": "2025-10-20"},
    )
    rows = clocks(bureau, "inspection_record", record["id"])
    assert local(rows["rectification"].due_at) == "2025-10-20 23:59:59"
    assert basis_of(as_user, url, "rectification")["basis"]["kind"] == "order"
    bureau["clock"].set_local("2025-10-21 09:00")
    step(as_user, "officer", url, "request_recheck")
    rows = clocks(bureau, "inspection_record", record["id"])
    assert rows["rectification"].status == "met"  # late: the enterprise missed it, the recheck follows
    assert local(rows["recheck"].due_at).startswith("2025-10-31")  # 10 days: the agency's commitment
    recheck = basis_of(as_user, url, "recheck")["basis"]
    assert recheck["kind"] == "commitment" and "不是法律规定" in recheck["source"]


def _case(bureau):
    return {
        "case_title": "未按规定设置液氨泄漏报警装置案",
        "enterprise_id": bureau["firms"][0],
        "region_code": TOWN,
        "source": "inspection",
        "violation_category": "major_hazard",
    }
