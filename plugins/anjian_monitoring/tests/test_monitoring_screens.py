"""Trends (rollups, resolutions), the live panel and trend screens, the widget, tasks and beat."""

from __future__ import annotations

import datetime as dt
from typing import Any

from anjian_monitoring.storage import MINUTE, SampleStore
from anjian_monitoring.tables import rollup
from monitoring_county import PASSWORD, START, Gateway, iso
from sqlalchemy import select


def _ms(moment: dt.datetime) -> int:
    return int(moment.replace(tzinfo=dt.UTC).timestamp() * 1000)


def test_rollups_ignore_duplicates_and_order(county: Any, gateway: Gateway) -> None:
    batch = [{"point": "A-T1", "ts": iso(START - dt.timedelta(seconds=10 * i)), "value": float(i)} for i in range(12)]
    gateway.send(list(reversed(batch)))  # out of order
    gateway.send(batch[:6])  # again: stored once
    platform = county["platform"]
    store = SampleStore(platform.engine)
    trend = store.series(county["points"]["A-T1"], _ms(START) - 8 * 3600_000, _ms(START) + 1)
    assert trend.resolution == "1m"
    with platform.engine.connect() as conn:
        rows = conn.execute(select(rollup).where(rollup.c.tier == 1).order_by(rollup.c.bucket)).all()
        hours = conn.execute(select(rollup).where(rollup.c.tier == 60)).all()
    # 12 samples 10 s apart ending at 10:00:00 fall into two minutes: 09:59 (i = 1..6) and 10:00 (i = 0), ...
    assert sum(r.n for r in rows) == 12 and sum(r.total for r in rows) == sum(range(12))
    assert [(h.n, h.low, h.high) for h in hours] == [(11, 1.0, 11.0), (1, 0.0, 0.0)]
    assert trend.rows[-1] == (_ms(START), 0.0, 0.0, 0.0)


def test_a_seven_day_trend_is_at_minute_resolution(county: Any) -> None:
    platform = county["platform"]
    point = county["points"]["B-T1"]
    end = _ms(START)
    rows = [(point, end - i * MINUTE, 20 + (i % 60) / 10, 0) for i in range(7 * 24 * 60)]
    store = SampleStore(platform.engine)
    from anjian.store.db import write

    with write(platform.engine) as conn, conn.begin():
        assert store.insert(conn, rows) == len(rows)
    trend = store.series(point, end - 7 * 24 * 3600_000, end + 1)
    assert trend.resolution == "1m" and len(trend.rows) == 7 * 24 * 60
    month = store.series(point, end - 30 * 24 * 3600_000, end + 1)
    assert month.resolution == "1h" and len(month.rows) == 7 * 24 + 1


def _login(county: Any, user: str) -> Any:
    client = county["app"].test_client()
    client.post("/login/", data={"username": user, "password": PASSWORD})
    return client


def test_the_live_panel_colours_points_by_state_within_scope(county: Any, gateway: Gateway) -> None:
    gateway.send([{"point": "A-T1", "ts": iso(START), "value": 85}, {"point": "A-P1", "ts": iso(START), "value": 1.0}])
    page = _login(county, "officer").get("/monitoring/").get_data(as_text=True)
    assert 'data-code="A-T1" data-state="high_high"' in page and "高高报" in page
    assert 'data-code="A-P1" data-state="normal"' in page and "监测测试0化工有限公司" in page
    assert "X-G1" not in page  # another county's point
    assert "未闭环报警（2）" in page  # 高报 and 高高报
    stranger = _login(county, "stranger").get("/monitoring/").get_data(as_text=True)
    assert 'data-code="X-G1"' in stranger and "A-T1" not in stranger


def test_trend_screen_data_and_offline_plotly(county: Any, gateway: Gateway) -> None:
    gateway.send([{"point": "A-T1", "ts": iso(START - dt.timedelta(minutes=m)), "value": 40 + m} for m in range(5)])
    client = _login(county, "ent")
    point = county["points"]["A-T1"]
    page = client.get(f"/monitoring/points/{point}?hours=1")
    assert page.status_code == 200 and "/monitoring/vendor/plotly.min.js" in page.get_data(as_text=True)
    data = client.get(f"/monitoring/points/{point}/trend.json?hours=1").get_json()
    assert data["resolution"] == "raw" and data["value"] == [44, 43, 42, 41, 40]
    assert data["thresholds"] == {"low": 10, "high": 60, "high_high": 80}
    script = client.get("/monitoring/vendor/plotly.min.js")
    assert script.status_code == 200 and b"plotly.js" in script.data[:300]
    script.close()
    assert client.get(f"/monitoring/points/{county['points']['B-T1']}").status_code == 404  # not this enterprise's
    detail = client.get(f"/e/monitoring_point/{point}").get_data(as_text=True)
    assert f'href="/monitoring/points/{point}"' in detail  # the monitoring.trend widget
    assert client.get("/monitoring/points/1/trend.json?hours=abc").status_code == 422


def test_tasks_and_beat_are_registered(county: Any, settings: Any, monkeypatch: Any) -> None:
    from celery import Celery

    from anjian.tasks import app as tasks

    own = Celery("monitoring-test", set_as_current=False)
    own.conf.beat_schedule = {}
    monkeypatch.setattr(tasks, "worker_platform", lambda: county["platform"])
    tasks.register_plugins(own, settings)
    assert own.conf.beat_schedule["monitoring-forward"] == {"task": "monitoring.forward", "schedule": 10.0}
    assert own.conf.beat_schedule["monitoring-sweep"] == {"task": "monitoring.sweep", "schedule": 30.0}
    county["clock"].advance(minutes=10)
    # every enterprise silent for 10 minutes: one 企业离线 alarm each (3), not one per point (5)
    assert own.tasks["monitoring.sweep"].apply().get() == {"offline_alarms": 3, "buckets_rolled_up": 0}
    assert own.tasks["monitoring.purge"].apply().get() == {"raw_partitions": 0, "raw": 0, "1m": 0, "1h": 0}
