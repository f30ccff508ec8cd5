"""The scale-out pass: PostgreSQL and Redis (started by scripts/postgres.sh and scripts/redis.sh),
two gunicorn web processes behind one port, two Celery workers and one beat, all real processes.

It shows that a publish reaches both web processes, that an import through one process is read
through the other, that the workers share the queue and the beat's schedule runs, and that a
worker killed mid-task loses nothing: its import is delivered again and stored exactly once.
Run by scripts/test.sh with ANJIAN_TEST_DATABASE_URL and ANJIAN_TEST_REDIS_URL; skipped without them.
"""

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest
from sqlalchemy import create_engine, make_url, text

from anjian.testing import entity_document, free_port, write_json

PASSWORD = "Scale-out-test-1"
DATABASE = os.environ.get("ANJIAN_TEST_DATABASE_URL", "")
REDIS = os.environ.get("ANJIAN_TEST_REDIS_URL", "")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (DATABASE and REDIS), reason="needs ANJIAN_TEST_DATABASE_URL and ANJIAN_TEST_REDIS_URL (scripts/test.sh)"
    ),
]


def _fresh_database(name):
    url = make_url(DATABASE)
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _request(url, body=None, token=None, method=None, raw=None, content_type="application/json", probe=""):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method or ("POST" if data else "GET"))
    request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if probe:
        request.add_header("X-Probe", probe)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"null")


def _wait(check, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Deployment:
    """The processes of one scaled-out deployment, with their logs."""

    def __init__(self, tmp_path):
        self.home = tmp_path / "var"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/api/v1"
        self.access_log = tmp_path / "access.log"
        redis = REDIS.rsplit("/", 1)[0]
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ANJIAN_")}
        self.env.update(
            ANJIAN_HOME=str(self.home),
            ANJIAN_DATABASE_URL=_fresh_database("anjian_scaleout"),
            ANJIAN_BROKER_URL=f"{redis}/14",
            ANJIAN_RESULT_BACKEND=f"{redis}/15",
            ANJIAN_BROKER_VISIBILITY_TIMEOUT="5",
            ANJIAN_ADMIN_PASSWORD=PASSWORD,
            ANJIAN_DEMO_DATA="false",
            ANJIAN_MFA_ADMIN="false",
            ANJIAN_TIMER_INTERVAL="1",
            ANJIAN_SECRET_KEY="scale-out-test-secret-0123456789-0123456789",
        )
        self.logs = tmp_path
        self.processes = {}
        subprocess.run(
            [sys.executable, "-m", "anjian.cli", "init", "--no-demo"], env=self.env, check=True, capture_output=True, timeout=300
        )
        self._flush_broker()

    def _flush_broker(self):
        import redis

        for url in (self.env["ANJIAN_BROKER_URL"], self.env["ANJIAN_RESULT_BACKEND"]):
            redis.Redis.from_url(url).flushdb()

    def start(self, name, command):
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        self.processes[name] = (subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT), log)

    def start_all(self):
        gunicorn = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{self.port}"]
        gunicorn += [
            "--access-logfile",
            str(self.access_log),
            "--access-logformat",
            "%(p)s %(U)s %(s)s probe=%({x-probe}i)s",
            "anjian.web.app:create_app()",
        ]
        self.start("web", gunicorn)
        for n in (1, 2):
            self.start(f"worker{n}", self.worker_command(n))
        beat = [sys.executable, "-m", "celery", "-A", "anjian.tasks.app:celery_app", "beat", "--loglevel=INFO"]
        self.start("beat", [*beat, "--schedule", str(self.home / "celerybeat-schedule")])
        _wait(lambda: _request(f"{self.base}/openapi.json")[0] == 200, 120, "gunicorn")

    @staticmethod
    def worker_command(n):
        return [
            sys.executable, "-m", "celery", "-A", "anjian.tasks.app:celery_app", "worker", "--pool=solo", "--loglevel=INFO",
            "-n", f"worker{n}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip

    def log(self, name):
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def served_by(self, probe):
        """The pid of the web process that answered the request tagged ``probe`` (gunicorn's access log)."""
        for line in self.access_log.read_text().splitlines():
            if line.endswith(f"probe={probe}"):
                return line.split()[0]
        return None

    def stop(self):
        for process, _log in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process, log in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


@pytest.fixture
def deployment(tmp_path):
    scaled = Deployment(tmp_path)
    try:
        scaled.start_all()
        yield scaled
    finally:
        scaled.stop()


def _probe_both(deployment, path, token, accept):
    """Ask through the one port until both web processes have answered ``accept``able; their pids."""
    seen = {}
    for n in range(400):
        probe = uuid.uuid4().hex[:12]
        status, body = _request(f"{deployment.base}{path}", token=token, probe=probe)
        if accept(status, body):
            pid = _wait(lambda probe=probe: deployment.served_by(probe), 5, "the access log line")
            seen[pid] = n
        if len(seen) == 2:
            return seen
    raise AssertionError(f"only web process(es) {sorted(seen)} answered as expected")


def test_two_web_processes_two_workers_and_one_beat_on_postgresql_and_redis(deployment, tmp_path):
    token = _request(f"{deployment.base}/auth/token", {"username": "admin", "password": PASSWORD})[1]["access_token"]

    # A publish (through the CLI, a third process) reaches both web processes.
    folder = tmp_path / "decl"
    write_json(
        folder / "storage_tank.json",
        entity_document("storage_tank", {"name": {"type": "string", "title": "名称"}}, required=["name"]),
    )
    subprocess.run(
        [sys.executable, "-m", "anjian.cli", "publish", str(folder)],
        env=deployment.env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    published_at = time.monotonic()
    pids = _probe_both(deployment, "/e/storage_tank", token, lambda status, _body: status == 200)
    print(
        f"publish live in both web processes {sorted(pids)} {time.monotonic() - published_at:.2f} s after `anjian publish` returned"
    )

    # An import through one web process is read through the other.
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["名称"])
    writer.writerows([f"储罐{n}"] for n in range(25))
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="tanks.csv"\r\nContent-Type: text/csv\r\n\r\n'
        f"{rows.getvalue()}\r\n--{boundary}--\r\n"
    ).encode()
    status, report = _request(
        f"{deployment.base}/e/storage_tank/import",
        token=token,
        raw=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert status == 200, report
    _probe_both(deployment, "/e/storage_tank?page_size=1", token, lambda status, page: status == 200 and page["total"] == 25)

    # The beat (one process) drives the schedule; the two workers share the queue through Redis.
    _wait(
        lambda: "anjian.workflow_tick" in deployment.log("worker1") + deployment.log("worker2"), 60, "a scheduled deadline scan"
    )

    # Each deadline fires exactly once: 20 complaints start their screening clocks; the clocks are
    # moved into the past, and the beat's scans plus 20 more queued at once run on both workers.
    complaint = {
        "received_at": "2026-01-05T09:00:00+08:00",
        "channel": "hotline",
        "subject": "储罐泄漏",
        "content": "举报内容",
        "region_code": "350524",
    }
    for n in range(20):
        status, created = _request(f"{deployment.base}/e/complaint", {**complaint, "subject": f"举报{n}"}, token=token)
        assert status == 201, created
    database = create_engine(deployment.env["ANJIAN_DATABASE_URL"])
    from celery import Celery

    client = Celery(broker=deployment.env["ANJIAN_BROKER_URL"], backend=deployment.env["ANJIAN_RESULT_BACKEND"])
    try:
        with database.begin() as conn:
            moved = conn.execute(
                text(
                    "UPDATE anjian_deadline SET due_at = now() - interval '3 days', next_fire_at = now() - interval '3 days' "
                    "WHERE entity = 'complaint' AND rule = 'screening' AND status = 'open'"
                )
            ).rowcount
        assert moved == 20
        ticks = [client.send_task("anjian.workflow_tick") for _ in range(20)]
        fired = sum(tick.get(timeout=120)["fired"] for tick in ticks)
        with database.connect() as conn:
            per_stage = conn.execute(
                text(
                    "SELECT record_id, detail->>'stage', count(*) FROM anjian_audit_log WHERE action = 'deadline' "
                    "AND entity = 'complaint' AND detail->>'deadline' = 'screening' GROUP BY 1, 2"
                )
            ).all()
            stages = conn.execute(text("SELECT DISTINCT stage FROM anjian_deadline WHERE rule = 'screening'")).scalars().all()
    finally:
        database.dispose()
    assert len(per_stage) == 20 * 2 and {row[2] for row in per_stage} == {1}  # reminder and overdue, once each
    assert stages == [2] and fired <= 40  # the beat's own scans may have fired some first
    ran_on = {n for n in ("worker1", "worker2") if re.search(r"anjian.workflow_tick\[[^]]+\] succeeded", deployment.log(n))}
    assert ran_on == {"worker1", "worker2"}

    # A worker killed mid-task loses nothing: the import is delivered again (acks late) and stored once.
    big = tmp_path / "big.csv"
    with open(big, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["名称"])
        writer.writerows([f"大储罐{n}"] for n in range(20000))
    task_id = client.send_task("anjian.import_file", args=["storage_tank", str(big), "admin", False, True]).id
    holder = _wait(
        lambda: next((n for n in ("worker1", "worker2") if f"anjian.import_file[{task_id}] received" in deployment.log(n)), None),
        60,
        "a worker to take the import",
    )
    deployment.processes[holder][0].send_signal(signal.SIGKILL)
    deployment.processes[holder][0].wait()
    deployment.start(f"{holder}-restarted", deployment.worker_command(3))  # the operator's restart; either may finish it
    result = client.AsyncResult(task_id).get(timeout=240)
    assert result["created"] == 20000
    status, page = _request(f"{deployment.base}/e/storage_tank?page_size=1", token=token)
    assert page["total"] == 25 + 20000
    finishers = [n for n in deployment.processes if re.search(rf"anjian.import_file\[{task_id}\] succeeded", deployment.log(n))]
    assert len(finishers) == 1 and holder not in finishers
    client.close()
