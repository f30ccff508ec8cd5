"""Done-when of issue 15 against real processes: the simulator feeds a live server, an over-threshold
value raises one alarm the county's officer sees (another county's does not), the enterprise handles
it to 闭环, a silent point goes 离线; and kill -9 during ingest loses no acknowledged batch."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from anjian_monitoring.simulate import post_batch
from anjian_monitoring.tables import sample
from monitoring_county import PASSWORD, serve, server_env
from sqlalchemy import func, select

from anjian.testing import free_port

pytestmark = pytest.mark.slow


def _call(base: str, path: str, token: str | None = None, body: Any = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        base + path, data=None if body is None else json.dumps(body).encode(), method="POST" if body is not None else "GET"
    )
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"null")


def _token(base: str, user: str) -> str:
    status, body = _call(base, "/api/v1/auth/token", body={"username": user, "password": PASSWORD})
    assert status == 200, body
    return str(body["access_token"])


def test_simulator_alarm_handling_and_offline_on_a_live_server(county: Any, settings: Any) -> None:
    county["platform"].dispose()
    port = free_port()
    env = server_env(settings, port)
    base = f"http://127.0.0.1:{port}"
    server = serve(env)
    try:
        now = dt.datetime.now(dt.UTC)
        key = county["keys"]["ent"]
        # A-L1 sent its last value five minutes ago and then fell silent (its limit is 120 s).
        earlier = post_batch(
            f"{base}/api/v1/monitoring/ingest",
            key,
            [{"point": "A-L1", "ts": (now - dt.timedelta(minutes=5)).isoformat(), "value": 2.0}],
        )
        assert earlier["accepted"] == 1
        simulated = subprocess.run(
            [sys.executable, "-m", "anjian.cli", "monitoring", "simulate", "--url", base, "--key", key, "--key", county["keys"]["ent_b"],
             "--rate", "20", "--ticks", "20", "--spike-rate", "0", "--fault-rate", "0", "--gap-rate", "0", "--seed", "3", "--silent", "A-L1"],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert simulated.returncode == 0, simulated.stderr
        assert "accepted=60" in simulated.stdout and "refused=0" in simulated.stdout  # 20 ticks × (A-T1, A-P1, B-T1)
        over = post_batch(
            f"{base}/api/v1/monitoring/ingest", key, [{"point": "A-T1", "ts": dt.datetime.now(dt.UTC).isoformat(), "value": 70.0}]
        )
        assert over["alarms_raised"] == 1
        officer, stranger, ent = _token(base, "officer"), _token(base, "stranger"), _token(base, "ent")
        status, seen = _call(base, "/api/v1/monitoring/alarms?open=1", officer)
        assert status == 200 and [(a["point"], a["kind"]) for a in seen["items"]] == [("A-T1", "high")]
        assert _call(base, "/api/v1/monitoring/alarms", stranger)[1]["items"] == []
        alarm = seen["items"][0]["id"]
        steps = f"/api/v1/e/monitoring_alarm/{alarm}/transitions"
        assert _call(base, f"{steps}/confirm", ent, {})[0] == 200
        assert _call(base, f"{steps}/handle", ent, {"data": {"handling": "降温处置完毕"}})[0] == 200
        assert _call(base, f"{steps}/close", ent, {})[0] == 200
        assert _call(base, "/api/v1/monitoring/alarms?open=1", officer)[1]["items"] == []
        swept = subprocess.run(
            [sys.executable, "-m", "anjian.cli", "monitoring", "sweep"], env=env, capture_output=True, text=True, timeout=60
        )
        assert swept.returncode == 0, swept.stderr
        status, seen = _call(base, "/api/v1/monitoring/alarms?open=1", officer)
        assert [(a["point"], a["kind"]) for a in seen["items"]] == [("A-L1", "offline")]
        states = {p["code"]: p["state"] for p in _call(base, "/api/v1/monitoring/points", ent)[1]["items"]}
        assert states["A-L1"] == "offline" and states["A-T1"] == "high"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_kill_9_during_ingest_loses_no_acknowledged_batch(county: Any, settings: Any) -> None:
    county["platform"].dispose()
    port = free_port()
    env = server_env(settings, port)
    url = f"http://127.0.0.1:{port}/api/v1/monitoring/ingest"
    server = serve(env)
    acknowledged: list[int] = []
    stop = threading.Event()
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)

    def feed() -> None:
        batch = 0
        while not stop.is_set():
            points = [
                {"point": "A-T1", "ts": (start + dt.timedelta(seconds=batch * 500 + i)).isoformat(), "value": 30.0}
                for i in range(500)
            ]
            try:
                answer = post_batch(url, county["keys"]["ent"], points, timeout=5)
            except (OSError, urllib.error.URLError):
                return
            if answer.get("accepted") == 500:
                acknowledged.append(batch)
            batch += 1

    sender = threading.Thread(target=feed)
    sender.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    stop.set()
    sender.join(timeout=10)
    assert len(acknowledged) >= 5
    from anjian.runtime import Platform

    platform = Platform(settings)
    try:
        with platform.engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(sample)).scalar_one()
    finally:
        platform.dispose()
    assert stored >= 500 * len(acknowledged)  # every acknowledged batch is there (a cut one is there whole or not at all)
    assert stored % 500 == 0
