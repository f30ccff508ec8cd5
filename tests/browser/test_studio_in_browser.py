"""Issue 11's closing test: a configurator builds 烟花爆竹流向 in the studio from an empty draft
(an entity with a child table of product lines, a three-state approval with a five-working-day
deadline, a role), publishes it and grants the role; an officer creates a record; then a field is
renamed (data kept), one retired (data kept), and deleting one is refused without confirmation."""

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

PASSWORD = "Browser-test-1"  # as set by conftest.server

pytestmark = pytest.mark.browser
OFFICER, OFFICER_PASSWORD = "flowofficer", "Flow-officer-1"


def _cli(server, *args):
    subprocess.run([sys.executable, "-m", "anjian.cli", *args], env=server["env"], check=True, capture_output=True, timeout=300)


def _stored(server, column):
    database = Path(server["env"]["ANJIAN_HOME"]) / "anjian.db"
    with sqlite3.connect(database) as conn:
        return [row[0] for row in conn.execute(f"SELECT {column} FROM fireworks_flow")]  # noqa: S608  (a fixed name)


def _add_field(page, name, title, kind, required=False):
    form = page.locator(".anjian-add-field")
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=title]").fill(title)
    form.locator("select[name=kind]").select_option(kind)
    if required:
        form.locator("input[name=required]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f"tr[data-field={name}]")


def _row_action(page, field, action, new_name=None):
    row = page.locator(f"tr[data-field={field}]")
    if new_name:
        row.locator("input[name=new_name]").fill(new_name)
    row.locator(f"button[value={action}]").click()
    page.wait_for_load_state()


def _new_draft_of_published(page):
    page.goto("/studio/")
    page.locator("tr[data-module=fireworks] button.btn-primary").click()
    page.wait_for_url("**/studio/drafts/*")


def _submit(form):
    form.locator("button[type=submit]").first.click()
    form.page.wait_for_load_state()


def _open(page, selector):
    page.eval_on_selector(selector, "details => { details.open = true; }")


def _build_process(page, shot):
    """The three-state approval with a five-working-day deadline, built in the process designer's forms."""
    start = page.locator(".anjian-add-process")
    start.locator("input[name=name]").fill("fireworks_flow_approval")
    start.locator("input[name=title]").fill("流向审核")
    _submit(start)
    for name, title, end in (("submitted", "待审核", False), ("approved", "已审核", True)):
        state = page.locator(".anjian-add-state")
        state.locator("input[name=name]").fill(name)
        state.locator("input[name=title]").fill(title)
        if end:
            state.locator("input[name=end]").check()
        _submit(state)
    row = page.locator("tr[data-state=submitted]")
    _open(page, "tr[data-state=submitted] details")
    row.locator("input[name=editable][value=none]").check()
    _submit(row.locator("form").first)

    for name, title, source, target in (
        ("submit", "提交", "draft", "submitted"),
        ("approve", "审核通过", "submitted", "approved"),
    ):
        _open(page, ".anjian-add-transition")
        form = page.locator(".anjian-add-transition form")
        form.locator("input[name=name]").fill(name)
        form.locator("input[name=title]").fill(title)
        form.locator(f"input[name=from][value={source}]").check()
        form.locator("select[name=to]").select_option(target)
        form.locator("input[name=roles][value=fireworks_officer]").check()
        if name == "approve":
            condition = form.locator("input[name=condition]")
            condition.fill("flow_type ==")
            page.wait_for_selector(".anjian-add-transition .anjian-condition-result.text-danger")
            assert "不是有效的条件" in form.locator(".anjian-condition-result").inner_text()
            condition.fill('flow_type != "return"')
            page.wait_for_selector(".anjian-add-transition .anjian-condition-result.text-success")
            form.locator("input[name=requires][value=flow_date]").check()
            form.locator("select[name=comment]").select_option("optional")
        _submit(form)
        page.wait_for_selector(f"[data-transition={name}]")

    _open(page, ".anjian-add-deadline")
    form = page.locator(".anjian-add-deadline form")
    form.locator("input[name=name]").fill("review")
    form.locator("input[name=title]").fill("五个工作日内审核")
    form.locator("select[name=starts]").select_option("submitted")
    form.locator("input[name=amount]").fill("5")
    form.locator("select[name=unit]").select_option("workdays")
    form.locator("input[name=ends][value=approved]").check()
    kinds, amounts = form.locator("select[name=stage_kind]"), form.locator("input[name=stage_amount]")
    kinds.nth(0).select_option("overdue")  # out of order: the overdue stage before the reminder
    kinds.nth(1).select_option("reminder")
    amounts.nth(1).fill("1")
    _submit(form)
    deadline = page.locator("[data-deadline=review]")
    assert "时间顺序" in deadline.locator(".anjian-process-problem").inner_text()
    form = deadline.locator("form").first
    kinds, amounts = form.locator("select[name=stage_kind]"), form.locator("input[name=stage_amount]")
    kinds.nth(0).select_option("reminder")
    amounts.nth(0).fill("1")
    kinds.nth(1).select_option("overdue")
    amounts.nth(1).fill("")
    _submit(form)
    assert page.locator(".anjian-process-problem").count() == 0, page.inner_text(".anjian-process-designer")
    box = page.locator("g.anjian-state[data-state=approved] rect")
    before = int(box.get_attribute("y"))
    box.scroll_into_view_if_needed()  # the mouse acts at viewport coordinates
    where = box.bounding_box()
    page.mouse.move(where["x"] + 20, where["y"] + 10)
    page.mouse.down()
    page.mouse.move(where["x"] + 20, where["y"] + 70, steps=5)
    with page.expect_navigation():  # the position is saved in the draft's layout, the diagram drawn again
        page.mouse.up()
    assert int(page.locator("g.anjian-state[data-state=approved] rect").get_attribute("y")) > before
    _open(page, "[data-transition=approve]")
    shot("studio-process-designer")


def _publish(page, shot=None, name=""):
    page.click("#go-publish")
    page.wait_for_url("**/publish")
    if shot:
        shot(name)
    page.click("#publish-button")
    page.wait_for_load_state()


def test_a_configurator_builds_publishes_and_changes_a_module(page, shot, sign_in, server):
    _cli(server, "user", "add", OFFICER, "--type", "agency", "--region", "350524", "--password", OFFICER_PASSWORD)
    sign_in(page, "admin", PASSWORD)
    page.goto("/studio/")
    assert "建模工作台" in page.inner_text("h3")
    page.fill("#new-module", "fireworks")
    page.fill("#new-title", "烟花爆竹流向")
    page.click(".anjian-new-draft button[type=submit]")
    page.wait_for_url("**/studio/drafts/*")

    entity_form = page.locator(".anjian-add-entity")
    entity_form.locator("input[name=name]").fill("fireworks_flow")
    entity_form.locator("input[name=title]").fill("烟花爆竹流向登记")
    entity_form.locator("button[type=submit]").click()
    page.wait_for_selector(".anjian-add-field")
    _add_field(page, "wholesaler", "批发企业", "text")
    _add_field(page, "flow_type", "流向类型", "enum", required=True)
    _add_field(page, "flow_date", "日期", "date", required=True)
    _add_field(page, "counterparty", "往来单位", "text")
    _add_field(page, "note", "备注", "text")
    _add_field(page, "region_code", "所在区划", "std:region_code")
    _add_field(page, "lines", "产品明细", "child")

    page.click(".anjian-role-editor summary")
    roles = page.locator(".anjian-role-editor form")
    roles.locator("input[name=name]").fill("fireworks_officer")
    roles.locator("input[name=title]").fill("烟花爆竹流向管理员")
    for action in ("read", "create", "update"):
        roles.locator(f"input[name='perm:fireworks_flow'][value={action}]").check()
    roles.locator("button[type=submit]").click()
    page.wait_for_load_state()
    _build_process(page, shot)
    assert page.locator(".anjian-problem-count").count() == 0, page.inner_text(".anjian-studio")
    page.wait_for_selector(".anjian-diagram svg")
    assert "待审核" in page.inner_text(".anjian-diagram")
    preview = page.frame_locator("#preview-frame")
    assert "产品明细" in preview.locator("body").inner_text()
    shot("studio-draft")
    page.set_viewport_size({"width": 390, "height": 844})
    shot("studio-draft-390")
    page.set_viewport_size({"width": 1366, "height": 900})

    _publish(page, shot, "studio-publish-plan")
    assert "已发布为目录版本" in page.inner_text(".anjian-published")
    grant = page.locator(".anjian-grant")
    grant.locator("select[name=role]").select_option("fireworks_officer")
    grant.locator("input[name=username]").fill(OFFICER)
    grant.locator("input[name=region]").fill("350524")
    grant.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "已授予" in page.content()

    sign_in(page, OFFICER, OFFICER_PASSWORD)
    page.goto("/e/fireworks_flow/new")
    page.fill("input[name=wholesaler]", "安溪某某烟花批发公司")
    page.select_option("select[name=flow_type]", "a")
    page.fill("input[name=flow_date]", "2026-03-02")
    page.fill("input[name=counterparty]", "某某商行")
    page.fill("input[name=note]", "夜间送货")
    page.click(".anjian-form button[type=submit]")
    page.wait_for_load_state()
    shot("studio-officer-record")
    assert re.search(r"/e/fireworks_flow/\d+$", page.url), page.inner_text(".anjian-page")
    record_url = page.url

    sign_in(page, "admin", PASSWORD)
    _new_draft_of_published(page)
    _row_action(page, "counterparty", "rename", new_name="buyer")
    _row_action(page, "note", "retire")
    _publish(page, shot, "studio-publish-rename-retire")
    assert "已发布为目录版本" in page.inner_text(".anjian-published")
    page.goto(record_url)
    assert "某某商行" in page.inner_text(".anjian-page")  # renamed: the value moved with the field
    assert _stored(server, "buyer") == ["某某商行"] and _stored(server, "note") == ["夜间送货"]  # retired: kept

    _new_draft_of_published(page)
    _row_action(page, "wholesaler", "delete")
    page.click("#go-publish")
    page.wait_for_url("**/publish")
    confirm = page.inner_text(".anjian-confirm")
    assert "wholesaler" in confirm and "exports" in confirm  # the export path is shown
    shot("studio-delete-confirm")
    page.click("#publish-button")
    page.wait_for_load_state()
    assert "fireworks" in page.inner_text(".alert-danger")  # refused: type the module name
    assert _stored(server, "wholesaler") == ["安溪某某烟花批发公司"]
