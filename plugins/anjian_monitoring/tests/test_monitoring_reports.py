"""Alarm statistics as reports: by enterprise and kind, by month, by region, with the handling time; scoped."""

from __future__ import annotations

from typing import Any

from monitoring_county import START, Gateway, iso

PERIOD = {"period_from": "2026-03-01", "period_to": "2026-03-31"}


def _report(county: Any, name: str, headers: dict[str, str], **args: str) -> Any:
    response = county["client"].get(f"/api/v1/reports/{name}", query_string={**PERIOD, **args}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_alarm_statistics_count_kinds_closing_and_handling_time(county: Any, gateway: Gateway, token_of: Any) -> None:
    client, clock = county["client"], county["clock"]
    firm_a, firm_b, _firm_x = county["firms"]
    gateway.send([{"point": "A-T1", "ts": iso(START), "value": 85}])  # 高高报 and 高报
    Gateway(client, county["keys"]["ent_b"]).send([{"point": "B-T1", "ts": iso(START), "value": 70}])  # 高报
    ent = token_of("ent")
    alarms = client.get("/api/v1/monitoring/alarms", headers=ent).get_json()["items"]
    high_high = next(a for a in alarms if a["kind"] == "high_high")
    base = f"/api/v1/e/monitoring_alarm/{high_high['id']}/transitions"
    assert client.post(f"{base}/confirm", json={}, headers=ent).status_code == 200
    assert client.post(f"{base}/handle", json={"data": {"handling": "已停车降温"}}, headers=ent).status_code == 200
    clock.advance(minutes=45)
    assert client.post(f"{base}/close", json={}, headers=ent).status_code == 200

    officer = token_of("officer")
    names = {r["name"] for r in client.get("/api/v1/reports", headers=officer).get_json()["items"]}
    assert {"monitoring_alarms_by_enterprise", "monitoring_alarms_by_month", "monitoring_alarms_by_region"} <= names
    by_firm = _report(county, "monitoring_alarms_by_enterprise", officer)
    rows = {(r["enterprise"], r["kind"]): r for r in by_firm["rows"]}
    assert set(rows) == {(firm_a, "high_high"), (firm_a, "high"), (firm_b, "high")}
    assert rows[(firm_a, "high_high")]["closed"] == 1 and rows[(firm_a, "high_high")]["avg_minutes"] == 45
    assert rows[(firm_a, "high")]["closed"] == 0 and rows[(firm_a, "high")]["avg_minutes"] is None
    assert by_firm["totals"]["alarms"] == 3 and by_firm["totals"]["closed"] == 1
    by_month = _report(county, "monitoring_alarms_by_month", officer)
    assert {(r["month"], r["kind"], r["alarms"]) for r in by_month["rows"]} == {
        ("2026-03", "high", 2),
        ("2026-03", "high_high", 1),
    }
    by_region = _report(county, "monitoring_alarms_by_region", officer)
    assert by_region["totals"]["alarms"] == 3 and by_region["totals"]["open"] == 2
    # another county's officer counts only its own alarms (none)
    stranger = _report(county, "monitoring_alarms_by_enterprise", token_of("stranger"))
    assert stranger["rows"] == [] and stranger["totals"]["alarms"] == 0
    # an enterprise user holds no 统计 right on alarms
    assert client.get("/api/v1/reports/monitoring_alarms_by_enterprise", query_string=PERIOD, headers=ent).status_code == 403
