"""越级上报 and the unit's direct report: a 较大 or worse accident's unit also reports to the province
within an hour (21号令, setting ``accident.unit_direct_province``); an enterprise may report straight
to a higher agency and a county or city may skip the next level (493号令 Art. 10), with its reason,
the skipped level told, visibility widened (never narrowed) and each clock met, started or left."""

import pytest
from sqlalchemy import select
from test_accident_clocks import ADMIN, CITY, ENT, OFFICER, PROVINCE, clocks, local, notices, report, stored_as, supplement

from anjian import Actor
from anjian.data.system import audit_log
from anjian.errors import NotFound, PermissionDenied, RecordValidationError
from anjian.workflow.tables import history

WHY = "较大事故，按21号令同时直报省级"


def take(levels, actor, accident, name, comment="", data=None):
    payload = {"data": data or {}, "comment": comment}
    return levels["platform"].workflow.take(actor, "accident_report", accident["id"], name, payload)


def test_a_larger_accident_gives_the_unit_an_hour_to_report_to_the_province(levels):
    levels["clock"].set_local("2025-09-29 09:40")
    accident = report(levels, "2025-09-29T09:30:00+08:00", deaths=3)  # 较大
    row = clocks(levels, accident["id"])["unit_direct_province"]
    assert row.status == "open" and local(row.due_at) == "2025-09-29 10:30:00"
    assert stored_as(levels, PROVINCE, accident["id"]) is None
    with pytest.raises(RecordValidationError, match="意见"):
        take(levels, ENT, accident, "report_province_direct")  # the reason is recorded
    assert take(levels, ENT, accident, "report_province_direct", WHY)["state"] == "draft"  # the county still receives it
    assert clocks(levels, accident["id"])["unit_direct_province"].status == "met"
    seen = stored_as(levels, PROVINCE, accident["id"])
    assert seen is not None and seen["reach"] == "province" and seen["unit_province_at"].startswith("2025-09-29T09:40")
    assert len(notices(levels, "province", "notify")) == 1 and len(notices(levels, "city", "notify")) == 1
    assert notices(levels, "officer", "notify") == []  # the county hears of it through the 快报 itself


def test_the_county_receipt_keeps_the_reach_and_tells_its_own_government(levels):
    platform = levels["platform"]
    for name, level, region, user in (
        ("安溪县人民政府", "county", "350524", "gov_county"),
        ("福建省人民政府", "province", "350000", "gov_prov"),
    ):
        platform.records.create("agency", {"name": name, "level": level, "kind": "member_unit", "region_code": region}, ADMIN)
        platform.access.store.save_account(ADMIN, user, "agency", region, org_name=name)
    accident = report(levels, "2025-09-29T09:30:00+08:00", deaths=3)
    take(levels, ENT, accident, "report_province_direct", WHY)
    take(levels, ENT, accident, "submit")
    take(levels, OFFICER, accident, "receive", data={"receiver": "值班员王"})
    assert stored_as(levels, PROVINCE, accident["id"])["reach"] == "province"  # receipt at the county does not narrow it
    assert len(notices(levels, "gov_county", "notify")) == 1 and notices(levels, "gov_prov", "notify") == []
    take(levels, OFFICER, accident, "forward_city")
    assert stored_as(levels, PROVINCE, accident["id"])["reach"] == "province"
    assert clocks(levels, accident["id"])["forward_from_county"].status == "met"


def test_a_general_accident_has_no_such_hour_and_a_unit_that_reported_ahead_is_not_asked_again(levels):
    levels["clock"].set_local("2025-09-29 10:00")
    general = report(levels, "2025-09-29T09:30:00+08:00")
    assert "unit_direct_province" not in clocks(levels, general["id"])
    take(levels, ENT, general, "report_province_direct", "事故单位认为险情可能扩大，越级直报")  # 越级: allowed with a reason
    take(levels, ENT, general, "submit")
    take(levels, OFFICER, general, "receive", data={"receiver": "值班员王"})
    levels["clock"].set_local("2025-09-29 18:00")
    supplement(levels, general, "2025-09-29T17:50:00+08:00", 3)  # now 较大: the unit reported to the province already
    assert "unit_direct_province" not in clocks(levels, general["id"])


def test_a_supplement_that_makes_it_larger_asks_the_unit_at_once(levels):
    platform, clock = levels["platform"], levels["clock"]
    clock.set_local("2025-09-29 10:00")
    accident = report(levels, "2025-09-29T09:30:00+08:00")
    take(levels, ENT, accident, "submit")
    take(levels, OFFICER, accident, "receive", data={"receiver": "值班员王"})
    clock.set_local("2025-09-29 23:50")
    supplement(levels, accident, "2025-09-29T23:45:00+08:00", 3)
    row = clocks(levels, accident["id"])["unit_direct_province"]
    assert row.status == "open" and local(row.due_at) == "2025-09-29 10:30:00"  # an hour from the accident: late already
    platform.timers.scan()
    assert any("单位1小时内直报省级" in t for t in notices(levels, "province", "overdue"))
    assert any("单位1小时内直报省级" in t for t in notices(levels, "ent", "overdue"))
    clock.set_local("2025-09-30 00:10")  # across midnight: reported late, the clock met late
    take(levels, ENT, accident, "report_province_direct", "补报后达到较大事故，直报省级")
    row = clocks(levels, accident["id"])["unit_direct_province"]
    assert row.status == "met" and row.ended_at > row.due_at


def test_the_county_may_skip_the_city_with_a_reason_and_the_city_is_told(levels):
    levels["clock"].set_local("2025-09-29 10:00")
    accident = report(levels, "2025-09-29T09:30:00+08:00", deaths=10)  # 重大: up to the ministry
    take(levels, ENT, accident, "submit")
    take(levels, OFFICER, accident, "receive", data={"receiver": "值班员王"})
    with pytest.raises(NotFound):
        take(levels, CITY, accident, "skip_to_province", "越级")  # the city does not see it before it is reported there
    with pytest.raises(RecordValidationError, match="意见"):
        take(levels, OFFICER, accident, "skip_to_province")
    levels["clock"].set_local("2025-09-29 10:30")
    reason = "市局值班电话无法接通，险情持续扩大，越级报省厅"
    assert take(levels, OFFICER, accident, "skip_to_province", reason)["state"] == "province"
    rows = clocks(levels, accident["id"])
    assert rows["forward_from_county"].status == "met" and "forward_from_city" not in rows
    assert rows["forward_from_province"].status == "open" and local(rows["forward_from_province"].due_at) == "2025-09-29 12:30:00"
    assert rows["follow_up_major"].status == "open"
    assert [t for t in notices(levels, "city", "notify") if "越级报省级" in t]  # the skipped level
    assert stored_as(levels, CITY, accident["id"]) is not None and stored_as(levels, PROVINCE, accident["id"]) is not None
    with levels["platform"].engine.connect() as conn:
        step = conn.execute(
            select(history).where(history.c.record_id == accident["id"], history.c.transition == "skip_to_province")
        ).one()
        told = conn.execute(
            select(audit_log.c.detail).where(audit_log.c.action == "notify", audit_log.c.record_id == str(accident["id"]))
        ).all()
    assert step.comment == reason and (step.from_state, step.to_state) == ("county", "province")
    assert any("city" in detail["notified"] for (detail,) in told)
    assert take(levels, PROVINCE, accident, "forward_national")["state"] == "national"


def test_the_city_may_skip_the_province(levels):
    accident = report(levels, "2025-09-29T09:30:00+08:00", deaths=30)  # 特别重大
    take(levels, ENT, accident, "submit")
    take(levels, OFFICER, accident, "receive", data={"receiver": "值班员王"})
    take(levels, OFFICER, accident, "forward_city")
    with pytest.raises(PermissionDenied, match="设区的市级"):
        take(levels, OFFICER, accident, "skip_past_province", "越级")  # at the city now: the city's step
    assert take(levels, CITY, accident, "skip_past_province", "特别重大事故，越级报应急管理部")["state"] == "national"
    rows = clocks(levels, accident["id"])
    assert rows["forward_from_city"].status == "met" and "forward_from_province" not in rows
    assert [t for t in notices(levels, "province", "notify") if "越级报应急管理部" in t]


def test_the_record_page_shows_the_skip_its_reason_and_every_history_entry_in_chinese(levels):
    accident = report(levels, "2025-09-29T09:30:00+08:00", deaths=3)
    take(levels, ENT, accident, "report_province_direct", WHY)
    take(levels, ENT, accident, "submit")
    take(levels, OFFICER, accident, "receive", data={"receiver": "值班员王"})
    reason = "市局值班电话无法接通，越级报省厅"
    take(levels, OFFICER, accident, "skip_to_province", reason)
    assert levels["platform"].workflow.urge(Actor("head"), "accident_report", accident["id"], "请尽快核报") >= 0
    client = levels["app"].test_client()
    assert client.post("/login/", data={"username": "officer", "password": "Report-pass-1"}).status_code == 302
    page = client.get(f"/e/accident_report/{accident['id']}").get_data(as_text=True)
    history = page.split("操作记录")[-1]
    assert "anjian-history anjian-list" in page and 'data-label="操作人"' in history  # cards on a phone, like the lists
    for text in ("单位直报省级", "越级报省级", reason, WHY, "催办", "请尽快核报"):
        assert text in page
    for raw in ("urge", "notify", "transition", "extension_request", "migrate"):
        assert f">{raw}<" not in history
    direct_row = page.split("anjian-steps")[-1].split('data-step="report_province_direct"')[1].split("</tr>")[0]
    assert "→" not in direct_row and "快报填报中" in direct_row  # a step that stays names its state once
