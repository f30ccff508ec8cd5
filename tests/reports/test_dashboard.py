"""The dashboard on the office home: KPI cards in the viewer's scope linking to their records, widgets."""

from __future__ import annotations

import re

from report_world import TOWN_A, grant

from anjian.testing.plugin import ADMIN_PASSWORD


def home(client, username):
    client.post("/login/", data={"username": username, "password": ADMIN_PASSWORD})
    return client.get("/e/").get_data(as_text=True)


def card(html, name):
    match = re.search(rf'id="anjian-kpi-{name}" href="([^"]+)">\s*<span class="anjian-kpi-value">([^<]*)</span>', html)
    assert match, f"no card {name}"
    return match.group(1).replace("&amp;", "&"), match.group(2)


def test_the_administrators_home_shows_the_dashboard(client, dangers):
    html = home(client, "admin")
    assert 'id="anjian-dashboard"' in html and "监管工作台" in html
    link, value = card(html, "open_major")
    assert value == "2"  # 凤城镇 and 思明区, neither closed
    assert link.startswith("/e/hidden_danger/?") and "level=major" in link and "_state=" in link and "closed" not in link
    listed = client.get(link).get_data(as_text=True)
    assert listed.count('class="anjian-state-cell"') == 2
    assert 'class="anjian-chart-data"' in html and "/reports/_plotly.min.js" in html


def test_an_officer_sees_only_their_scope_and_their_cards(client, published, dangers):
    assert 'id="anjian-dashboard"' not in home(client, "officer")  # no role: no dashboard
    grant(published, "officer", "hazard_officer", TOWN_A)
    html = client.get("/e/").get_data(as_text=True)
    assert card(html, "open_major")[1] == "1"  # only 凤城镇's
    assert 'id="anjian-kpi-complaints_month"' not in html  # complaints are not theirs to count
