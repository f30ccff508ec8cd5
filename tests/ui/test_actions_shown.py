"""Only the actions the user may take: every button a page shows works for that user."""

import re

import pytest

from anjian import Actor

TOWN = "350524100000"  # 凤城镇, as in conftest

pytestmark = pytest.mark.postgres

ACTION_LINK = re.compile(r'href="(/e/[a-z_]+/(?:new|\d+/edit|\d+/delete))"')


def action_links(html):
    return set(ACTION_LINK.findall(html))


def assert_every_button_works(client, *pages):
    """Each 新建/编辑/删除 link on the pages opens for this user (no 403 after a click)."""
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        for link in action_links(response.get_data(as_text=True)):
            assert client.get(link).status_code == 200, link


def hidden_danger(platform, firm, actor="ent"):
    record = {
        "enterprise_id": firm,
        "region_code": TOWN,
        "title": "配电箱未接地",
        "level": "general",
        "found_on": "2025-09-28",
        "description": "二号车间配电箱未接地。",
        "measures": "加装接地线",
        "responsible_person": "王安全",
        "rectify_deadline": "2025-10-10",
    }
    return platform.records.create("hidden_danger", record, Actor(actor))["id"]


def test_a_clerk_without_delete_sees_no_delete(staff, login_as):
    firm = staff["firms"][0]
    clerk = login_as("clerk")  # registry_clerk: read, create, update, export
    html = clerk.get("/e/enterprise/").get_data(as_text=True)
    assert 'id="anjian-new"' in html and 'id="anjian-export"' in html
    assert f"/e/enterprise/{firm}/edit" in html
    assert f"/e/enterprise/{firm}/delete" not in html and "删除所选" not in html
    detail = clerk.get(f"/e/enterprise/{firm}").get_data(as_text=True)
    assert 'id="anjian-edit"' in detail and 'id="anjian-delete"' not in detail
    assert_every_button_works(clerk, "/e/enterprise/", f"/e/enterprise/{firm}")


def test_a_head_with_delete_sees_it(staff, login_as):
    firm = staff["firms"][0]
    head = login_as("head")  # registry_head inherits the clerk and deletes
    html = head.get("/e/enterprise/").get_data(as_text=True)
    assert f"/e/enterprise/{firm}/delete" in html and "删除所选" in html
    assert_every_button_works(head, "/e/enterprise/", f"/e/enterprise/{firm}")


def test_an_enterprise_user_sees_only_reading_on_its_enterprise(staff, login_as):
    firm = staff["firms"][0]
    ent = login_as("ent")  # enterprise_safety: reads its enterprise
    html = ent.get("/e/enterprise/").get_data(as_text=True)
    assert not action_links(html)
    assert "anjian-new" not in html and "删除所选" not in html and "导出" not in html and 'name="ids"' not in html
    detail = ent.get(f"/e/enterprise/{firm}").get_data(as_text=True)
    assert not action_links(detail)


def test_process_records_show_edit_and_delete_only_while_the_process_allows(staff, login_as):
    platform = staff["platform"]
    fresh = hidden_danger(platform, staff["firms"][0])
    started = hidden_danger(platform, staff["firms"][0])
    platform.workflow.take(Actor("ent"), "hidden_danger", started, "start_rectify", {})
    ent = login_as("ent")  # creates and updates hidden dangers of its own enterprise, never deletes
    html = ent.get("/e/hidden_danger/").get_data(as_text=True)
    assert 'id="anjian-new"' in html
    assert {f"/e/hidden_danger/{fresh}/edit", f"/e/hidden_danger/{started}/edit"} <= action_links(html)
    assert not any(link.endswith("/delete") for link in action_links(html))
    assert_every_button_works(ent, "/e/hidden_danger/", f"/e/hidden_danger/{fresh}", f"/e/hidden_danger/{started}")
    officer = login_as("clerk")  # hazard_officer reads and exports hidden dangers
    html = officer.get("/e/hidden_danger/").get_data(as_text=True)
    assert not action_links(html) and 'id="anjian-export"' in html
    admin = login_as("admin")
    html = admin.get("/e/hidden_danger/").get_data(as_text=True)
    assert f"/e/hidden_danger/{fresh}/delete" in html  # still in its first state
    assert f"/e/hidden_danger/{started}/delete" not in html  # the workflow would refuse
    assert_every_button_works(admin, "/e/hidden_danger/", f"/e/hidden_danger/{started}")
