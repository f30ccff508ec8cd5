"""Forwarding upward against a real upper-level server: the receiver goes down for a while, and after
it is back the county's outbox arrives whole, nothing lost and nothing stored twice (even when a batch
was delivered but the sender died before recording it); an alarm raised before the outage and
confirmed during it is held upstairs once, at its latest state."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from anjian_monitoring.forward import forward
from anjian_monitoring.tables import outbox, received_alarm, sample
from monitoring_county import PASSWORD, Gateway, _build, serve, server_env
from sqlalchemy import create_engine, func, select

from anjian import Actor
from anjian.exchange import http_transport, set_target
from anjian.store.db import write
from anjian.testing import free_port

pytestmark = pytest.mark.slow
ADMIN = Actor("admin", is_admin=True)


def _samples(url: str, point: int) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(sample).where(sample.c.point_id == point)).scalar_one())
    finally:
        engine.dispose()


def _received(url: str) -> list[tuple[int, int, str]]:
    """The forwarded alarms the upper deployment holds: (the county's alarm id, version, state)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            query = select(received_alarm.c.alarm_id, received_alarm.c.version, received_alarm.c.state)
            return [tuple(r) for r in conn.execute(query)]
    finally:
        engine.dispose()


def _pending(platform: Any) -> int:
    with platform.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(outbox)).scalar_one())


def test_forwarding_survives_the_receiver_being_down(county: Any, settings: Any, anjian_templates: Any, tmp_path: Path) -> None:
    lower, clock = county["platform"], county["clock"]
    upper = settings.model_copy(update={"home": tmp_path / "upper", "database_url": f"sqlite:///{tmp_path / 'upper.db'}"})
    anjian_templates.prepare("monitoring-county", upper, _build)  # the city's deployment: the same points registered
    port = free_port()
    env = server_env(upper, port)
    points = lower.registry.table("monitoring_point")
    with write(lower.engine) as conn, conn.begin():  # the county forwards A-T1 only
        conn.execute(points.update().where(points.c.code == "A-T1").values(forward=True))
    set_target(lower.engine, "monitoring", f"http://127.0.0.1:{port}/api/v1", county["keys"]["ent"], ADMIN)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    clock.set(now)
    gateway = Gateway(county["client"], county["keys"]["ent"])

    def send(first: int) -> None:
        batch = [
            {"point": code, "ts": (now - dt.timedelta(seconds=100 - s)).isoformat() + "Z", "value": 30.0 + s % 3}
            for s in range(first, first + 10)
            for code in ("A-T1", "A-P1")
        ]
        assert gateway.send(batch).get_json()["accepted"] == 20

    t1, p1 = county["points"]["A-T1"], county["points"]["A-P1"]
    server = serve(env)
    try:
        send(0)
        over = [{"point": "A-T1", "ts": (now - dt.timedelta(seconds=1)).isoformat() + "Z", "value": 65.0}]
        assert gateway.send(over).get_json()["alarms_raised"] == 1  # 高报, on a forwarded point
        report = forward(lower)
        assert (report.sent, report.accepted, report.duplicates, report.pending, report.failed) == (11, 11, 0, 0, "")
        assert (report.alarms_sent, report.alarms_stored, report.alarms_pending) == (1, 1, 0)
        first = _received(upper.db_url)
        server.terminate()
        server.wait(timeout=30)
        send(10)  # the receiver is down: the county keeps accepting and queueing
        client = county["client"]
        token = client.post("/api/v1/auth/token", json={"username": "ent", "password": PASSWORD}).get_json()["access_token"]
        confirmed = client.post(
            f"/api/v1/e/monitoring_alarm/{first[0][0]}/transitions/confirm", json={}, headers={"Authorization": f"Bearer {token}"}
        )
        assert confirmed.status_code == 200  # the alarm's handling moves on while the receiver is down
        down = forward(lower)
        assert down.failed and down.accepted == 0 and down.pending == 10 and down.alarms_pending == 1
        send(20)
        assert forward(lower).pending == 20
        server = serve(env)

        def deliver_then_die(url: str, body: Any, key: str) -> Any:
            http_transport(url, body, key)
            raise RuntimeError("killed after delivery, before the cursor moved")

        with pytest.raises(RuntimeError):
            forward(lower, transport=deliver_then_die)
        assert _pending(lower) == 20  # not recorded as sent: it goes again
        again = forward(lower)
        assert (again.sent, again.accepted, again.duplicates, again.pending, again.failed) == (20, 0, 20, 0, "")
        assert (again.alarms_sent, again.alarms_stored, again.alarms_pending) == (1, 1, 0)
    finally:
        server.terminate()
        server.wait(timeout=30)
    (alarm,) = _received(upper.db_url)  # the county's alarm, once, at its latest version
    assert alarm[0] == first[0][0] and alarm[1] > first[0][1] and alarm[2] == "confirmed"
    assert _samples(upper.db_url, t1) == 31  # every sample, once
    assert _samples(upper.db_url, p1) == 0  # A-P1 is not forwarded
    assert _samples(settings.db_url, t1) == 31 and _samples(settings.db_url, p1) == 30
