"""A major hidden danger from the enterprise's report to its closing, over the HTTP API, with the clock turned."""

import pytest

TOWN = "350524100000"  # 凤城镇, 安溪县 (as in conftest)

pytestmark = pytest.mark.postgres


def report(api_as, county, level="major", deadline="2025-11-28"):
    ent = api_as("ent")
    status, body = ent(
        "post",
        "/api/v1/e/hidden_danger",
        {
            "enterprise_id": county["firms"][0],
            "region_code": TOWN,
            "title": "液氨储罐区未设置泄漏报警",
            "level": level,
            "category": "thing",
            "found_on": "2025-09-28",
            "description": "液氨储罐区未按规定设置泄漏检测报警装置。",
            "measures": "加装报警装置并接入中控室",
            "responsible_person": "王安全",
            "funds": 12.5,
            "rectify_deadline": deadline,
            "current_state": "储罐区无泄漏报警，值班人员无法及时发现泄漏",
            "cause": "建设时未按规范设计报警系统",
            "severity": "液氨泄漏可致中毒和爆炸，危及厂区和周边居民",
            "difficulty": "需停用储罐并由有资质单位施工，约需两个月",
        },
    )
    assert status == 201, body
    return body["id"]


def notices(county, user):
    with county["platform"].engine.connect() as conn:
        return county["platform"].workflow.notices.listing(conn, user)


def todo_ids(api_as, user, entity="hidden_danger"):
    status, body = api_as(user)("get", f"/api/v1/inbox?box=todo&entity={entity}")
    assert status == 200, body
    return {item["record_id"] for item in body["items"]}


def test_major_hidden_danger_from_report_to_closing(county, api_as):
    record = report(api_as, county)
    ent, officer, head = api_as("ent"), api_as("officer"), api_as("head")
    url = f"/api/v1/e/hidden_danger/{record}/transitions"

    status, body = ent("get", url)
    assert body["state"] == "reported"
    allowed = {t["name"] for t in body["transitions"] if t["allowed"]}
    assert allowed == {"report_major"}  # start_rectify is for general dangers only
    assert record in todo_ids(api_as, "ent") and record not in todo_ids(api_as, "officer")

    status, body = ent("post", f"{url}/report_major", {"comment": "请县局审核"})
    assert status == 200 and body["state"] == "county_review", body
    assert record in todo_ids(api_as, "officer") and record not in todo_ids(api_as, "ent")
    assert any("待办" in n["title"] for n in notices(county, "officer"))
    assert record not in todo_ids(api_as, "stranger")  # another county's head never sees it
    assert api_as("stranger")("get", url)[0] == 404

    # The enterprise cannot take the county's step, nor edit the record while the county reviews it.
    assert ent("post", f"{url}/confirm_major", {"data": {"rectify_deadline": "2025-12-31"}})[0] == 403
    status, body = ent("patch", f"/api/v1/e/hidden_danger/{record}", {"title": "改名"})
    assert status == 422 and body["error"]["errors"][0]["pointer"] == "/title"

    status, body = officer("post", f"{url}/confirm_major", {"data": {}})
    assert status == 200, body  # the deadline the enterprise gave is kept
    status, body = officer("post", f"{url}/confirm_major", {"data": {}})
    assert status == 409  # already taken: a clear conflict, not a second transition

    status, body = ent("post", f"{url}/submit_plan", {})
    assert status == 422
    assert {e["pointer"] for e in body["error"]["errors"]} >= {"/plan_goal", "/plan_safety"}
    plan = {
        k: "详见方案"
        for k in ("plan_goal", "plan_methods", "plan_resources", "plan_organisation", "plan_schedule", "plan_safety")
    }
    assert ent("patch", f"/api/v1/e/hidden_danger/{record}", plan)[0] == 200
    assert ent("post", f"{url}/submit_plan", {})[0] == 200

    assert officer("post", f"{url}/approve_plan", {})[0] == 403  # the head's step
    status, body = head("post", f"{url}/approve_plan", {"comment": "同意治理方案"})
    assert status == 200 and body["record"]["supervised"] is False, body  # 挂牌督办 is a decision of its own

    status, body = ent("post", f"{url}/report_completion", {"data": {"completed_on": "2025-11-20", "assessment": "评估合格"}})
    assert status == 200 and body["state"] == "onsite_check"
    status, body = ent("get", url)
    check = next(d for d in body["deadlines"] if d["rule"] == "onsite_check")
    assert check["status"] == "open"

    status, body = officer("post", f"{url}/close", {"data": {"check_result": "现场核查合格，同意销号"}})
    assert status == 200 and body["state"] == "closed", body
    assert body["record"]["closed_on"] == "2025-09-29"

    status, body = ent("get", url)
    assert [h["to"] for h in body["history"]] == [
        "reported",
        "county_review",
        "planning",
        "plan_review",
        "governing",
        "onsite_check",
        "closed",
    ]
    assert [h["actor"] for h in body["history"]][:3] == ["ent", "ent", "officer"]
    assert body["locked"] and body["ended"]
    assert all(d["status"] == "met" for d in body["deadlines"] if d["rule"] in ("onsite_check", "major_rectification"))
    # Closed is locked: no edit, only an amendment by the county.
    status, body = officer("patch", f"/api/v1/e/hidden_danger/{record}", {"measures": "改"})
    assert status in (403, 409)
    status, body = ent("patch", f"/api/v1/e/hidden_danger/{record}", {"measures": "改"})
    assert status == 409 and "更正" in body["error"]["errors"][0]["message"]
    status, body = officer("post", f"/api/v1/e/hidden_danger/{record}/amendments", {"check_result": "补记：核查人员二人"})
    assert status == 201 and body["amends"] == record, body
    assert ent("post", f"/api/v1/e/hidden_danger/{record}/amendments", {})[0] == 403

    with county["platform"].engine.connect() as conn:
        from sqlalchemy import select

        from anjian.data.system import audit_log

        actions = [
            r.detail.get("transition")
            for r in conn.execute(select(audit_log).where(audit_log.c.action == "transition").order_by(audit_log.c.id))
        ]
    assert actions == ["report_major", "confirm_major", "submit_plan", "approve_plan", "report_completion", "close"]


def test_general_hidden_danger_is_closed_by_the_enterprise(county, api_as):
    record = report(api_as, county, level="general", deadline="2025-10-10")
    ent = api_as("ent")
    url = f"/api/v1/e/hidden_danger/{record}/transitions"
    assert ent("post", f"{url}/report_major", {})[0] == 409  # its condition is not met
    assert ent("post", f"{url}/start_rectify", {})[0] == 200
    status, body = ent("post", f"{url}/self_accept", {})
    assert status == 422 and body["error"]["errors"][0]["pointer"] == "/completed_on"
    status, body = ent("post", f"{url}/self_accept", {"data": {"completed_on": "2025-10-09", "level": "major"}})
    assert status == 422 and body["error"]["errors"][0]["pointer"] == "/level"  # not a field of this step
    status, body = ent("post", f"{url}/self_accept", {"data": {"completed_on": "2025-10-09"}})
    assert status == 200 and body["state"] == "closed"


def test_the_other_enterprise_sees_nothing(county, api_as):
    record = report(api_as, county)
    other = api_as("ent2")
    assert other("get", f"/api/v1/e/hidden_danger/{record}")[0] == 404
    assert other("get", f"/api/v1/e/hidden_danger/{record}/transitions")[0] == 404
    assert other("post", f"/api/v1/e/hidden_danger/{record}/transitions/report_major", {})[0] == 404
    assert record not in todo_ids(api_as, "ent2")


def test_an_api_key_limits_even_an_administrator(county):
    from anjian import Actor
    from anjian.errors import PermissionDenied

    platform = county["platform"]
    record = platform.records.create(
        "hidden_danger",
        {
            "enterprise_id": county["firms"][0],
            "region_code": TOWN,
            "title": "钥匙范围测试",
            "level": "major",
            "found_on": "2025-09-28",
            "description": "钥匙范围测试描述",
            "measures": "措施",
            "responsible_person": "甲",
        },
        Actor("admin", is_admin=True),
    )
    key = Actor("admin", is_admin=True, key_id="k1", key_scopes=frozenset({"hidden_danger:read"}))
    with pytest.raises(PermissionDenied):
        platform.workflow.take(key, "hidden_danger", record["id"], "report_major", {})
    allowed = [t["name"] for t in platform.workflow.status(key, "hidden_danger", record["id"])["transitions"] if t["allowed"]]
    assert allowed == []
