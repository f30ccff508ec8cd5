"""企业离线: an enterprise none of whose points reports raises one alarm, not one per point, seen in its county."""

from __future__ import annotations

import datetime as dt
from typing import Any

from anjian_monitoring.tasks import sweep
from monitoring_county import START, Gateway, iso


def _alarms(county: Any, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = county["client"].get("/api/v1/monitoring/alarms", query_string={"open": "1"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    items: list[dict[str, Any]] = response.get_json()["items"]
    return items


def test_a_silent_enterprise_raises_one_alarm_and_its_points_none(county: Any, gateway: Gateway, token_of: Any) -> None:
    platform, clock = county["platform"], county["clock"]
    firm_a, firm_b, firm_x = county["firms"]
    normal = {"A-T1": 30.0, "A-P1": 1.0, "A-L1": 2.0}  # inside every threshold
    assert gateway.send([{"point": c, "ts": iso(START), "value": v} for c, v in normal.items()]).status_code == 200
    Gateway(county["client"], county["keys"]["ent_b"]).send([{"point": "B-T1", "ts": iso(START), "value": 20}])
    clock.advance(minutes=5)
    Gateway(county["client"], county["keys"]["ent_b"]).send(
        [{"point": "B-T1", "ts": iso(START + dt.timedelta(minutes=5)), "value": 20}]
    )
    clock.advance(minutes=6)  # A silent for 11 minutes (limit 10), B for 6, X never reported since registration
    assert sweep(platform)["offline_alarms"] == 3
    officer = _alarms(county, token_of("officer"))
    kinds = sorted((a["kind"], a["enterprise_id"], a["point"] or "") for a in officer)
    # A: one alarm, none for its three points; B: its point silent past 5 minutes; X is in another county
    assert kinds == [("enterprise_offline", firm_a, ""), ("offline", firm_b, "B-T1")]
    (alarm,) = [a for a in officer if a["kind"] == "enterprise_offline"]
    assert alarm["kind_title"] == "企业离线" and "全部 3 个监测点位已 11 分钟无数据" in alarm["summary"]
    assert [(a["kind"], a["enterprise_id"]) for a in _alarms(county, token_of("stranger"))] == [("enterprise_offline", firm_x)]
    states = {
        p["code"]: p["state"]
        for p in county["client"].get("/api/v1/monitoring/points", headers=token_of("ent")).get_json()["items"]
    }
    assert states == {"A-L1": "offline", "A-P1": "offline", "A-T1": "offline"}  # the panel still shows each point 离线
    assert sweep(platform)["offline_alarms"] == 0  # one alarm, not one per sweep
    # reporting again, then silent again: the first alarm is still open (not 闭环), so no second one
    gateway.send([{"point": "A-T1", "ts": iso(START + dt.timedelta(minutes=11)), "value": 30.0}])
    assert sweep(platform)["offline_alarms"] == 0
    clock.advance(minutes=11)
    sweep(platform)
    assert [a["kind"] for a in _alarms(county, token_of("ent"))].count("enterprise_offline") == 1
