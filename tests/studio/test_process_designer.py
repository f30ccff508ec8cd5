"""The process designer's forms: states, transitions (roles, conditions checked live, fields,
comments, attachments), deadlines with escalation stages, the migration mapping; and the
preview's sample records. Driven as plain functions and through the web session (no publish)."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from anjian.meta.loader import load_documents
from anjian.studio import process_designer as pd
from anjian.studio.review import review_draft
from anjian.testing.plugin import ADMIN_PASSWORD


def _problems(files: dict[str, Any]) -> list[dict[str, Any]]:
    standard, errors = load_documents(["metadata"])
    assert not errors
    return review_draft("fireworks", files, standard, None).problems()


def _built(fireworks: dict[str, Any]) -> dict[str, Any]:
    """The 烟花爆竹流向 approval built with the designer's functions instead of JSON."""
    files = {k: v for k, v in fireworks.items() if not k.endswith(".process.json")}
    files = pd.add_process(files, "fireworks_flow", "fireworks_flow_approval", "流向审核")
    files = pd.set_state(files, "fireworks_flow_approval", "submitted", title="待审核", editable="none")
    files = pd.set_state(files, "fireworks_flow_approval", "approved", title="已审核", end=True, locked=True)
    files = pd.set_transition(
        files, "fireworks_flow_approval", "submit", title="提交", sources=["draft"], to="submitted", roles=["fireworks_officer"]
    )
    files = pd.set_transition(
        files,
        "fireworks_flow_approval",
        "approve",
        title="审核通过",
        sources=["submitted"],
        to="approved",
        roles=["fireworks_officer", ""],
        condition='flow_type != "return"',
        requires=["counterparty"],
        comment="optional",
        attachment="required",
    )
    return pd.set_deadline(
        files,
        "fireworks_flow_approval",
        "review",
        title="五个工作日内审核",
        starts="submitted",
        amount=5,
        ends=["approved"],
        stages=[
            {"kind": "reminder", "before": 1, "notify": ["actors"]},
            {"kind": "overdue", "notify": ["actors, role:fireworks_officer"]},
        ],
    )


def test_a_process_built_in_forms_passes_the_checks(fireworks: dict[str, Any]) -> None:
    files = _built(fireworks)
    process = files["fireworks_flow.process.json"]
    assert process["start"] == "draft" and list(process["states"]) == ["draft", "submitted", "approved"]
    approve = process["transitions"][1]
    assert approve == {
        "name": "approve",
        "title": "审核通过",
        "from": "submitted",
        "to": "approved",
        "roles": ["fireworks_officer"],
        "condition": 'flow_type != "return"',
        "requires": ["counterparty"],
        "comment": "optional",
        "attachment": "required",
    }
    assert process["deadlines"][0]["due"] == {"amount": 5, "unit": "workdays"}
    assert process["deadlines"][0]["stages"][1] == {"kind": "overdue", "notify": ["actors", "role:fireworks_officer"]}
    assert _problems(files) == []


def test_bad_condition_and_stage_order_are_reported_on_their_transition_and_deadline(fireworks: dict[str, Any]) -> None:
    files = _built(fireworks)
    files = pd.set_transition(
        files, "fireworks_flow_approval", "approve", title="审核通过", sources=["submitted"], to="approved",
        roles=["fireworks_officer"], condition="flow_type ==",
    )  # fmt: skip
    files = pd.set_deadline(
        files, "fireworks_flow_approval", "review", title="审核", starts="submitted", amount=5,
        stages=[{"kind": "overdue"}, {"kind": "reminder", "before": 1}],
    )  # fmt: skip
    problems = _problems(files)
    assert {(p.get("transition"), p.get("deadline")) for p in problems} == {("1", None), (None, "0")}, problems
    assert any("时间顺序" in p["message"] for p in problems)


def test_removing_a_state_keeps_what_names_it_so_the_checks_list_it(fireworks: dict[str, Any]) -> None:
    files = pd.remove_state(_built(fireworks), "fireworks_flow_approval", "submitted")
    problems = _problems(files)
    assert problems and all(p["file"] == "fireworks_flow.process.json" for p in problems)
    assert {p.get("transition") for p in problems} >= {"0", "1"}


def test_migration_mapping_is_merged_and_cleared(fireworks: dict[str, Any]) -> None:
    files = pd.set_migration(fireworks, "fireworks_flow_approval", {"submitted": "draft"})
    assert files["fireworks_flow.process.json"]["migration"] == {"states": {"submitted": "draft"}}
    files = pd.set_migration(files, "fireworks_flow_approval", {"submitted": ""})
    assert "migration" not in files["fireworks_flow.process.json"]


def test_editing_a_transition_keeps_what_the_form_does_not_show(fireworks: dict[str, Any]) -> None:
    fireworks["fireworks_flow.process.json"]["transitions"][0]["sets"] = {"note": "$actor"}
    files = pd.set_transition(
        fireworks,
        "fireworks_flow_approval",
        "submit",
        title="上报",
        sources=["draft"],
        to="submitted",
        roles=["fireworks_officer"],
    )
    assert files["fireworks_flow.process.json"]["transitions"][0]["sets"] == {"note": "$actor"}
    assert fireworks["fireworks_flow.process.json"]["transitions"][0]["title"] == "提交"  # the input is not changed


@pytest.fixture
def admin_web(app: Any) -> Any:
    client = app.test_client()
    assert client.post("/login/", data={"username": "admin", "password": ADMIN_PASSWORD}).status_code == 302
    return client


def _version(page: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', page)
    assert match
    return match.group(1)


# About 6 s of screens: it runs in the process pass (the browser test builds the process in these forms too).
@pytest.mark.slow
def test_the_process_designer_screen_builds_a_process(admin_web: Any, app: Any, fireworks: dict[str, Any]) -> None:
    from anjian.audit import Actor
    from anjian.studio import Studio

    studio = Studio(app.extensions["anjian"])
    files = {k: v for k, v in copy.deepcopy(fireworks).items() if not k.endswith(".process.json")}
    draft = studio.create_draft(Actor("admin", is_admin=True), "fireworks")
    draft = studio.save_draft(Actor("admin", is_admin=True), draft.id, draft.version, files=files)
    url = f"/studio/drafts/{draft.id}"
    page = admin_web.get(url + "?entity=fireworks_flow").get_data(as_text=True)
    assert "添加流程" in page

    def post(**data: Any) -> str:
        version = _version(admin_web.get(url + "?entity=fireworks_flow").get_data(as_text=True))
        response = admin_web.post(f"{url}/edit", data={"version": version, "entity": "fireworks_flow", **data})
        assert response.status_code == 302, response.get_data(as_text=True)
        return str(admin_web.get(response.headers["Location"]).get_data(as_text=True))

    post(op="add_process", name="fireworks_flow_approval", title="流向审核")
    p = {"process": "fireworks_flow_approval"}
    post(op="state", name="submitted", title="待审核", editable="list", editable_fields=["note"], **p)
    post(op="state", name="approved", title="已审核", editable="none", end="1", locked="1", **p)
    post(
        op="transition",
        name="submit",
        title="提交",
        to="submitted",
        roles="fireworks_officer",
        comment="none",
        attachment="none",
        **{"from": "draft"},
        **p,
    )
    page = post(
        op="transition", name="approve", title="审核通过", to="approved", roles="fireworks_officer", roles_other="",
        condition="flow_type ==", requires=["counterparty"], comment="required", attachment="optional", **{"from": "submitted"}, **p,
    )  # fmt: skip
    assert "anjian-process-problem" in page and "不是有效的条件" in page  # shown on the transition
    page = post(
        op="deadline", name="review", title="五个工作日内审核", starts="submitted", amount="5", unit="workdays", ends="approved",
        stage_kind=["reminder", "overdue", "", ""], stage_side=["before", "after", "before", "before"],
        stage_amount=["1", "", "", ""], stage_unit=["workdays"] * 4, stage_notify=["actors", "actors,role:fireworks_officer", "", ""], **p,
    )  # fmt: skip
    assert "五个工作日内审核" in page and "<svg" in page and 'data-state="approved"' in page

    checked = admin_web.post(f"{url}/check-condition", json={"entity": "fireworks_flow", "condition": 'flow_type == "sale"'})
    assert checked.get_json()["ok"] is True and "flow_type" in checked.get_json()["message"]
    bad = admin_web.post(f"{url}/check-condition", json={"entity": "fireworks_flow", "condition": "nope > 1"}).get_json()
    assert bad["ok"] is False and "nope" in bad["message"]

    page = post(
        op="transition", name="approve", title="审核通过", to="approved", roles="fireworks_officer",
        condition='flow_type != "return"', requires=["counterparty"], comment="required", attachment="optional", **{"from": "submitted"}, **p,
    )  # fmt: skip
    assert "检查通过" in page, re.findall(r"anjian-process-problem[^>]*>([^<]*)", page)
    process = studio.drafts.get(draft.id).files["fireworks_flow.process.json"]
    assert process["states"]["submitted"] == {"title": "待审核", "editable": ["note"]}
    assert process["deadlines"][0]["stages"] == [
        {"kind": "reminder", "before": {"amount": 1, "unit": "workdays"}, "notify": ["actors"]},
        {"kind": "overdue", "notify": ["actors", "role:fireworks_officer"]},
    ]
    assert process["transitions"][1]["comment"] == "required" and process["transitions"][1]["attachment"] == "optional"


def test_the_preview_shows_sample_records_in_form_list_and_detail(admin_web: Any, app: Any, fireworks: dict[str, Any]) -> None:
    from anjian.audit import Actor
    from anjian.studio import Studio

    studio = Studio(app.extensions["anjian"])
    fireworks["fireworks_flow.json"]["properties"]["id_no"] = {
        "type": "string",
        "title": "负责人身份证号",
        "minLength": 18,
        "maxLength": 18,
        "pattern": "^\\d{17}[\\dX]$",
    }
    fireworks["fireworks_flow.json"]["x-anjian"]["list_columns"].append("id_no")
    draft = studio.create_draft(Actor("admin", is_admin=True), "fireworks")
    draft = studio.save_draft(Actor("admin", is_admin=True), draft.id, draft.version, files=fireworks)
    page = admin_web.get(f"/studio/drafts/{draft.id}/preview/fireworks_flow").get_data(as_text=True)
    assert page.count('<tr data-id="') == 3  # three sample rows in the list
    assert "购进" in page and "销售" in page  # enum labels, as officers see them
    assert re.search(r'data-field="lines".*产品名称', page, re.S)  # the child table in the detail
    assert re.search(r"350524\d{4}", page)  # a region code from the dictionary
    assert re.search(r"350524\d{11}[\dX]", page)  # an ID number matching its pattern


def test_dragged_positions_are_kept_in_the_layout_not_the_declaration(
    admin_web: Any, app: Any, fireworks: dict[str, Any]
) -> None:
    from anjian.audit import Actor
    from anjian.studio import Studio

    studio = Studio(app.extensions["anjian"])
    admin = Actor("admin", is_admin=True)
    draft = studio.create_draft(admin, "fireworks")
    draft = studio.save_draft(admin, draft.id, draft.version, files=fireworks)
    url = f"/studio/drafts/{draft.id}/positions"
    body = {"process": "fireworks_flow_approval", "positions": {"approved": [333, 177]}, "version": draft.version}
    saved = admin_web.post(url, json=body)
    assert saved.status_code == 200 and saved.get_json()["version"] == draft.version + 1
    stored = studio.drafts.get(draft.id)
    assert stored.layout["positions"] == {"fireworks_flow_approval": {"approved": [333, 177]}}
    assert stored.files == fireworks  # the declaration is untouched
    page = admin_web.get(f"/studio/drafts/{draft.id}?entity=fireworks_flow").get_data(as_text=True)
    assert re.search(r'data-state="approved"><rect x="333" y="177"', page)
    assert admin_web.post(url, json=body).status_code == 409  # an older version: refused, not overwritten
    reset = admin_web.post(url, json={"process": "fireworks_flow_approval", "positions": None, "version": stored.version})
    assert reset.status_code == 200 and studio.drafts.get(draft.id).layout["positions"] == {}


# Two publishes and a transition (about 4 s): it runs in the process pass.
@pytest.mark.slow
def test_the_publish_page_asks_where_records_in_a_removed_state_go(
    admin_web: Any, api: Any, app: Any, fireworks: dict[str, Any]
) -> None:
    from anjian.audit import Actor
    from anjian.studio import Studio

    studio = Studio(app.extensions["anjian"])
    admin = Actor("admin", is_admin=True)
    draft = studio.create_draft(admin, "fireworks")
    draft = studio.save_draft(admin, draft.id, draft.version, files=fireworks)
    studio.publish(admin, draft.id, draft.version)
    body = {"flow_type": "sale", "flow_date": "2026-03-02", "region_code": "350524"}
    record_id = api.post("/api/v1/e/fireworks_flow", json=body).get_json()["id"]
    assert api.post(f"/api/v1/e/fireworks_flow/{record_id}/transitions/submit", json={}).status_code == 200

    draft = studio.create_draft(admin, "fireworks")
    files = pd.set_state(draft.files, "fireworks_flow_approval", "checking", title="审核中", editable="none")
    files = pd.set_transition(
        files, "fireworks_flow_approval", "submit", title="提交", sources=["draft"], to="checking", roles=["fireworks_officer"]
    )
    files = pd.set_transition(
        files,
        "fireworks_flow_approval",
        "approve",
        title="审核通过",
        sources=["checking"],
        to="approved",
        roles=["fireworks_officer"],
    )
    files = pd.set_deadline(
        files, "fireworks_flow_approval", "review", title="审核", starts="checking", amount=5, ends=["approved"]
    )
    draft = studio.save_draft(
        admin, draft.id, draft.version, files=pd.remove_state(files, "fireworks_flow_approval", "submitted")
    )
    page = admin_web.get(f"/studio/drafts/{draft.id}/publish").get_data(as_text=True)
    assert "该状态将被删除" in page and 'name="map:submitted"' in page
    refused = admin_web.post(f"/studio/drafts/{draft.id}/publish", data={"version": draft.version})
    assert "submitted" in admin_web.get(refused.headers["Location"]).get_data(as_text=True)
    mapped = admin_web.post(
        f"/studio/drafts/{draft.id}/edit",
        data={
            "version": draft.version,
            "op": "migration",
            "process": "fireworks_flow_approval",
            "map:submitted": "checking",
            "back": "publish",
        },
    )
    assert mapped.headers["Location"].endswith(f"/studio/drafts/{draft.id}/publish")
    page = admin_web.get(mapped.headers["Location"]).get_data(as_text=True)
    assert "将迁移到 checking" in page
    done = admin_web.post(f"/studio/drafts/{draft.id}/publish", data={"version": draft.version + 1})
    assert "published=" in done.headers["Location"]
    from sqlalchemy import select

    from anjian.workflow.tables import instance

    with studio.platform.engine.connect() as conn:
        state = conn.execute(select(instance.c.state).where(instance.c.entity == "fireworks_flow")).scalar_one()
    assert state == "checking"  # the record in flight moved as mapped
