"""The report screens: the list, a report page with form, chart data, table and links, exports,
the print view, and plotly.js served offline from the installed package."""

from __future__ import annotations

import json
import re

from report_world import TOWN_A, grant

from anjian.testing.plugin import ADMIN_PASSWORD

PAGE = "/reports/hidden_danger_by_region"


def sign_in(client, username="admin"):
    response = client.post("/login/", data={"username": username, "password": ADMIN_PASSWORD})
    assert response.status_code in (200, 302)
    return client


def test_report_pages_need_a_login(client):
    assert client.get("/reports/").status_code == 302
    assert client.get(PAGE).status_code == 302


def test_the_list_shows_what_the_user_may_run(client, published, dangers):
    page = sign_in(client, "officer").get("/reports/").get_data(as_text=True)
    assert "hidden_danger_by_region" not in page and "您没有可查看的统计报表" in page
    assert client.get(PAGE).status_code == 403
    grant(published, "officer", "hazard_officer", TOWN_A)
    page = client.get("/reports/").get_data(as_text=True)
    assert "隐患按区划和级别统计" in page and "/reports/hidden_danger_by_region" in page
    assert 'href="/reports/"' in client.get("/e/").get_data(as_text=True)  # the menu entry


def test_a_report_page_has_form_chart_table_drill_and_exports(client, dangers):
    html = sign_in(client).get(PAGE + "?period_from=2026-01-01&period_to=2026-06-30").get_data(as_text=True)
    assert '<table class="table table-bordered' in html and "<caption>" in html and 'scope="row"' in html
    assert "合计" in html and "排查隐患数" in html and "整改率" in html
    figure = json.loads(re.search(r'<script type="application/json" id="anjian-chart-data">(.*?)</script>', html, re.S).group(1))
    assert figure["layout"]["barmode"] == "stack" and {t["type"] for t in figure["data"]} == {"bar"}
    assert all(link.startswith("/e/hidden_danger/?") for trace in figure["data"] for link in trace["customdata"])
    assert "/reports/_plotly.min.js" in html
    # Nothing loaded from elsewhere (a random token in the page may well contain the letters "cdn").
    assert not re.search(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="(?:https?:)?//', html)
    assert 'href="/reports/hidden_danger_by_region?' in html and "region_level=township" in html  # drill
    assert 'class="anjian-records" href="/e/hidden_danger/?' in html  # records behind a number
    assert "/reports/hidden_danger_by_region/export?format=xlsx" in html.replace("&amp;", "&")
    drilled = client.get(PAGE + "?region=350524&region_level=township&period_from=2026-01-01").get_data(as_text=True)
    assert "凤城镇" in drilled and "思明区" not in drilled


def test_bad_parameters_on_the_screen_are_shown_not_failed(client, dangers):
    html = sign_in(client).get(PAGE + "?level=major'--&sort=1;drop").get_data(as_text=True)
    assert "参数有误" in html and "level" in html and "sort" in html


def test_export_and_print_views(client, dangers):
    sign_in(client)
    xlsx = client.get(PAGE + "/export?format=xlsx&period_from=2026-01-01")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert "attachment" in xlsx.headers["Content-Disposition"]
    printed = client.get(PAGE + "?print=1&period_from=2026-01-01").get_data(as_text=True)
    assert "统计范围" in printed and "发现日期" in printed and "navbar" not in printed
    assert "anjian-records" not in printed  # no links on paper


def test_plotly_is_served_offline_and_cached(client, published):
    sign_in(client)
    response = client.get("/reports/_plotly.min.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.cache_control.max_age >= 86400
    assert b"plotly" in response.data[:2000].lower()
    response.close()


def test_user_statistics_are_drawn_offline_for_administrators(app, client, published):
    assert sign_in(app.test_client(), "officer").get("/reports/_users").status_code == 403
    html = sign_in(client).get("/reports/_users").get_data(as_text=True)
    figure = json.loads(re.search(r'id="anjian-chart-data">(.*?)</script>', html, re.S).group(1))
    assert [t["name"] for t in figure["data"]] == ["登录次数", "登录失败次数"]
    assert "admin" in figure["data"][0]["x"] and "google" not in html and "/reports/_plotly.min.js" in html
    assert 'href="/reports/_users"' in html  # under 系统管理
