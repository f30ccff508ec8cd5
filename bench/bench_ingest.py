"""Monitoring ingest (plugin anjian_monitoring), end to end over HTTP against `anjian serve`.

(a) Batch ingest: gzip JSON batches of 5,000 data points (1,000 points × 5 samples) through
    POST /api/v1/monitoring/ingest (API key, parsing, per-point checks, idempotent insert,
    latest values, rollup marks, alarm evaluation, one transaction per batch) vs raw executemany
    inserts of the same number of rows into the same table (baseline). Goal: 50,000 points/s.
(b) Ingest to visible alarm: one over-threshold value posted, then GET /api/v1/monitoring/alarms
    until it is listed; p50/p95 over 40 points. Goal: p95 at most 1 s.
(c) A 7-day trend of one point at 1-minute resolution (10,080 samples) over HTTP: the first call
    (which rolls the week up) and p50/p95 of the next ones. Goal: within 200 ms.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).parent))  # scripts run with PYTHONSAFEPATH=1
from common import SECRET, fresh_platform, percentiles  # noqa: E402

from anjian import Actor  # noqa: E402
from anjian.auth.apikeys import ApiKeys  # noqa: E402
from anjian.config import load_settings  # noqa: E402
from anjian.data.db import write  # noqa: E402
from anjian.testing import free_port  # noqa: E402

POINTS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
BATCHES = int(sys.argv[2]) if len(sys.argv) > 2 else 40
PER_BATCH = int(sys.argv[3]) if len(sys.argv) > 3 else 5
ADMIN = Actor("bench", is_admin=True)
TOWN = "350524100000"
PLUGINS = load_settings({"ANJIAN_PLUGINS": "+monitoring"}).plugins  # the bundled modules and monitoring


def set_up(platform: Any) -> list[int]:
    import random

    from anjian.demo import credit_code

    body = {"name": "基准监测化工有限公司", "credit_code": credit_code(random.Random(5)), "region_code": TOWN, "industry": "C"}
    firm = platform.records.create("enterprise", body, ADMIN)["id"]
    obj = platform.records.create(
        "monitored_object", {"enterprise_id": firm, "region_code": TOWN, "name": "基准罐区", "kind": "tank_farm"}, ADMIN
    )["id"]
    table = platform.registry.table("monitoring_point")
    now = platform.codec.now()
    rows = [
        {"code": f"P{n:05d}", "name": f"点位{n}", "object_id": obj, "enterprise_id": firm, "region_code": TOWN,
         "kind": "temperature", "unit": "℃", "high": 60.0, "high_high": 80.0, "deadband": 1.0, "min_duration": 0,
         "created_at": now, "updated_at": now, "created_by": "bench", "updated_by": "bench", "row_version": 1}
        for n in range(POINTS + 41)
    ]  # fmt: skip
    with write(platform.engine) as conn, conn.begin():
        conn.execute(insert(table), rows)
    return [firm]


def post(url: str, key: str, body: bytes) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=body, method="POST",
        headers={"Authorization": f"ApiKey {key}", "Content-Type": "application/json", "Content-Encoding": "gzip"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=60) as response:
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def get(url: str, key: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"ApiKey {key}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process so far: what a request costs whatever the machine's load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    platform = fresh_platform(plugins=PLUGINS)
    set_up(platform)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANJIAN_")}
    env.update(
        ANJIAN_HOME=str(platform.settings.home), ANJIAN_DATABASE_URL=platform.settings.db_url, ANJIAN_SECRET_KEY=SECRET,
        ANJIAN_PORT=str(port), ANJIAN_ADMIN_PASSWORD="Bench-pass-1", ANJIAN_MFA_ADMIN="false", ANJIAN_PLUGINS=",".join(PLUGINS),
    )  # fmt: skip
    subprocess.run([sys.executable, "-m", "anjian.cli", "init", "--no-demo"], env=env, check=True, capture_output=True)
    _key, secret = ApiKeys(platform.engine).create(
        "admin", "bench", ["monitoring_point:report", "monitoring_point:read", "monitoring_alarm:read"], "bench"
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "anjian.cli", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}/api/v1/monitoring"
    try:
        for _ in range(600):
            try:
                get(f"{base}/alarms?limit=1", secret)
                break
            except OSError:
                time.sleep(0.05)
        start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        # (a) batches encoded before timing: the client's JSON and gzip are not the server's cost
        bodies = []
        for b in range(BATCHES):
            points = [
                {
                    "point": f"P{n:05d}",
                    "ts": (start + dt.timedelta(seconds=b * PER_BATCH + s)).isoformat(),
                    "value": 20.0 + (n % 7),
                }
                for s in range(PER_BATCH)
                for n in range(POINTS)
            ]
            bodies.append(gzip.compress(json.dumps({"points": points}).encode(), compresslevel=1))
        began, cpu_before = time.perf_counter(), cpu_seconds(server.pid)
        accepted = sum(post(f"{base}/ingest", secret, body)["accepted"] for body in bodies)
        http_seconds = time.perf_counter() - began
        server_cpu = cpu_seconds(server.pid) - cpu_before
        assert accepted == BATCHES * POINTS * PER_BATCH, accepted
        raw_ts = int((start - dt.timedelta(days=2)).timestamp() * 1000)
        began = time.perf_counter()
        for b in range(BATCHES):
            rows = [(n + 1, raw_ts + (b * PER_BATCH + s) * 1000, 20.0, 0) for s in range(PER_BATCH) for n in range(POINTS)]
            with write(platform.engine) as conn, conn.begin():  # the driver's executemany, one transaction per batch
                conn.exec_driver_sql("INSERT INTO monitoring_sample (point_id, ts, value, quality) VALUES (?, ?, ?, ?)", rows)
        raw_seconds = time.perf_counter() - began
        total = BATCHES * POINTS * PER_BATCH
        http_rate, raw_rate = total / http_seconds, total / raw_seconds
        # (b) ingest to a visible alarm, one fresh point each time
        latencies = []
        for n in range(40):
            code = f"P{POINTS + n:05d}"
            body = gzip.compress(
                json.dumps({"points": [{"point": code, "ts": dt.datetime.now(dt.UTC).isoformat(), "value": 70.0}]}).encode()
            )
            began = time.perf_counter()
            post(f"{base}/ingest", secret, body)
            while not any(a["point"] == code for a in get(f"{base}/alarms?open=1&limit=5", secret)["items"]):
                pass
            latencies.append(time.perf_counter() - began)
        alarm_p50, alarm_p95 = percentiles(latencies)
        # (c) a week of one point at one sample a minute
        end = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
        week = [(POINTS, end - i * 60_000, 20 + (i % 60) / 10, 0) for i in range(7 * 24 * 60)]
        from anjian_monitoring.storage import SampleStore

        with write(platform.engine) as conn, conn.begin():
            SampleStore(platform.engine).insert(conn, week)  # marks the week's minutes for rollup, as ingest does
        began = time.perf_counter()
        first = get(f"{base}/points/{POINTS}/trend?hours=168", secret)
        first_seconds = time.perf_counter() - began
        assert first["resolution"] == "1m" and len(first["ts"]) >= 7 * 24 * 60 - 1, (first["resolution"], len(first["ts"]))
        trend_times = []
        for _ in range(10):
            began = time.perf_counter()
            get(f"{base}/points/{POINTS}/trend?hours=168", secret)
            trend_times.append(time.perf_counter() - began)
        trend_p50, trend_p95 = percentiles(trend_times)
    finally:
        server.terminate()
        server.wait(timeout=10)
        platform.dispose()
    print(
        f"bench_ingest: HTTP batch ingest {http_rate:,.0f} points/s ({total:,} points in batches of {POINTS * PER_BATCH:,}) "
        f"vs raw inserts {raw_rate:,.0f} rows/s: ratio {http_rate / raw_rate:.2f} (goal 50,000 points/s); "
        f"the server used {server_cpu:.1f} CPU s: {total / server_cpu:,.0f} points per CPU second; "
        f"ingest to visible alarm p50 {alarm_p50:.0f} ms p95 {alarm_p95:.0f} ms (goal p95 <= 1 s); "
        f"7-day 1-minute trend ({len(first['ts']):,} points) first {first_seconds * 1000:.0f} ms, then p50 {trend_p50:.0f} ms "
        f"p95 {trend_p95:.0f} ms (goal <= 200 ms)"
    )


if __name__ == "__main__":
    main()
