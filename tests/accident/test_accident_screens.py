"""The generated screens of the accident flows: lists with the step (环节) column and filter, the
forms in Chinese, and the city's list limited to what reached it."""

import re

from anjian import Actor

PASSWORD = "Report-pass-1"
TOWN = "350524100000"


def login(levels, user):
    client = levels["app"].test_client()
    assert client.post("/login/", data={"username": user, "password": PASSWORD}).status_code == 302
    return client


def test_every_accident_list_has_the_step_column_and_filter(levels):
    head = login(levels, "head")
    for entity in ("accident_report", "accident_investigation", "accident_supervision"):
        page = head.get(f"/e/{entity}/").get_data(as_text=True)
        assert "<th>环节</th>" in page and 'name="_state"' in page, entity
    keeper = login(levels, "ent")
    form = keeper.get("/e/major_hazard_source/new").get_data(as_text=True)
    assert "厂区边界外500米范围内常住人口" in form and "实际存在量 q（吨）" in form and not re.search(r'<input[^>]*name="s_value"', form)


def test_the_city_list_and_detail_follow_the_reach(levels):
    platform = levels["platform"]
    body = {
        "enterprise_id": levels["firm"],
        "region_code": TOWN,
        "occurred_at": "2025-09-29T09:30:00+08:00",
        "account": "叉车倒车撞伤工人",
        "deaths": 0,
        "missing": 0,
        "serious_injuries": 1,
        "direct_loss": 5,
    }
    accident = platform.records.create("accident_report", body, Actor("ent"))
    city = login(levels, "city")
    assert city.get(f"/e/accident_report/{accident['id']}").status_code == 404
    assert not re.findall(r'<tr data-id="(\d+)">', city.get("/e/accident_report/").get_data(as_text=True))
    for step in ("submit", "receive", "forward_city"):
        actor = Actor("ent") if step == "submit" else Actor("officer")
        platform.workflow.take(
            actor, "accident_report", accident["id"], step, {"data": {"receiver": "值班员"} if step == "receive" else {}}
        )
    page = city.get(f"/e/accident_report/{accident['id']}").get_data(as_text=True)
    assert "一般事故" in page and "设区的市级" in page
    assert re.findall(r'<tr data-id="(\d+)">', city.get("/e/accident_report/").get_data(as_text=True)) == [str(accident["id"])]
