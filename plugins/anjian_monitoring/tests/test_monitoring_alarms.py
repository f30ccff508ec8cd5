"""Alarms: one per point and kind while open, deadband, minimum duration, rate, gateway states,
offline; handling 确认 → 处置 → 闭环 as the declared process; scope of the alarm list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from anjian_monitoring.tasks import sweep
from monitoring_county import START, Gateway, iso


def _at(seconds: float) -> str:
    return iso(START + dt.timedelta(seconds=seconds))


def _alarms(county: Any, headers: dict[str, str], **args: str) -> list[dict[str, Any]]:
    response = county["client"].get("/api/v1/monitoring/alarms", query_string=args, headers=headers)
    assert response.status_code == 200, response.get_json()
    items: list[dict[str, Any]] = response.get_json()["items"]
    return items


def test_an_over_threshold_value_raises_one_alarm_the_county_sees(county: Any, gateway: Gateway, token_of: Any) -> None:
    values = [50, 65, 70, 59, 61, 66]  # 59 is inside the 2-degree deadband: the alarm has not ended
    answer = gateway.send([{"point": "A-T1", "ts": _at(i), "value": v} for i, v in enumerate(values)]).get_json()
    assert answer["accepted"] == 6 and answer["alarms_raised"] == 1
    assert gateway.send([{"point": "A-T1", "ts": _at(10), "value": 67}]).get_json()["alarms_raised"] == 0  # no storm
    seen = _alarms(county, token_of("officer"))
    assert [(a["point"], a["kind"], a["value"], a["threshold"], a["state_title"]) for a in seen] == [
        ("A-T1", "high", 65.0, 60.0, "待确认")
    ]
    assert _alarms(county, token_of("stranger")) == []  # an officer of another county
    assert _alarms(county, token_of("ent_b")) == []  # another enterprise
    assert len(_alarms(county, token_of("ent"))) == 1
    assert (
        gateway.send([{"point": "A-T1", "ts": _at(11), "value": 81}]).get_json()["alarms_raised"] == 1
    )  # 高高报 is its own kind


def test_the_enterprise_handles_it_to_closed_and_a_new_breach_raises_again(county: Any, gateway: Gateway, token_of: Any) -> None:
    gateway.send([{"point": "A-T1", "ts": _at(0), "value": 65}])
    (alarm,) = _alarms(county, token_of("ent"))
    client, ent = county["client"], token_of("ent")
    base = f"/api/v1/e/monitoring_alarm/{alarm['id']}/transitions"
    assert client.post(f"{base}/confirm", json={}, headers=ent).status_code == 200
    missing = client.post(f"{base}/handle", json={}, headers=ent)
    assert missing.status_code == 422
    handled = client.post(f"{base}/handle", json={"data": {"handling": "已开启喷淋降温，温度恢复正常"}}, headers=ent)
    assert handled.status_code == 200, handled.get_json()
    assert client.post(f"{base}/close", json={}, headers=ent).status_code == 200
    (closed,) = _alarms(county, token_of("officer"))
    assert closed["state_title"] == "已闭环" and closed["closed_at"]
    assert _alarms(county, token_of("officer"), open="1") == []
    # Still above the threshold: the state stays active, so no new alarm until the value came back.
    assert gateway.send([{"point": "A-T1", "ts": _at(20), "value": 66}]).get_json()["alarms_raised"] == 0
    gateway.send([{"point": "A-T1", "ts": _at(30), "value": 50}])
    assert gateway.send([{"point": "A-T1", "ts": _at(40), "value": 64}]).get_json()["alarms_raised"] == 1


def test_an_unconfirmed_alarm_is_escalated_to_the_county_officer(county: Any, gateway: Gateway) -> None:
    platform = county["platform"]
    gateway.send([{"point": "A-T1", "ts": _at(0), "value": 65}])
    county["clock"].advance(minutes=61)
    assert platform.timers.scan() >= 1
    with platform.engine.connect() as conn:
        assert platform.workflow.notices.unread(conn, "officer") >= 1
        assert platform.workflow.notices.unread(conn, "ent") >= 1
        assert platform.workflow.notices.unread(conn, "stranger") == 0


def test_minimum_duration(county: Any, gateway: Gateway) -> None:
    low = [{"point": "A-L1", "ts": _at(s), "value": 0.3} for s in (0, 30)]
    assert gateway.send(low).get_json()["alarms_raised"] == 0
    assert gateway.send([{"point": "A-L1", "ts": _at(45), "value": 0.9}]).get_json()["alarms_raised"] == 0  # back: clock resets
    low = [{"point": "A-L1", "ts": _at(s), "value": 0.3} for s in (50, 100)]
    assert gateway.send(low).get_json()["alarms_raised"] == 0  # 50 s below: not yet
    assert gateway.send([{"point": "A-L1", "ts": _at(111), "value": 0.2}]).get_json()["alarms_raised"] == 1


def test_rate_of_change_and_gateway_states(county: Any, gateway: Gateway, token_of: Any) -> None:
    noisy = [{"point": "A-P1", "ts": _at(s), "value": 1.0 + (s % 2) * 0.05} for s in range(0, 60, 5)]
    assert gateway.send(noisy).get_json()["alarms_raised"] == 0  # 0.05 in 5 s is noise, not 0.6 MPa/min
    steady = [{"point": "A-P1", "ts": _at(60), "value": 1.2}, {"point": "A-P1", "ts": _at(120), "value": 1.5}]
    assert gateway.send(steady).get_json()["alarms_raised"] == 0  # 0.2 and 0.3 MPa/min
    assert gateway.send([{"point": "A-P1", "ts": _at(180), "value": 0.8}]).get_json()["alarms_raised"] == 1  # a 0.7 MPa/min drop
    fault = [{"point": "A-T1", "ts": _at(0), "value": 999, "quality": "fault"}]
    assert gateway.send(fault).get_json()["alarms_raised"] == 1  # 故障, and no 高报 for a faulty reading
    kinds = sorted(a["kind"] for a in _alarms(county, token_of("ent")))
    assert kinds == ["fault", "rate"]
    points = county["client"].get("/api/v1/monitoring/points", headers=token_of("ent")).get_json()["items"]
    assert {p["code"]: p["state_title"] for p in points} == {"A-L1": "无数据", "A-P1": "正常", "A-T1": "故障"}


def test_a_silent_point_goes_offline_and_comes_back(county: Any, gateway: Gateway, token_of: Any) -> None:
    platform = county["platform"]
    gateway.send([{"point": "A-L1", "ts": _at(0), "value": 2.0}, {"point": "A-T1", "ts": _at(0), "value": 30}])
    county["clock"].advance(minutes=3)  # A-L1 goes offline after 120 s; the others after 300 s
    assert sweep(platform)["offline_alarms"] == 1
    assert sweep(platform)["offline_alarms"] == 0  # one alarm, not one per sweep
    states = {
        p["code"]: p["state"]
        for p in county["client"].get("/api/v1/monitoring/points", headers=token_of("officer")).get_json()["items"]
    }
    assert states["A-L1"] == "offline" and states["A-T1"] == "normal"
    (offline,) = [a for a in _alarms(county, token_of("officer")) if a["kind"] == "offline"]
    assert offline["point"] == "A-L1" and offline["summary"].startswith("A-L1 监测（A-L1）离线")
    gateway.send([{"point": "A-L1", "ts": iso(START + dt.timedelta(minutes=3)), "value": 2.1}])
    states = {
        p["code"]: p["state"]
        for p in county["client"].get("/api/v1/monitoring/points", headers=token_of("ent")).get_json()["items"]
    }
    assert states["A-L1"] == "normal"
    county["clock"].advance(minutes=5)  # now every point is silent past its limit
    assert sweep(platform)["offline_alarms"] == 4  # A-L1's first 离线 alarm is still open: not raised twice
    offline = sorted(a["point"] for a in _alarms(county, token_of("admin"), open="1") if a["kind"] == "offline")
    assert offline == ["A-L1", "A-P1", "A-T1", "B-T1", "X-G1"]
