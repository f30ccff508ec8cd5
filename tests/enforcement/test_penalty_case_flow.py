"""A penalty case (行政处罚，一般程序) from 立案 to 结案 over the HTTP API, each step by its role and
refused to the others; a major case needs its 集体讨论; a case may be dropped with a reason."""

import pytest
from enforcement_world import OTHER_TOWN, TOWN

pytestmark = pytest.mark.postgres

CASES = "/api/v1/e/penalty_case"


def open_case(bureau, as_user, firm=0, region=TOWN, user="officer", **extra):
    body = {
        "case_title": "未按规定设置液氨泄漏报警装置案",
        "enterprise_id": bureau["firms"][firm],
        "region_code": region,
        "source": "inspection",
        "violation_category": "major_hazard",
        "facts": "2025年9月28日检查发现液氨储罐区未设置泄漏检测报警装置。",
        **extra,
    }
    status, created = as_user(user)("post", CASES, body)
    assert status == 201, created
    return created["id"]


def step(as_user, user, case, name, data=None, comment=""):
    return as_user(user)("post", f"{CASES}/{case}/transitions/{name}", {"data": data or {}, "comment": comment})


def investigate(as_user, case):
    """立案 and 调查取证 up to 审理."""
    assert step(as_user, "head", case, "approve_filing", {"case_no": "安应急立〔2025〕12号", "filed_on": "2025-09-29"})[0] == 200
    evidence = {
        "evidence": "询问笔录2份、现场勘验笔录1份、照片6张",
        "legal_basis": "违反《安全生产法》第三十六条，依据第九十九条处罚",
        "proposed_penalty": "责令限期改正，并处罚款人民币三万元",
    }
    assert as_user("officer")("patch", f"{CASES}/{case}", evidence)[0] == 200
    assert step(as_user, "officer", case, "submit_review")[0] == 200


def test_a_case_runs_from_filing_to_closing_by_the_right_roles(bureau, as_user):
    case = open_case(bureau, as_user)
    url = f"{CASES}/{case}/transitions"
    # The officer proposes; only the 执法负责人 approves the filing (and not the hazard officer, not the leader).
    assert step(as_user, "officer", case, "approve_filing", {"case_no": "X", "filed_on": "2025-09-29"})[0] == 403
    assert step(as_user, "leader", case, "approve_filing", {"case_no": "X", "filed_on": "2025-09-29"})[0] == 403
    assert step(as_user, "hazard", case, "approve_filing", {"case_no": "X", "filed_on": "2025-09-29"})[0] == 404
    status, body = step(as_user, "head", case, "approve_filing", {"filed_on": "2025-09-29"})
    assert status == 422 and {e["pointer"] for e in body["error"]["errors"]} == {"/case_no"}
    investigate(as_user, case)
    status, body = as_user("officer")("get", url)
    assert body["state"] == "reviewing"
    assert step(as_user, "officer", case, "approve_review", {"review_opinion": "同意"})[0] == 403
    discussion = {"review_opinion": "同意", "collective_discussion": "讨论", "collective_discussion_on": "2025-10-08"}
    assert step(as_user, "head", case, "approve_collective", discussion)[0] == 409  # not a major case
    status, body = step(as_user, "head", case, "approve_review", {"review_opinion": "事实清楚，证据确凿，适用依据正确"})
    assert status == 200 and body["state"] == "pending_notice", body

    notice = {"notice_doc_no": "安应急告〔2025〕12号", "notice_served_on": "2025-10-09", "hearing_right": True}
    assert step(as_user, "head", case, "serve_notice", notice)[0] == 200  # the head is an officer too (inherits)
    status, body = step(as_user, "officer", case, "request_hearing", {"hearing_requested_on": "2025-10-11"})
    assert status == 200 and body["state"] == "hearing"
    status, body = step(as_user, "officer", case, "hearing_held", {"hearing_on": "2025-10-20"})
    assert status == 422 and {e["pointer"] for e in body["error"]["errors"]} == {"/hearing_notice_on", "/hearing_report"}
    hearing = {"hearing_notice_on": "2025-10-12", "hearing_on": "2025-10-20", "hearing_report": "当事人对事实无异议，请求从轻"}
    # Notified on Sunday 10-12: seven working days (Art. 64, 85) run 10-13 to 10-21.
    status, body = step(as_user, "officer", case, "hearing_held", hearing)
    assert status == 422 and [(e["pointer"], e["code"]) for e in body["error"]["errors"]] == [
        ("/hearing_on", "enforcement.hearing_notice")
    ]
    assert "7个工作日" in body["error"]["errors"][0]["message"] and "2025-10-21" in body["error"]["errors"][0]["message"]
    assert step(as_user, "officer", case, "hearing_held", {**hearing, "hearing_on": "2025-10-21"})[0] == 200

    decision = {"decision_no": "安应急罚〔2025〕12号", "decision_on": "2025-10-24", "penalty_kind": "fine", "fine_amount": 30000}
    assert step(as_user, "officer", case, "decide", decision)[0] == 403
    status, body = step(as_user, "head", case, "decide", decision)
    assert status == 200 and body["state"] == "serving", body
    served = {"decision_served_on": "2025-10-27", "service_method": "direct"}
    assert step(as_user, "officer", case, "serve_decision", served)[0] == 200
    assert step(as_user, "officer", case, "fulfilled", {"execution_note": "已履行"})[0] == 409  # a fine must be paid
    paid = {"paid_on": "2025-11-05", "paid_amount": 30000}
    status, body = step(as_user, "officer", case, "record_payment", paid, comment="缴款凭证已归档")
    assert status == 200 and body["state"] == "closing"
    assert step(as_user, "officer", case, "close")[0] == 403
    status, body = step(as_user, "head", case, "close")
    assert status == 200 and body["state"] == "closed" and body["record"]["closed_on"] == "2025-09-29"

    status, body = as_user("leader")("get", url)
    assert status == 200 and body["locked"] and body["ended"]
    assert [h["to"] for h in body["history"]] == [
        "proposed",
        "investigating",
        "reviewing",
        "pending_notice",
        "statement",
        "hearing",
        "deciding",
        "serving",
        "executing",
        "closing",
        "closed",
    ]
    assert not [t for t in body["transitions"] if t["allowed"]]  # the leader only reads
    assert as_user("leader")("patch", f"{CASES}/{case}", {"case_title": "改"})[0] in (403, 409)
    assert as_user("leader")("post", CASES, {"case_title": "领导不能立案"})[0] == 403
    assert as_user("ent")("get", f"{CASES}/{case}")[0] in (403, 404)  # the enterprise has no enforcement role


def test_a_major_case_needs_its_collective_discussion(bureau, as_user):
    case = open_case(bureau, as_user, major_case=True)
    investigate(as_user, case)
    assert step(as_user, "head", case, "approve_review", {"review_opinion": "同意"})[0] == 409
    status, body = step(as_user, "head", case, "approve_collective", {"review_opinion": "同意"})
    assert status == 422
    assert {e["pointer"] for e in body["error"]["errors"]} == {"/collective_discussion", "/collective_discussion_on"}
    discussion = {
        "review_opinion": "同意",
        "collective_discussion": "局务会议讨论，同意处罚",
        "collective_discussion_on": "2025-10-08",
    }
    status, body = step(as_user, "head", case, "approve_collective", discussion)
    assert status == 200 and body["state"] == "pending_notice"


def test_a_warning_is_executed_without_payment_and_a_case_can_be_dropped(bureau, as_user):
    case = open_case(bureau, as_user)
    investigate(as_user, case)
    step(as_user, "head", case, "approve_review", {"review_opinion": "同意"})
    step(as_user, "officer", case, "serve_notice", {"notice_doc_no": "告1", "notice_served_on": "2025-09-29"})
    assert step(as_user, "officer", case, "request_hearing", {"hearing_requested_on": "2025-09-30"})[0] == 409  # no hearing right
    assert step(as_user, "officer", case, "end_statement", {"statement": "当事人未陈述申辩"})[0] == 200
    step(as_user, "head", case, "decide", {"decision_no": "罚1", "decision_on": "2025-09-30", "penalty_kind": "warning"})
    step(as_user, "officer", case, "serve_decision", {"decision_served_on": "2025-09-30", "service_method": "direct"})
    assert step(as_user, "officer", case, "record_payment", {"paid_on": "2025-10-01", "paid_amount": 1})[0] == 409
    status, body = step(as_user, "officer", case, "fulfilled", {"execution_note": "警告已执行"})
    assert status == 200 and body["state"] == "closing"

    other = open_case(bureau, as_user)
    status, body = step(as_user, "head", other, "reject_filing", {})
    assert status == 422 and body["error"]["errors"][0]["pointer"] == "/no_penalty_reason"
    status, body = step(as_user, "head", other, "reject_filing", {"no_penalty_reason": "违法行为已超过追责时效"})
    assert status == 200 and body["state"] == "dropped"


def test_the_head_who_proposed_a_case_does_not_approve_its_filing(bureau, as_user):
    case = open_case(bureau, as_user, user="head")
    assert step(as_user, "head", case, "approve_filing", {"case_no": "号", "filed_on": "2025-09-29"})[0] == 403


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"fine_amount": -500}, "/fine_amount"),
        ({"fine_amount": 10.001}, "/fine_amount"),
        ({"violation_category": "speeding"}, "/violation_category"),
        ({"source": "rumour"}, "/source"),
        ({"filed_on": "2025-02-30"}, "/filed_on"),
        ({"case_title": "案"}, "/case_title"),
        ({"region_code": "999999"}, "/region_code"),
    ],
)
def test_bad_input_gets_a_field_error(bureau, as_user, change, pointer):
    body = {
        "case_title": "未按规定设置液氨泄漏报警装置案",
        "enterprise_id": bureau["firms"][0],
        "region_code": TOWN,
        "source": "inspection",
        "violation_category": "major_hazard",
        **change,
    }
    status, answer = as_user("officer")("post", CASES, body)
    assert status == 422, answer
    assert pointer in {e["pointer"] for e in answer["error"]["errors"]}


def test_a_township_officer_sees_only_the_cases_of_the_township(bureau, as_user):
    ours = open_case(bureau, as_user, firm=1, region=OTHER_TOWN, user="town_officer")
    theirs = open_case(bureau, as_user)  # 凤城镇, by the county officer
    town = as_user("town_officer")
    status, listing = town("get", CASES)
    assert status == 200 and [item["id"] for item in listing["items"]] == [ours]
    assert town("get", f"{CASES}/{theirs}")[0] == 404
    assert town("get", f"{CASES}/{theirs}/transitions")[0] == 404
    assert town("patch", f"{CASES}/{theirs}", {"facts": "改"})[0] == 404
    status, body = town("post", CASES, {**_body(bureau), "region_code": TOWN})
    assert status in (403, 422), body  # cannot file a case outside the township
    status, listing = as_user("officer")("get", CASES)
    assert {item["id"] for item in listing["items"]} == {ours, theirs}  # the county sees both


def _body(bureau):
    return {
        "case_title": "未按规定设置液氨泄漏报警装置案",
        "enterprise_id": bureau["firms"][0],
        "source": "inspection",
        "violation_category": "major_hazard",
    }


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"filed_on": "2025-10-10", "decision_on": "2025-10-09"}, "/decision_on"),
        ({"filed_on": "2025-10-10", "notice_served_on": "2025-10-01"}, "/notice_served_on"),
        ({"decision_on": "2025-10-20", "decision_served_on": "2025-10-19"}, "/decision_served_on"),
        ({"decision_served_on": "2025-10-20", "paid_on": "2025-10-18"}, "/paid_on"),
    ],
)
def test_the_dates_of_a_case_follow_its_procedure(bureau, as_user, change, pointer):
    status, body = as_user("officer")("post", "/api/v1/e/penalty_case", {**_body(bureau), "region_code": TOWN, **change})
    assert status == 422 and [(e["pointer"], e["code"]) for e in body["error"]["errors"]] == [
        (pointer, "enforcement.date_order")
    ], body
