"""Alarm records forwarded upward: the upper deployment holds each of the county's alarms once, apart
from its own and marked with the sender, follows its handling to 闭环, and loses nothing while it is
down (the transport here is the upper deployment's own app, in process; the slow test uses a server)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from anjian_monitoring.forward import forward
from anjian_monitoring.tables import received_alarm
from monitoring_county import ADMIN, PASSWORD, START, Gateway, _build, iso
from sqlalchemy import func, select

from anjian.exchange import DeliveryFailed, set_target
from anjian.runtime import Platform
from anjian.store.db import write
from anjian.testing.plugin import TEST_APP_CONFIG
from anjian.web.app import create_app


@pytest.fixture
def upper(settings: Any, anjian_templates: Any, tmp_path: Path) -> Any:
    """The city's deployment: the same points registered, its own database."""
    city = settings.model_copy(update={"home": tmp_path / "upper", "database_url": f"sqlite:///{tmp_path / 'upper.db'}"})
    anjian_templates.prepare("monitoring-county", city, _build)
    platform = Platform(city)
    app = create_app(platform=platform, config=TEST_APP_CONFIG)
    yield {"platform": platform, "client": app.test_client()}
    platform.dispose()


def _through(upper: Any, down: list[bool]) -> Any:
    """A transport into the upper deployment's app; raises DeliveryFailed while ``down[0]``."""

    def transport(url: str, body: Any, key: str) -> Any:
        if down[0]:
            raise DeliveryFailed(f"{url} cannot be reached (test)")
        path = url.split("://", 1)[1].split("/", 1)[1]
        response = upper["client"].post("/" + path, json=body, headers={"Authorization": f"ApiKey {key}"})
        if response.status_code != 200:
            raise DeliveryFailed(
                f"{url} answered {response.status_code}: {response.get_data(as_text=True)}", response.status_code
            )
        return response.get_json()

    return transport


def _token(client: Any, user: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/token", json={"username": user, "password": PASSWORD}).get_json()
    return {"Authorization": f"Bearer {answer['access_token']}"}


def _forwarded(upper: Any, user: str) -> list[dict[str, Any]]:
    response = upper["client"].get("/api/v1/monitoring/alarms?forwarded=1", headers=_token(upper["client"], user))
    assert response.status_code == 200, response.get_json()
    items: list[dict[str, Any]] = response.get_json()["items"]
    return items


def _rows(upper: Any) -> int:
    with upper["platform"].engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(received_alarm)).scalar_one())


def test_alarms_reach_the_upper_deployment_once_each_through_an_outage(county: Any, upper: Any) -> None:
    lower, client = county["platform"], county["client"]
    points = lower.registry.table("monitoring_point")
    with write(lower.engine) as conn, conn.begin():  # the county forwards A-T1 only
        conn.execute(points.update().where(points.c.code == "A-T1").values(forward=True))
    set_target(lower.engine, "monitoring", "http://city.example/api/v1", county["keys"]["ent"], ADMIN)
    gateway, down = Gateway(client, county["keys"]["ent"]), [False]
    transport = _through(upper, down)
    at = [iso(START + dt.timedelta(seconds=s)) for s in range(4)]
    raised = gateway.send([{"point": "A-T1", "ts": at[0], "value": 65}, {"point": "A-P1", "ts": at[0], "value": 1.7}])
    assert raised.get_json()["alarms_raised"] == 2  # A-T1 高报 (forwarded) and A-P1 高报 (not)
    first = forward(lower, transport=transport)
    assert (first.sent, first.alarms_sent, first.alarms_stored, first.alarms_pending, first.failed) == (1, 1, 1, 0, "")
    (held,) = _forwarded(upper, "officer")
    assert (held["point"], held["kind"], held["value"], held["threshold"], held["state_title"]) == (
        "A-T1",
        "high",
        65.0,
        60.0,
        "待确认",
    )
    assert held["source"].startswith("ent/") and held["closed_at"] is None
    assert _forwarded(upper, "stranger") == []  # an officer of another county upstairs
    own = upper["client"].get("/api/v1/monitoring/alarms", headers=_token(upper["client"], "officer")).get_json()
    # Apart from the upper deployment's own alarms (raised here from the forwarded value): one each.
    assert [(a["point"], a["kind"]) for a in own["items"]] == [("A-T1", "high")] and "source" not in own["items"][0]
    assert forward(lower, transport=transport).alarms_sent == 0  # nothing changed: nothing sent

    # The upper deployment goes down while the enterprise handles the alarm to 闭环.
    down[0] = True
    ent = {
        "Authorization": f"Bearer {client.post('/api/v1/auth/token', json={'username': 'ent', 'password': PASSWORD}).get_json()['access_token']}"
    }
    base = f"/api/v1/e/monitoring_alarm/{held['alarm']}/transitions"
    assert client.post(f"{base}/confirm", json={}, headers=ent).status_code == 200
    outage = forward(lower, transport=transport)
    assert outage.failed and outage.alarms_sent == 0 and outage.alarms_pending == 1
    assert client.post(f"{base}/handle", json={"data": {"handling": "已降温"}}, headers=ent).status_code == 200
    assert client.post(f"{base}/close", json={}, headers=ent).status_code == 200
    assert forward(lower, transport=transport).alarms_pending == 1  # one alarm, however many steps
    down[0] = False

    def deliver_then_die(url: str, body: Any, key: str) -> Any:
        transport(url, body, key)
        raise RuntimeError("killed after delivery, before the alarm was recorded as sent")

    with pytest.raises(RuntimeError):
        forward(lower, transport=deliver_then_die)
    again = forward(lower, transport=transport)
    assert (again.alarms_sent, again.alarms_stored, again.alarms_pending, again.failed) == (1, 0, 0, "")  # re-sent, kept once
    (closed,) = _forwarded(upper, "officer")
    assert closed["alarm"] == held["alarm"] and closed["state_title"] == "已闭环" and closed["closed_at"]
    assert closed["version"] > held["version"] and _rows(upper) == 1
    assert _forwarded(upper, "officer") == [closed]
    assert (
        upper["client"]
        .get("/api/v1/monitoring/alarms?forwarded=1&open=1", headers=_token(upper["client"], "officer"))
        .get_json()["items"]
        == []
    )


def test_a_malformed_forwarded_alarm_is_a_field_level_422(county: Any) -> None:
    gateway = Gateway(county["client"], county["keys"]["ent"])
    bad = b'{"points": [], "alarms": [{"alarm": 1, "version": "x", "point": "A-T1", "kind": "high"}]}'
    answer = gateway.send(body=bad)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["errors"][0]["pointer"] == "/alarms/0"
    unknown = b'{"points": [], "alarms": [{"alarm": 1, "version": 1, "point": "B-T1", "kind": "high", "raised_at": "2026-03-02T02:00:00Z"}]}'
    assert gateway.send(body=unknown).get_json()["alarms_forwarded"] == {"stored": 0, "unchanged": 0, "refused": 1}
