"""The blockers users met on the office screens, posted as the browser posts the rendered forms.

An untouched attachment field is no change; one photo chosen once is one photo; one rule says
whose step it is (inbox, record page, API, notices); Swagger UI loads its assets; urging is
throttled; a notice never shows a Python repr.
"""

import json
import re

from browserlike import form_fields, submit
from sqlalchemy import text

from anjian import Actor

PASSWORD = "Flow-pass-1"
TOWN = "350524100000"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PLAN = {
    k: "按治理方案执行"
    for k in ("plan_goal", "plan_methods", "plan_resources", "plan_organisation", "plan_schedule", "plan_safety")
}
USERS = ("ent", "ent2", "officer", "head", "handler", "stranger")


def login(county, user):
    client = county["app"].test_client()
    assert client.post("/login/", data={"username": user, "password": PASSWORD}).status_code == 302
    return client


def api_report(county, **extra):
    """A major hidden danger as the API files it (no attachment fields at all)."""
    body = {
        "enterprise_id": county["firms"][0],
        "region_code": TOWN,
        "title": "液氨储罐区未设置泄漏报警",
        "level": "major",
        "found_on": "2025-09-28",
        "description": "液氨储罐区未按规定设置泄漏检测报警装置。",
        "measures": "加装报警装置",
        "responsible_person": "王安全",
        "rectify_deadline": "2025-12-31",
        # what a major hidden danger's report carries (16号令, FACTS §7.2)
        "current_state": "储罐区无泄漏报警",
        "cause": "建设时未按规定设置",
        "severity": "泄漏时无法及时发现，可能中毒",
        "difficulty": "需停产加装，难度一般",
        **extra,
    }
    return county["platform"].records.create("hidden_danger", body, Actor("ent"))["id"]


def to_planning(county, record):
    wf = county["platform"].workflow
    wf.take(Actor("ent"), "hidden_danger", record, "report_major", {})
    wf.take(Actor("officer"), "hidden_danger", record, "confirm_major", {})


def stored(county, record):
    p = county["platform"]
    with p.engine.connect() as conn:
        return p.records.read_scoped(conn, p.registry.entity("hidden_danger"), record, Actor("admin", is_admin=True))


def test_the_plan_saves_from_the_edit_form_when_no_file_was_touched(county):
    record = api_report(county)
    to_planning(county, record)
    ent = login(county, "ent")
    page = ent.get(f"/e/hidden_danger/{record}/edit").get_data(as_text=True)
    offered = {name for name, _ in form_fields(page)}
    assert "plan_goal" in offered and "photos" not in offered and "photos__upload" not in offered
    assert "title" not in offered  # the state does not let the title change: the form does not offer it
    saved = submit(ent, f"/e/hidden_danger/{record}/edit", PLAN)
    assert saved.status_code == 302, re.findall(r'data-for="[^"]+">([^<]+)<', saved.get_data(as_text=True))
    after = stored(county, record)
    assert after["plan_goal"] == "按治理方案执行" and after["title"] == "液氨储罐区未设置泄漏报警"
    with county["platform"].engine.connect() as conn:
        detail = conn.execute(
            text("select detail from anjian_audit_log where entity='hidden_danger' and action='update' order by id desc")
        ).first()
    changes = json.loads(detail[0])["changes"] if isinstance(detail[0], str) else detail[0]["changes"]
    assert set(changes) == set(PLAN)  # nothing else is recorded as changed


def test_an_untouched_empty_attachment_is_no_change_for_the_field_locks(county):
    """The record service's comparison: [] over a missing list changes nothing, in a locked state too."""
    record = api_report(county)
    to_planning(county, record)
    p = county["platform"]
    p.records.update("hidden_danger", record, {**PLAN, "photos": [], "assessment_files": []}, Actor("ent"), partial=True)
    assert stored(county, record)["plan_goal"] == "按治理方案执行"


def test_one_photo_chosen_once_is_stored_and_shown_once(county):
    ent = login(county, "ent")
    created = submit(
        ent,
        "/e/hidden_danger/new",
        {
            "enterprise_id": str(county["firms"][0]),
            "region_code": TOWN,
            "title": "配电室漏水",
            "level": "general",
            "found_on": "2025-09-28",
            "description": "配电室屋顶漏水，地面积水。",
        },
        uploads={"photos__upload": [("现场.png", PNG)]},
    )
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    record = int(created.headers["Location"].rstrip("/").split("/")[-1])
    assert len(stored(county, record)["photos"]) == 1
    page = ent.get(f"/e/hidden_danger/{record}").get_data(as_text=True)
    assert page.count("现场.png") == 1
    # Saved again without touching the photo, it stays one photo.
    assert submit(ent, f"/e/hidden_danger/{record}/edit", {"location": "配电室"}).status_code == 302
    assert len(stored(county, record)["photos"]) == 1


def test_the_create_form_offers_only_what_the_first_state_needs(county):
    page = login(county, "ent").get("/e/hidden_danger/new").get_data(as_text=True)
    offered = {name for name, _ in form_fields(page)}
    assert {"title", "level", "found_on", "description", "photos__upload", "rectify_deadline"} <= offered
    assert not offered & {"supervised", "closed_on", "supervision_unit", "check_result", "plan_goal", "assessment"}


def todo(county, user):
    return {item["record_id"] for item in county["platform"].inbox.items(Actor(user), "todo", "hidden_danger")}


def mine(county, user, record):
    status = county["platform"].workflow.status(Actor(user), "hidden_danger", record)
    return {t["name"] for t in status["transitions"] if t["mine"]}


def test_the_plan_is_the_enterprises_step_on_every_surface(county, api_as):
    record = api_report(county)
    to_planning(county, record)
    ent = login(county, "ent")
    # Told when the county asked for the plan.
    notices = county["platform"].workflow.notices
    with county["platform"].engine.connect() as conn:
        assert any("待办" in n["title"] and n["record_id"] == record for n in notices.listing(conn, "ent"))
    # The inbox lists it, and the record page offers the step with what is missing, not 「由其他人员办理」.
    assert record in todo(county, "ent")
    page = ent.get(f"/e/hidden_danger/{record}").get_data(as_text=True)
    assert "由其他人员办理" not in page
    assert 'data-waiting="submit_plan"' in page and "请先填写" in page
    status, body = api_as("ent")("get", f"/api/v1/e/hidden_danger/{record}/transitions")
    step = next(t for t in body["transitions"] if t["name"] == "submit_plan")
    assert step["mine"] and not step["allowed"] and "治理目标和任务" in step["reason"]
    # Once the plan is written the step can be taken from the page.
    assert submit(ent, f"/e/hidden_danger/{record}/edit", PLAN).status_code == 302
    page = ent.get(f"/e/hidden_danger/{record}").get_data(as_text=True)
    assert 'data-transition="submit_plan"' in page
    assert ent.post(f"/e/hidden_danger/{record}/transitions/submit_plan", data={}).status_code == 302


def test_inbox_record_page_and_notices_agree_on_whose_step_it_is(county):
    """For every user and every state of the major flow: inbox ⇔ a step on the page ⇔ told by notices."""
    p = county["platform"]
    wf = p.workflow
    spec = p.registry.entity("hidden_danger")
    record = api_report(county)
    steps = [
        ("ent", "report_major", {}),
        ("officer", "confirm_major", {}),
        ("ent", "submit_plan", None),
        ("head", "approve_plan", {}),
        ("ent", "report_completion", {"data": {"completed_on": "2025-12-01", "assessment": "已完成"}}),
        ("officer", "close", {"data": {"check_result": "核查通过"}}),
    ]
    for user, step, payload in steps:
        with p.engine.connect() as conn:
            inst = wf.instance(conn, "hidden_danger", record)
            process = wf.process_of(conn, inst)
            told = wf.who.actors(conn, spec, process, inst["state"], record)
        for who in USERS:
            listed = record in todo(county, who)
            try:
                offered = bool(mine(county, who, record))
            except Exception:  # outside the user's scope: no page at all
                offered = False
            assert listed == offered == (who in told), (inst["state"], who, listed, offered, told)
        assert user in told, (inst["state"], user)
        if payload is None:
            p.records.update("hidden_danger", record, PLAN, Actor("ent"), partial=True)
            payload = {}
        wf.take(Actor(user), "hidden_danger", record, step, payload)


def test_swagger_ui_loads_its_assets_from_this_server(county):
    client = county["app"].test_client()
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    # FAB's bundle and stylesheet, and the platform's own script that starts Swagger UI (no inline script)
    assert len(assets) == 3 and not any(a.startswith(("http:", "https:", "//")) for a in assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        if "/appbuilder/" in asset:
            assert len(response.data) > 10_000  # the real bundle and stylesheet, not an error page
        else:
            assert b"SwaggerUIBundle" in response.data
        response.close()


def test_urging_is_throttled_per_record_and_person(county, api_as):
    record = api_report(county)
    head = api_as("head")
    county["platform"].workflow.take(Actor("ent"), "hidden_danger", record, "report_major", {})
    url = f"/api/v1/e/hidden_danger/{record}/urge"
    status, body = head("post", url, {"message": "请尽快审核"})
    assert status == 200 and body["notified"] >= 1
    for _ in range(3):
        status, body = head("post", url, {"message": "请尽快审核"})
        assert status == 409 and body["error"]["errors"][0]["code"] == "throttled"
    with county["platform"].engine.connect() as conn:
        urged = [n for n in county["platform"].workflow.notices.listing(conn, "officer") if n["kind"] == "urge"]
    assert len(urged) == 1
    county["clock"].advance(hours=1, minutes=1)
    assert head("post", url, {"message": "再次催办"})[0] == 200


def test_a_notice_never_shows_a_python_value(county, api_as):
    record = api_report(county)
    county["platform"].workflow.take(Actor("ent"), "hidden_danger", record, "report_major", {})
    status, body = api_as("head")("post", f"/api/v1/e/hidden_danger/{record}/urge", {"message": [None, None]})
    assert status == 422 and body["error"]["errors"][0]["pointer"] == "/message"
    with county["platform"].engine.connect() as conn:
        assert not [n for n in county["platform"].workflow.notices.listing(conn, "officer") if n["kind"] == "urge"]
    # A real urging names the person, not a login or a repr.
    with county["platform"].engine.begin() as conn:
        conn.execute(text("update ab_user set first_name='李科长', last_name='' where username='head'"))
    assert api_as("head")("post", f"/api/v1/e/hidden_danger/{record}/urge", {"message": "请审核"})[0] == 200
    with county["platform"].engine.connect() as conn:
        urged = [n for n in county["platform"].workflow.notices.listing(conn, "officer") if n["kind"] == "urge"]
    assert urged[0]["body"] == "李科长：请审核"


def test_history_shows_names_not_logins(county):
    with county["platform"].engine.begin() as conn:
        conn.execute(text("update ab_user set first_name='赵', last_name='安全员' where username='ent'"))
    record = api_report(county)
    county["platform"].workflow.take(Actor("ent"), "hidden_danger", record, "report_major", {})
    page = login(county, "officer").get(f"/e/hidden_danger/{record}").get_data(as_text=True)
    steps = re.findall(r'<tr data-step="[^"]+"><td[^>]*>[^<]+</td><td[^>]*>([^<]+)</td>', page)
    assert steps == ["赵安全员", "赵安全员"]
    assert ">ent<" not in page


def test_every_process_list_has_a_state_column_and_filter(county):
    planning = api_report(county)
    to_planning(county, planning)
    other = api_report(county, title="另一处隐患：配电柜门缺失")
    officer = login(county, "head")
    for process in county["platform"].registry.catalog.processes.values():
        if not county["platform"].access.regions("head", process.entity, "read"):
            continue  # e.g. the accident flows: tests/accident/test_screens.py checks them with their officers
        page = officer.get(f"/e/{process.entity}/").get_data(as_text=True)
        assert "<th>环节</th>" in page and 'name="_state"' in page, process.entity
    page = officer.get("/e/hidden_danger/?_state=planning").get_data(as_text=True)
    rows = re.findall(r'<tr data-id="(\d+)">', page)
    assert rows == [str(planning)] and "制定治理方案</td>" in page
    assert str(other) in re.findall(
        r'<tr data-id="(\d+)">', officer.get("/e/hidden_danger/?_state=reported").get_data(as_text=True)
    )
    assert 'value="planning" selected' in page


def test_statistics_reports_are_titled_by_enterprise_and_period(county):
    p = county["platform"]
    quarterly = p.records.create(
        "hazard_statistics",
        {"enterprise_id": county["firms"][0], "region_code": TOWN, "period": "quarter", "year": 2025, "quarter": 3},
        Actor("ent"),
    )
    annual = p.records.create(
        "hazard_statistics",
        {"enterprise_id": county["firms"][0], "region_code": TOWN, "period": "annual", "year": 2025},
        Actor("ent"),
    )
    assert quarterly["report_title"] == "安溪流程测试0有限公司 2025年第3季度隐患排查治理统计报表"
    assert annual["report_title"] == "安溪流程测试0有限公司 2025年度隐患排查治理统计报表"
    labels = {i["label"] for i in p.inbox.items(Actor("ent"), "todo", "hazard_statistics")}
    assert labels == {quarterly["report_title"], annual["report_title"]}
    page = login(county, "ent").get(f"/e/hazard_statistics/{quarterly['id']}").get_data(as_text=True)
    heading = re.search(r'<h3 class="pull-left anjian-title">([^<]+)</h3>', page).group(1)
    assert heading == quarterly["report_title"] and "annual" not in page and ">quarter<" not in page


def test_extensions_are_requested_and_approved_on_screen(county):
    record = api_report(county)
    to_planning(county, record)
    ent, head = login(county, "ent"), login(county, "head")
    page = ent.get(f"/e/hidden_danger/{record}").get_data(as_text=True)
    clock = re.search(r'data-deadline-id="(\d+)"', page)
    assert clock and "申请延期" in page
    url = f"/e/hidden_danger/{record}/deadlines/{clock.group(1)}/extensions"
    before = county["platform"].workflow.status(Actor("head"), "hidden_danger", record)["deadlines"][0]["due_at"]

    refused = ent.post(url, data={"amount": "十", "unit": "workdays", "reason": ""}, follow_redirects=True)
    assert refused.status_code == 200 and "延期时长应为" in refused.get_data(as_text=True)
    asked = ent.post(url, data={"amount": "10", "unit": "workdays", "reason": "设备到货延迟"}, follow_redirects=True)
    text_ = asked.get_data(as_text=True)
    assert "已提交延期申请" in text_ and "延期申请待审批" in text_ and "设备到货延迟" in text_
    assert "anjian-extension-decision" not in text_  # nobody approves their own request

    page = head.get(f"/e/hidden_danger/{record}").get_data(as_text=True)
    decision = re.search(r'action="([^"]+/decision)"', page)
    assert decision and "批准延期" in page
    done = head.post(decision.group(1), data={"approve": "1", "note": "同意"}, follow_redirects=True)
    assert "已批准延期" in done.get_data(as_text=True)
    after = county["platform"].workflow.status(Actor("head"), "hidden_danger", record)["deadlines"][0]
    assert after["due_at"] > before and after["extension"] is None
    with county["platform"].engine.connect() as conn:
        told = county["platform"].workflow.notices.listing(conn, "ent")
    assert any("延期已批准" in n["title"] for n in told)
