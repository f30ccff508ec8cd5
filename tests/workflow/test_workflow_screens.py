"""The workflow through the screens (Flask test client): inbox counts, step forms, errors kept, history shown."""

import re

PASSWORD = "Flow-pass-1"
TOWN = "350524100000"


def login(county, user):
    client = county["app"].test_client()
    assert client.post("/login/", data={"username": user, "password": PASSWORD}).status_code == 302
    return client


def test_enterprise_reports_and_county_officer_acts_from_the_inbox(county):
    ent, officer = login(county, "ent"), login(county, "officer")
    created = ent.post(
        "/e/hidden_danger/new",
        data={
            "enterprise_id": str(county["firms"][0]),
            "region_code": TOWN,
            "title": "仓库堆放过高",
            "level": "major",
            "found_on": "2025-09-28",
            "description": "成品仓库堆垛超高且无通道。",
            "measures": "降低堆垛",
            "responsible_person": "仓管员",
            "current_state": "堆垛高约6米",
            "cause": "仓储规划不足",
            "severity": "可能倒塌伤人",
            "difficulty": "需腾挪库存",
            "rectify_deadline": "2025-12-01",
        },
    )
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    record = int(created.headers["Location"].rstrip("/").split("/")[-1])
    page = ent.get(f"/e/hidden_danger/{record}").get_data(as_text=True)
    assert 'data-state="reported"' in page and 'data-transition="report_major"' in page
    assert 'data-transition="start_rectify"' not in page  # a general-danger step: its condition is not met
    assert "我的待办 (1)" in page  # the menu counts the enterprise's to-do

    form = ent.get(f"/e/hidden_danger/{record}/transitions/report_major")
    assert form.status_code == 200 and "上报县局" in form.get_data(as_text=True)
    done = ent.post(f"/e/hidden_danger/{record}/transitions/report_major", data={"comment": "请审核"})
    assert done.status_code == 302

    inbox = officer.get("/e/_inbox/?box=todo").get_data(as_text=True)
    assert f'data-id="{record}"' in inbox and "县局审核中" in inbox
    assert "消息 (1)" in inbox  # the notice of the new to-do
    # A step whose required field is missing comes back with the error next to it and the comment kept.
    step = officer.post(
        f"/e/hidden_danger/{record}/transitions/downgrade", data={"rectify_deadline": "", "comment": "不构成重大隐患"}
    )
    assert step.status_code == 422
    text = step.get_data(as_text=True)
    assert "不构成重大隐患" in text and "需要填写「整改期限」" in text
    step = officer.post(
        f"/e/hidden_danger/{record}/transitions/confirm_major", data={"rectify_deadline": "2025-12-15", "comment": "认定"}
    )
    assert step.status_code == 302
    page = officer.get(f"/e/hidden_danger/{record}").get_data(as_text=True)
    assert re.search(r'data-step="confirm_major".*?officer', page, re.S)
    assert "2025-12-15" in page
    # The enterprise now has the plan to write; the officer's to-do is done.
    assert f'data-id="{record}"' in officer.get("/e/_inbox/?box=done").get_data(as_text=True)
    assert f'data-id="{record}"' not in officer.get("/e/_inbox/?box=todo").get_data(as_text=True)
    assert f'data-id="{record}"' in ent.get("/e/_inbox/?box=started").get_data(as_text=True)
    notices = ent.get("/e/_notices/").get_data(as_text=True)
    assert "待办" in notices
    # A step the user may not take is refused on the screen too.
    assert officer.get(f"/e/hidden_danger/{record}/transitions/submit_plan").status_code == 403
