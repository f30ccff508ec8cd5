"""事故报送: the grade from the figures, follow-ups kept as filed, the 1-hour and 2-hour clocks in
calendar hours, forwarding that widens who sees the accident, and bad input as field errors."""

import datetime as dt

import pytest
from sqlalchemy import select

from anjian import Actor, NotFound, RecordValidationError
from anjian.workflow.tables import deadline

ENT, OFFICER, CITY, PROVINCE = Actor("ent"), Actor("officer"), Actor("city"), Actor("province")
TOWN = "350524100000"


def report(levels, occurred="2025-09-29T09:30:00+08:00", actor=ENT, **figures):
    body = {
        "enterprise_id": levels["firm"],
        "region_code": TOWN,
        "occurred_at": occurred,
        "category": "03",
        "account": "车间冲压机伤人，已送医救治",
        "deaths": 0,
        "missing": 0,
        "serious_injuries": 1,
        "direct_loss": 20,
        "reporter": "陈安全",
        **figures,
    }
    return levels["platform"].records.create("accident_report", body, actor)


def take(levels, actor, record, name, data=None):
    return levels["platform"].workflow.take(actor, "accident_report", record["id"], name, {"data": data or {}})


def sees(levels, actor, record_id):
    platform = levels["platform"]
    spec = platform.registry.entity("accident_report")
    with platform.engine.connect() as conn:
        try:
            return platform.records.read_scoped(conn, spec, record_id, actor)
        except NotFound:
            return None


def deadlines(levels, record_id):
    with levels["platform"].engine.connect() as conn:
        rows = conn.execute(select(deadline).where(deadline.c.record_id == record_id, deadline.c.entity == "accident_report"))
        return {r.rule: r for r in rows}


def local(moment):
    return (moment + dt.timedelta(hours=8)).isoformat(sep=" ")


def errors_of(excinfo):
    return {e.pointer: e for e in excinfo.value.errors}


def test_the_first_report_is_graded_and_titled(levels):
    accident = report(levels, deaths=3)
    assert accident["grade"] == "larger" and accident["required_reach"] == "province"
    assert accident["title"] == "安溪事故测试有限公司 2025-09-29 机械伤害事故"
    assert accident["reach"] == "county" and accident["grade_changed"] is False


def test_the_unit_clock_runs_across_midnight_in_calendar_hours(levels):
    levels["clock"].set_local("2025-09-29 23:50")
    accident = report(levels, occurred="2025-09-29T23:30:00+08:00")
    assert local(deadlines(levels, accident["id"])["county_receipt"].due_at) == "2025-09-30 00:30:00"
    take(levels, ENT, accident, "submit")
    levels["clock"].set_local("2025-09-30 00:20")
    received = take(levels, OFFICER, accident, "receive", {"receiver": "值班员王"})
    assert received["state"] == "county"
    stored = sees(levels, OFFICER, accident["id"])
    assert stored["report_delay_minutes"] == 50 and stored["late_report"] is False
    rows = deadlines(levels, accident["id"])
    assert rows["county_receipt"].status == "met"
    # The county forwards within 2 hours of its own receipt, past midnight too.
    assert local(rows["forward_from_county"].due_at) == "2025-09-30 02:20:00"


def test_a_holiday_does_not_stop_the_clock_and_a_late_receipt_is_recorded(levels):
    levels["clock"].set_local("2025-10-01 10:00")  # National Day: hours run as on any day
    accident = report(levels, occurred="2025-10-01T09:40:00+08:00")
    assert local(deadlines(levels, accident["id"])["county_receipt"].due_at) == "2025-10-01 10:40:00"
    take(levels, ENT, accident, "submit")
    levels["clock"].set_local("2025-10-01 11:10")
    take(levels, OFFICER, accident, "receive", {"receiver": "值班员王"})
    stored = sees(levels, OFFICER, accident["id"])
    assert stored["late_report"] is True and stored["report_delay_minutes"] == 90
    assert deadlines(levels, accident["id"])["county_receipt"].status == "met"
    assert local(deadlines(levels, accident["id"])["forward_from_county"].due_at) == "2025-10-01 13:10:00"
    # 迟报 is also recorded as a finding with its note.
    platform = levels["platform"]
    platform.records.update(
        "accident_report",
        accident["id"],
        {"misconduct": "late", "misconduct_note": "单位负责人1.5小时后才报告"},
        OFFICER,
        partial=True,
    )
    assert sees(levels, OFFICER, accident["id"])["misconduct"] == "late"


def test_forwarding_widens_visibility_up_to_the_grade_and_a_supplement_widens_it_further(levels):
    platform = levels["platform"]
    accident = report(levels)
    take(levels, ENT, accident, "submit")
    take(levels, OFFICER, accident, "receive", {"receiver": "值班员王"})
    # Received by the county: the city and the province do not see it yet.
    assert sees(levels, CITY, accident["id"]) is None and sees(levels, PROVINCE, accident["id"]) is None
    take(levels, OFFICER, accident, "forward_city")
    assert sees(levels, CITY, accident["id"])["reach"] == "city"
    assert sees(levels, PROVINCE, accident["id"]) is None
    # 一般事故 goes no further than the city: no clock for the city, and the step is refused.
    assert "forward_from_city" not in deadlines(levels, accident["id"])
    with pytest.raises(Exception, match="required_reach"):
        take(levels, CITY, accident, "forward_province")
    # A 补报 on day 3: three deaths make it 较大; the change is flagged and the city forwards it.
    levels["clock"].set_local("2025-10-02 09:00")
    updated = platform.records.update(
        "accident_report",
        accident["id"],
        {
            "updates": [
                {
                    "kind": "supplement",
                    "reported_at": "2025-10-02T08:30:00+08:00",
                    "deaths": 3,
                    "missing": 0,
                    "serious_injuries": 1,
                    "direct_loss": 80,
                    "account": "3名重伤人员经抢救无效死亡",
                    "reason": "重伤人员死亡",
                }
            ]
        },
        ENT,
        partial=True,
    )
    assert (updated["grade"], updated["first_grade"], updated["grade_changed"]) == ("larger", "general", True)
    assert updated["current_deaths"] == 3 and updated["required_reach"] == "province"
    take(levels, CITY, accident, "forward_province")
    assert sees(levels, PROVINCE, accident["id"])["reach"] == "province"
    assert "forward_from_province" not in deadlines(levels, accident["id"])  # 较大 stops at the province


def test_the_city_list_shows_only_what_reached_it(levels):
    first, second = report(levels), report(levels, occurred="2025-09-29T08:00:00+08:00")
    for accident in (first, second):
        take(levels, ENT, accident, "submit")
        take(levels, OFFICER, accident, "receive", {"receiver": "值班员王"})
    take(levels, OFFICER, first, "forward_city")
    client = levels["app"].test_client()
    token = client.post("/api/v1/auth/token", json={"username": "city", "password": "Report-pass-1"}).get_json()["access_token"]
    listing = client.get("/api/v1/e/accident_report", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert [item["id"] for item in listing["items"]] == [first["id"]] and listing["total"] == 1


def test_a_major_accident_runs_every_level_clock(levels):
    accident = report(levels, deaths=10)
    take(levels, ENT, accident, "submit")
    take(levels, OFFICER, accident, "receive", {"receiver": "值班员王"})
    take(levels, OFFICER, accident, "forward_city")
    take(levels, CITY, accident, "forward_province")
    rows = deadlines(levels, accident["id"])
    assert rows["forward_from_city"].status == "met" and rows["forward_from_province"].status == "open"
    assert "follow_up_major" in rows and "follow_up" not in rows  # 续报 twice a day for 重大


def test_missing_persons_count_as_deaths_after_30_days(levels):
    platform, clock = levels["platform"], levels["clock"]
    accident = report(levels, deaths=1, missing=2)
    assert (accident["current_deaths"], accident["grade"]) == (1, "general")
    clock.set_local("2025-10-29 09:29")
    assert (
        platform.records.update("accident_report", accident["id"], {"measures": "继续搜救"}, ENT, partial=True)["grade"]
        == "general"
    )
    clock.set_local("2025-10-29 09:30")  # 30 days after the accident
    again = platform.records.update("accident_report", accident["id"], {"measures": "搜救结束"}, ENT, partial=True)
    assert (again["current_deaths"], again["grade"]) == (3, "larger")


def test_road_traffic_and_fire_count_missing_after_7_days(levels):
    accident = report(levels, deaths=2, missing=1, traffic_or_fire=True)
    assert "casualty_window_short" in deadlines(levels, accident["id"])
    assert "casualty_window" not in deadlines(levels, accident["id"])
    levels["clock"].set_local("2025-10-06 09:30")
    again = levels["platform"].records.update("accident_report", accident["id"], {"measures": "搜救结束"}, ENT, partial=True)
    assert again["grade"] == "larger"


def test_follow_ups_are_kept_as_filed(levels):
    platform = levels["platform"]
    accident = report(levels, serious_injuries=2)
    first = {
        "kind": "follow_up",
        "reported_at": "2025-09-29T09:55:00+08:00",
        "deaths": 0,
        "missing": 0,
        "serious_injuries": 2,
        "direct_loss": 20,
        "account": "伤员情况稳定",
    }
    updated = platform.records.update("accident_report", accident["id"], {"updates": [first]}, ENT, partial=True)
    row = updated["updates"][0]
    changed = {**row, "serious_injuries": 5}
    with pytest.raises(RecordValidationError) as excinfo:
        platform.records.update("accident_report", accident["id"], {"updates": [changed]}, ENT, partial=True)
    assert "/updates/0" in errors_of(excinfo)
    with pytest.raises(RecordValidationError) as excinfo:
        platform.records.update("accident_report", accident["id"], {"updates": []}, ENT, partial=True)
    assert "/updates" in errors_of(excinfo)
    lowered = {
        "kind": "follow_up",
        "reported_at": "2025-09-29T09:58:00+08:00",
        "deaths": 0,
        "missing": 0,
        "serious_injuries": 1,
        "direct_loss": 20,
    }
    with pytest.raises(RecordValidationError) as excinfo:
        platform.records.update("accident_report", accident["id"], {"updates": [row, lowered]}, ENT, partial=True)
    assert "重伤" in errors_of(excinfo)["/updates/1/reason"].message
    kept = platform.records.update(
        "accident_report", accident["id"], {"updates": [row, {**lowered, "reason": "1人经复查为轻伤"}]}, ENT, partial=True
    )
    assert [u["kind"] for u in kept["updates"]] == ["follow_up", "follow_up"] and kept["current_serious_injuries"] == 1


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"deaths": -1}, "/deaths"),
        ({"deaths": 1.5}, "/deaths"),
        ({"serious_injuries": "三"}, "/serious_injuries"),
        ({"occurred_at": "2025-09-29T12:00:00+08:00"}, "/occurred_at"),  # the clock reads 10:00
        ({"enterprise_id": None}, "/unit_name"),
        ({"near_miss": True}, "/near_miss_reason"),
        ({"updates": 7}, "/updates"),
        ({"received_at": "2025-09-29T09:40:00+08:00"}, "/received_at"),  # stamped by the county's receipt
        ({"reach": "national"}, "/reach"),
    ],
)
def test_bad_input_gets_field_errors(levels, change, pointer):
    with pytest.raises(RecordValidationError) as excinfo:
        report(levels, **change)
    assert pointer in errors_of(excinfo)


def test_a_loss_in_yuan_asks_for_confirmation(levels):
    with pytest.raises(RecordValidationError) as excinfo:
        report(levels, direct_loss=350000)
    error = errors_of(excinfo)["/direct_loss"]
    assert error.overridable and "元" in error.message
    accident = report(levels, direct_loss=350000, _overrides={"/direct_loss": "经核实确为35亿元"})
    assert accident["grade"] == "especially_major"


def test_an_unregistered_unit_is_named(levels):
    accident = report(levels, enterprise_id=None, unit_name="某无证小作坊", actor=OFFICER)
    assert accident["title"].startswith("某无证小作坊 2025-09-29")


def test_a_county_grant_beside_a_city_grant_still_sees_the_county_and_the_enterprise_its_own(levels):
    accident = report(levels)
    take(levels, ENT, accident, "submit")
    assert sees(levels, CITY, accident["id"]) is None
    levels["platform"].access.store.add_grant(Actor("admin", is_admin=True), "city", "accident_officer", "350524")
    assert sees(levels, CITY, accident["id"])["reach"] == "county"  # the county grant sees what the city grant does not
    assert sees(levels, ENT, accident["id"])["id"] == accident["id"]  # owners see their own at any reach
