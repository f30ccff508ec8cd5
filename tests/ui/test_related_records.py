"""An enterprise's page lists the records that point to it, scoped like every read."""

import re

import pytest

from anjian import Actor

pytestmark = pytest.mark.postgres

TOWN = "350524100000"  # 凤城镇, as in conftest


def report(platform, firm, title):
    record = {
        "enterprise_id": firm,
        "region_code": TOWN,
        "title": title,
        "level": "general",
        "found_on": "2025-09-28",
        "description": "现场检查发现。",
    }
    return platform.records.create("hidden_danger", record, Actor("admin", is_admin=True))["id"]


def related(html):
    """entity -> titles listed in the 关联记录 panel."""
    groups = re.findall(r'data-entity="([a-z_]+)">(.*?)</div>', html, flags=re.S)
    return {name: re.findall(r'<li><a href="[^"]+">([^<]+)</a></li>', body) for name, body in groups}


def test_an_enterprise_page_lists_its_hidden_dangers_in_the_readers_scope(staff, login_as):
    platform = staff["platform"]
    mine, other = staff["firms"]
    report(platform, mine, "配电箱未接地")
    report(platform, mine, "消防通道堵塞")
    report(platform, other, "乙公司的隐患")
    for user in ("admin", "clerk", "ent"):
        html = login_as(user).get(f"/e/enterprise/{mine}").get_data(as_text=True)
        assert "关联记录" in html, user
        assert sorted(related(html)["hidden_danger"]) == ["消防通道堵塞", "配电箱未接地"], user
    # Reads the enterprise, but hidden dangers only in another town: none of these are listed.
    html = login_as("town").get(f"/e/enterprise/{mine}").get_data(as_text=True)
    assert "hidden_danger" not in related(html)
    assert "配电箱未接地" not in html


def test_more_than_a_page_of_linked_records_leads_to_the_filtered_list(staff, login_as):
    platform = staff["platform"]
    firm = staff["firms"][0]
    for n in range(12):
        report(platform, firm, f"隐患{n:02d}")
    admin = login_as("admin")
    html = admin.get(f"/e/enterprise/{firm}").get_data(as_text=True)
    assert len(related(html)["hidden_danger"]) == 10 and "查看全部 12 条" in html
    listing = admin.get(f"/e/hidden_danger/?enterprise_id={firm}").get_data(as_text=True)
    assert "共 12 条" in listing
