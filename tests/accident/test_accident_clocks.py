"""事故报送 over time: each level forwards only at its own level, 续报 reminders recur until the
accident is closed, the timer counts the missing as dead after 30 days (7 for road traffic and
fire), a 补报 that raises the grade at the city starts the city's clock (across midnight and a
holiday), and receipt and forwarding tell the government and departments of the level (Art. 11)."""

import datetime as dt

import pytest
from sqlalchemy import select
from test_accident_report import CITY, ENT, OFFICER, PROVINCE, TOWN, report, take

from anjian import Actor
from anjian.data.system import audit_log
from anjian.errors import NotFound, PermissionDenied
from anjian.workflow.tables import deadline

ADMIN = Actor("admin", is_admin=True)


def received(levels, occurred, **figures):
    """A 快报 filed, submitted and received by the county."""
    accident = report(levels, occurred, **figures)
    take(levels, ENT, accident, "submit")
    take(levels, OFFICER, accident, "receive", {"receiver": "值班员王"})
    return accident


def clocks(levels, record_id):
    """The latest row of each clock of the accident."""
    with levels["platform"].engine.connect() as conn:
        rows = conn.execute(
            select(deadline)
            .where(deadline.c.entity == "accident_report", deadline.c.record_id == record_id)
            .order_by(deadline.c.id)
        )
        return {r.rule: r for r in rows}


def notices(levels, user, kind):
    with levels["platform"].engine.connect() as conn:
        return [n["title"] for n in levels["platform"].workflow.notices.listing(conn, user) if n["kind"] == kind]


def stored_as(levels, actor, record_id):
    platform = levels["platform"]
    with platform.engine.connect() as conn:
        try:
            return platform.records.read_scoped(conn, platform.registry.entity("accident_report"), record_id, actor)
        except NotFound:
            return None


def stored_report(levels, record_id):
    platform = levels["platform"]
    with platform.engine.connect() as conn:
        return platform.records.read_scoped(conn, platform.registry.entity("accident_report"), record_id, OFFICER)


def local(moment):
    return (moment + dt.timedelta(hours=8)).isoformat(sep=" ")


def supplement(levels, accident, reported_at, deaths, actor=ENT):
    row = {
        "kind": "supplement",
        "reported_at": reported_at,
        "deaths": deaths,
        "missing": 0,
        "serious_injuries": 1,
        "direct_loss": 80,
        "account": "重伤人员经抢救无效死亡",
        "reason": "重伤人员死亡",
    }
    return levels["platform"].records.update("accident_report", accident["id"], {"updates": [row]}, actor, partial=True)


def test_each_level_forwards_only_at_its_own_level(levels):
    accident = received(levels, "2025-09-29T09:30:00+08:00", deaths=10)  # 重大: up to the ministry
    take(levels, OFFICER, accident, "forward_city")
    # The county officer's grant covers the record, but 报省级 is the city's step.
    with pytest.raises(PermissionDenied, match="设区的市级"):
        take(levels, OFFICER, accident, "forward_province")
    take(levels, CITY, accident, "forward_province")
    for actor in (OFFICER, CITY):  # the city sees the record now, and its grant covers it: still not its step
        with pytest.raises(PermissionDenied, match="省级"):
            take(levels, actor, accident, "forward_national")
    assert take(levels, PROVINCE, accident, "forward_national")["state"] == "national"


def test_the_inbox_offers_a_forwarding_step_only_to_its_level(levels):
    accident = received(levels, "2025-09-29T09:30:00+08:00", deaths=3)
    take(levels, OFFICER, accident, "forward_city")
    workflow = levels["platform"].workflow
    spec = levels["platform"].registry.entity("accident_report")
    process = workflow.process_for("accident_report")
    forward = [process.by_transition["forward_province"]]
    with levels["platform"].engine.connect() as conn:
        assert workflow.who.acting(conn, OFFICER, spec, accident["id"], forward) == set()
        assert workflow.who.acting(conn, CITY, spec, accident["id"], forward) == {"forward_province"}


def test_follow_up_reminders_recur_and_switch_to_twice_daily_when_the_grade_rises(levels):
    platform, clock = levels["platform"], levels["clock"]
    clock.set_local("2025-09-29 10:00")
    accident = received(levels, "2025-09-29T09:30:00+08:00")
    row = clocks(levels, accident["id"])["follow_up"]
    assert local(row.due_at) == "2025-09-30 10:00:00" and "follow_up_major" not in clocks(levels, accident["id"])
    clock.set_local("2025-09-30 10:00")
    assert platform.timers.scan() >= 1
    row = clocks(levels, accident["id"])["follow_up"]
    assert row.status == "open" and local(row.due_at) == "2025-10-01 10:00:00"  # the next day's round
    clock.set_local("2025-10-01 10:00")  # National Day: the reminder comes on a holiday too
    platform.timers.scan()
    reminders = [t for t in notices(levels, "officer", "reminder") if "续报" in t]
    assert len(reminders) == 2
    # A 续报 with ten deaths makes it 重大: reminders twice a day from now on.
    clock.set_local("2025-10-01 11:00")
    supplement(levels, accident, "2025-10-01T10:50:00+08:00", 10)
    rows = clocks(levels, accident["id"])
    assert rows["follow_up"].status == "cancelled"
    assert rows["follow_up_major"].status == "open" and local(rows["follow_up_major"].due_at) == "2025-10-01 23:00:00"
    clock.set_local("2025-10-01 23:00")
    platform.timers.scan()
    assert local(clocks(levels, accident["id"])["follow_up_major"].due_at) == "2025-10-02 11:00:00"  # past midnight
    clock.set_local("2025-10-02 11:00")
    platform.timers.scan()
    assert len([t for t in notices(levels, "officer", "reminder") if "续报" in t]) == 4
    # 核报结案 ends the reminders.
    take(levels, OFFICER, accident, "forward_city")
    platform.workflow.take(OFFICER, "accident_report", accident["id"], "close", {"comment": "核报：死亡10人"})
    assert clocks(levels, accident["id"])["follow_up_major"].status == "met"
    clock.set_local("2025-10-03 11:00")
    platform.timers.scan()
    assert len([t for t in notices(levels, "officer", "reminder") if "续报" in t]) == 4


def test_the_timer_counts_the_missing_as_dead_after_30_days_and_flags_the_grade(levels):
    platform, clock = levels["platform"], levels["clock"]
    accident = received(levels, "2025-09-29T09:30:00+08:00", deaths=1, missing=2)
    take(levels, OFFICER, accident, "forward_city")
    assert "forward_from_city" not in clocks(levels, accident["id"])  # 一般: the city is the last level
    clock.set_local("2025-10-29 09:29")
    platform.timers.scan()
    assert stored_report(levels, accident["id"])["grade"] == "general"
    clock.set_local("2025-10-29 09:30")  # 30 days have passed, but nobody saved the record yet
    assert stored_report(levels, accident["id"])["grade"] == "general"
    clock.set_local("2025-10-29 23:59:59")  # the window's last day ends: the timer recomputes it
    platform.timers.scan()
    stored = stored_report(levels, accident["id"])
    assert (stored["current_deaths"], stored["grade"], stored["grade_changed"]) == (3, "larger", True)
    with platform.engine.connect() as conn:
        entry = conn.execute(
            select(audit_log).where(audit_log.c.action == "recompute", audit_log.c.record_id == str(accident["id"]))
        ).one()
    assert entry.actor == "system:timer" and entry.detail["changes"]["grade"] == ["general", "larger"]
    # 较大 goes to the province: the city's clock starts now.
    row = clocks(levels, accident["id"])["forward_from_city"]
    assert row.status == "open" and local(row.due_at) == "2025-10-30 01:59:59"  # past midnight


def test_road_traffic_and_fire_count_the_missing_after_7_days_on_a_holiday(levels):
    platform, clock = levels["platform"], levels["clock"]
    clock.set_local("2025-09-24 12:00")
    accident = received(levels, "2025-09-24T11:00:00+08:00", deaths=2, missing=1, traffic_or_fire=True)
    clock.set_local("2025-10-01 23:59")  # 7 days later, National Day: not yet at the end of the day
    platform.timers.scan()
    assert stored_report(levels, accident["id"])["grade"] == "general"
    clock.set_local("2025-10-01 23:59:59")
    platform.timers.scan()
    assert stored_report(levels, accident["id"])["grade"] == "larger"


def test_a_supplement_at_the_city_starts_its_clock_across_midnight_and_a_holiday(levels):
    platform, clock = levels["platform"], levels["clock"]
    clock.set_local("2025-09-30 21:30")
    accident = received(levels, "2025-09-30T21:00:00+08:00")
    clock.set_local("2025-09-30 22:00")
    take(levels, OFFICER, accident, "forward_city")
    clock.set_local("2025-09-30 23:40")
    raised = supplement(levels, accident, "2025-09-30T23:30:00+08:00", 3)
    assert (raised["grade"], raised["grade_changed"]) == ("larger", True)
    row = clocks(levels, accident["id"])["forward_from_city"]
    assert row.status == "open" and local(row.due_at) == "2025-10-01 01:40:00"  # two hours from the 补报
    clock.set_local("2025-10-01 01:41")
    platform.timers.scan()
    assert any("市级接报后2小时内报省级" in t for t in notices(levels, "city", "overdue"))
    assert stored_as(levels, PROVINCE, accident["id"]) is None  # the province sees it once the city forwards it
    take(levels, CITY, accident, "forward_province")
    assert stored_as(levels, PROVINCE, accident["id"])["reach"] == "province"
    row = clocks(levels, accident["id"])["forward_from_city"]
    assert row.status == "met" and row.ended_at > row.due_at  # met late


def test_receipt_and_forwarding_tell_the_government_and_departments_of_the_level(levels):
    platform = levels["platform"]
    agencies = {
        "安溪县人民政府": ("county", "350524", "gov_county"),
        "安溪县公安局": ("county", "350524", "police_county"),
        "安溪县应急管理局": ("county", "350524", "ems_county"),
        "凤城镇人民政府": ("township", TOWN, "gov_town"),
        "泉州市人民政府": ("city", "350500", "gov_city"),
        "泉州市总工会": ("city", "350500", None),
    }
    for name, (level, region, user) in agencies.items():
        platform.records.create("agency", {"name": name, "level": level, "kind": "member_unit", "region_code": region}, ADMIN)
        if user:
            platform.access.store.save_account(ADMIN, user, "agency", region, org_name=name)
    accident = received(levels, "2025-09-29T09:30:00+08:00")
    told = {
        user for user in ("gov_county", "police_county", "ems_county", "gov_town", "gov_city") if notices(levels, user, "notify")
    }
    assert told == {"gov_county", "police_county"}
    take(levels, OFFICER, accident, "forward_city")
    assert notices(levels, "gov_city", "notify") == [f"【通报】事故报送：#{accident['id']} {accident['title']}（报设区的市）"]
    with platform.engine.connect() as conn:
        entries = conn.execute(
            select(audit_log)
            .where(audit_log.c.action == "notify", audit_log.c.record_id == str(accident["id"]))
            .order_by(audit_log.c.id)
        ).all()
    assert [e.detail["agencies"] for e in entries] == [["安溪县人民政府", "安溪县公安局"], ["泉州市人民政府", "泉州市总工会"]]
    assert [e.actor for e in entries] == ["officer", "officer"]


def test_the_record_page_offers_each_level_its_step_and_shows_the_notices(levels):
    platform = levels["platform"]
    platform.records.create(
        "agency", {"name": "安溪县人民政府", "level": "county", "kind": "member_unit", "region_code": "350524"}, ADMIN
    )
    accident = received(levels, "2025-09-29T09:30:00+08:00", deaths=3)
    take(levels, OFFICER, accident, "forward_city")

    def page(user):
        client = levels["app"].test_client()
        assert client.post("/login/", data={"username": user, "password": "Report-pass-1"}).status_code == 302
        return client.get(f"/e/accident_report/{accident['id']}").get_data(as_text=True)

    county, city = page("officer"), page("city")
    assert 'data-transition="forward_province"' not in county and 'data-transition="forward_province"' in city
    assert "通报" in county and "安溪县人民政府" in county and "notify" not in county.split("操作记录")[-1]


def test_a_final_report_stops_the_follow_up_reminders(levels):
    platform, clock = levels["platform"], levels["clock"]
    clock.set_local("2025-09-29 10:00")
    accident = received(levels, "2025-09-29T09:30:00+08:00")
    clock.set_local("2025-09-30 10:00")
    platform.timers.scan()
    final = {
        "kind": "final",
        "reported_at": "2025-09-30T15:00:00+08:00",
        "deaths": 0,
        "missing": 0,
        "serious_injuries": 1,
        "direct_loss": 25,
        "account": "核报：重伤1人，直接经济损失25万元",
    }
    clock.set_local("2025-09-30 15:10")
    stored = platform.records.update("accident_report", accident["id"], {"updates": [final]}, ENT, partial=True)
    assert stored["final_reported"] is True
    assert clocks(levels, accident["id"])["follow_up"].status == "cancelled"
    clock.set_local("2025-10-02 10:00")
    platform.timers.scan()
    assert len([t for t in notices(levels, "officer", "reminder") if "续报" in t]) == 1
