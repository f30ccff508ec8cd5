"""Ingest: counts per reason, idempotence, out-of-order data, keys bound to their enterprise, bad input."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from anjian_monitoring.tables import latest, sample
from monitoring_county import START, Gateway, iso
from sqlalchemy import func, select


def _count(platform: Any) -> int:
    with platform.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(sample)).scalar_one())


def test_a_half_valid_batch_stores_the_valid_part_and_reports_the_rest(county: Any, gateway: Gateway) -> None:
    now = START
    points = [
        {"point": "A-T1", "ts": iso(now), "value": 25.5},
        {"point": "A-P1", "ts": iso(now), "value": 1, "quality": "good"},
        {"point": "NOPE", "ts": iso(now), "value": 1},
        {"point": "B-T1", "ts": iso(now), "value": 20},  # enterprise B's point
        {"point": "A-T1", "ts": "yesterday", "value": 1},
        {"point": "A-T1", "ts": "2026-03-02T02:00:00", "value": 1},  # no time zone
        {"point": "A-T1", "ts": iso(now + dt.timedelta(days=2)), "value": 1},
        {"point": "A-T1", "ts": iso(now - dt.timedelta(minutes=1)), "value": "25"},
        {"point": "A-T1", "ts": iso(now - dt.timedelta(minutes=2)), "value": True},
        {"point": "A-T1", "ts": iso(now - dt.timedelta(minutes=3)), "value": 1, "quality": "excellent"},
        {"point": "A-T1", "ts": iso(now), "value": 26},  # the same point and time twice in one batch
        "A-T1=25",
    ]
    response = gateway.send(points)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["accepted"] == 2 and body["duplicates"] == 0
    assert body["refused"] == {
        "bad_quality": 1,
        "bad_timestamp": 2,
        "duplicate_in_batch": 1,
        "future_timestamp": 1,
        "invalid": 1,
        "not_permitted": 1,
        "unknown_point": 1,
        "wrong_type": 2,
    }
    assert {e["pointer"] for e in body["errors"]} >= {
        "/points/2/point",
        "/points/3/point",
        "/points/6/ts",
        "/points/7/value",
        "/points/11",
    }
    assert _count(county["platform"]) == 2


def test_nan_and_infinity_are_refused(county: Any, gateway: Gateway) -> None:
    body = (
        b'{"points": [{"point": "A-T1", "ts": "2026-03-02T02:00:00Z", "value": NaN},'
        b' {"point": "A-T1", "ts": "2026-03-02T02:00:01Z", "value": Infinity},'
        b' {"point": "A-T1", "ts": "2026-03-02T02:00:02Z", "value": 1e999}]}'
    )
    answer = gateway.send(body=body).get_json()
    assert answer["accepted"] == 0 and answer["refused"] == {"not_finite": 3}


def test_the_same_batch_twice_is_stored_once_and_late_data_is_accepted(county: Any, gateway: Gateway) -> None:
    batch = [{"point": "A-T1", "ts": iso(START - dt.timedelta(seconds=s)), "value": 20 + s} for s in range(10)]
    assert gateway.send(batch).get_json()["accepted"] == 10
    again = gateway.send(batch).get_json()
    assert again["accepted"] == 0 and again["duplicates"] == 10
    late = gateway.send([{"point": "A-T1", "ts": iso(START - dt.timedelta(hours=1)), "value": 5}]).get_json()
    assert late["accepted"] == 1
    assert _count(county["platform"]) == 11
    with county["platform"].engine.connect() as conn:
        newest = conn.execute(select(latest.c.value).where(latest.c.point_id == county["points"]["A-T1"])).scalar_one()
    assert newest == 20  # the late sample did not replace the latest value


def test_gzip_bodies_are_accepted_and_bombs_refused(county: Any, gateway: Gateway) -> None:
    batch = [{"point": "A-T1", "ts": iso(START), "value": 30}]
    assert gateway.send(batch, gzip_body=True).get_json()["accepted"] == 1
    bomb = json.dumps({"points": [], "pad": " " * (20 * 1024 * 1024)}).encode()
    refused = gateway.send(body=bomb, gzip_body=True)
    assert refused.status_code == 413 and refused.get_json()["error"]["code"] == "request.too_large"
    broken = county["client"].post(
        "/api/v1/monitoring/ingest",
        data=b"not gzip",
        headers={"Authorization": f"ApiKey {gateway.key}", "Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert broken.status_code == 400 and broken.get_json()["error"]["code"] == "monitoring.bad_gzip"


def test_malformed_bodies_and_oversized_requests(county: Any, gateway: Gateway) -> None:
    assert gateway.send(body=b"{not json").get_json()["error"]["code"] == "monitoring.bad_json"
    missing = gateway.send(body=b'{"data": []}')
    assert missing.status_code == 422 and missing.get_json()["error"]["errors"][0]["pointer"] == "/points"
    huge = gateway.send(body=b'{"points": [' + b" " * (50 * 1024 * 1024) + b"]}")
    assert huge.status_code == 413


def test_wrong_and_revoked_keys(county: Any) -> None:
    from anjian.auth.apikeys import ApiKeys

    point = [{"point": "A-T1", "ts": iso(START), "value": 1}]
    wrong = Gateway(county["client"], "ajk_00000000_nothing").send(point)
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "auth.api_key_invalid"
    keys = ApiKeys(county["platform"].engine)
    keys.revoke(county["keys"]["ent"][4:12])
    revoked = Gateway(county["client"], county["keys"]["ent"]).send(point)
    assert revoked.status_code == 401 and revoked.get_json()["error"]["code"] == "auth.api_key_revoked"


def test_an_officer_without_the_report_right_is_refused(county: Any, token_of: Any) -> None:
    response = county["client"].post(
        "/api/v1/monitoring/ingest",
        json={"points": [{"point": "A-T1", "ts": iso(START), "value": 1}]},
        headers=token_of("officer"),
    )
    assert response.status_code == 403
