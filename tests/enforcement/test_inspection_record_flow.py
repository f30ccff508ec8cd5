"""现场检查记录: each handling type takes its own path (当场改正, 责令限期整改 with 复查, 现场处理措施,
立案查处), by the officer or the 执法负责人 only; inspectors are required; another township is not seen."""

import pytest
from enforcement_world import OTHER_TOWN, TOWN

pytestmark = pytest.mark.postgres

URL = "/api/v1/e/inspection_record"


def inspect(bureau, as_user, handling, user="officer", firm=0, region=TOWN, **extra):
    body = {
        "enterprise_id": bureau["firms"][firm],
        "region_code": region,
        "inspected_on": "2025-09-29",
        "inspectors": [{"name": "李执法", "certificate_no": "35052400001"}, {"name": "陈执法"}],
        "items_checked": "危险化学品储存、动火作业管理",
        "problems": "动火作业未办理审批",
        "problem_count": 1,
        "handling": handling,
        **extra,
    }
    status, record = as_user(user)("post", URL, body)
    assert status == 201, record
    return record["id"]


def step(as_user, user, record, name, data=None, comment=""):
    return as_user(user)("post", f"{URL}/{record}/transitions/{name}", {"data": data or {}, "comment": comment})


def allowed(as_user, user, record):
    status, body = as_user(user)("get", f"{URL}/{record}/transitions")
    assert status == 200, body
    return {t["name"] for t in body["transitions"] if t["allowed"]}


def test_each_handling_type_offers_its_own_path(bureau, as_user):
    assert allowed(as_user, "officer", inspect(bureau, as_user, "corrected_on_site")) == {"close_on_site"}
    assert allowed(as_user, "officer", inspect(bureau, as_user, "rectify_order")) == {"order_rectification"}
    assert allowed(as_user, "officer", inspect(bureau, as_user, "onsite_measures")) == {"take_measures"}
    assert allowed(as_user, "officer", inspect(bureau, as_user, "file_case")) == set()
    assert allowed(as_user, "head", inspect(bureau, as_user, "file_case")) == {"refer_case"}
    assert allowed(as_user, "head", inspect(bureau, as_user, "no_problem", problems=None)) == {"close_on_site"}


def test_a_failed_recheck_orders_rectification_again_and_a_passed_one_closes(bureau, as_user):
    record = inspect(bureau, as_user, "rectify_order")
    status, body = step(as_user, "officer", record, "order_rectification", {"rectify_deadline": "2025-10-20"})
    assert status == 422 and {e["pointer"] for e in body["error"]["errors"]} == {"/order_doc_no"}
    assert (
        step(as_user, "leader", record, "order_rectification", {"order_doc_no": "责改1", "rectify_deadline": "2025-10-20"})[0]
        == 403
    )
    assert (
        step(as_user, "officer", record, "order_rectification", {"order_doc_no": "责改1", "rectify_deadline": "2025-10-20"})[0]
        == 200
    )
    assert step(as_user, "officer", record, "request_recheck")[0] == 200
    failed = {
        "recheck_on": "2025-10-21",
        "recheck_opinion": "报警装置未安装",
        "recheck_doc_no": "复查1",
        "rectify_deadline": "2025-11-05",
    }
    status, body = step(as_user, "officer", record, "recheck_fail", failed)
    assert status == 200 and body["state"] == "rectifying" and body["record"]["recheck_result"] == "failed"
    step(as_user, "officer", record, "request_recheck")
    passed = {"recheck_on": "2025-11-06", "recheck_opinion": "已整改到位", "recheck_doc_no": "复查2"}
    status, body = step(as_user, "officer", record, "recheck_pass", passed)
    assert status == 200 and body["state"] == "closed", body
    assert body["record"]["recheck_result"] == "passed" and body["record"]["closed_on"] == "2025-09-29"


def test_onsite_measures_are_lifted_by_the_head_only(bureau, as_user):
    record = inspect(bureau, as_user, "onsite_measures")
    measures = {"measures_detail": "责令暂时停止二号仓库动火作业", "measures_doc_no": "现处1"}
    assert step(as_user, "officer", record, "take_measures", measures)[0] == 200
    assert step(as_user, "officer", record, "lift_measures", comment="已整改")[0] == 403
    status, body = step(as_user, "head", record, "lift_measures", comment="已整改")
    assert status == 200 and body["state"] == "closed"


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"inspectors": []}, "/inspectors"),
        ({"inspectors": [{"certificate_no": "1"}]}, "/inspectors/0/name"),
        ({"handling": "ignored"}, "/handling"),
        ({"problem_count": -1}, "/problem_count"),
        ({"inspected_on": "29/09/2025"}, "/inspected_on"),
    ],
)
def test_bad_inspection_input_gets_a_field_error(bureau, as_user, change, pointer):
    body = {
        "enterprise_id": bureau["firms"][0],
        "region_code": TOWN,
        "inspected_on": "2025-09-29",
        "inspectors": [{"name": "李执法"}],
        "items_checked": "危险化学品储存",
        "handling": "no_problem",
        **change,
    }
    status, answer = as_user("officer")("post", URL, body)
    assert status == 422, answer
    assert pointer in {e["pointer"] for e in answer["error"]["errors"]}


def test_the_township_officer_sees_the_township_and_the_hazard_officer_nothing(bureau, as_user):
    ours = inspect(bureau, as_user, "corrected_on_site", user="town_officer", firm=1, region=OTHER_TOWN)
    theirs = inspect(bureau, as_user, "corrected_on_site")
    status, listing = as_user("town_officer")("get", URL)
    assert status == 200 and [item["id"] for item in listing["items"]] == [ours]
    assert as_user("town_officer")("get", f"{URL}/{theirs}")[0] == 404
    assert step(as_user, "town_officer", theirs, "close_on_site")[0] == 404
    assert as_user("hazard")("get", URL)[0] == 403
    status, listing = as_user("leader")("get", URL)
    assert status == 200 and {item["id"] for item in listing["items"]} == {ours, theirs}
