"""Real processes: several web servers and a Celery worker follow a publish with no restart."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from anjian.testing import entity_document, free_port, write_json

PASSWORD = "Process-test-1"


def call(url, body=None, token=None, method=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method or ("POST" if data else "GET"))
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"null")


@pytest.fixture
def environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANJIAN_")}
    env.update(
        ANJIAN_HOME=str(tmp_path / "var"),
        ANJIAN_ADMIN_PASSWORD=PASSWORD,
        ANJIAN_DEMO_DATA="false",
        ANJIAN_MFA_ADMIN="false",
        ANJIAN_SECRET_KEY="process-test-secret-0123456789-0123456789",
    )
    subprocess.run([sys.executable, "-m", "anjian.cli", "init"], env=env, check=True, capture_output=True, timeout=120)
    return env


def start(env, *args, port=None):
    env = {**env, "ANJIAN_PORT": str(port)} if port else env
    return subprocess.Popen(
        [sys.executable, "-m", "anjian.cli", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_until(check, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return time.monotonic()
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


@pytest.mark.slow
def test_a_publish_is_live_in_every_web_process_within_about_a_second(environment, tmp_path):
    ports = [free_port(), free_port()]
    servers = [start(environment, "serve", port=port) for port in ports]
    try:
        bases = [f"http://127.0.0.1:{port}/api/v1" for port in ports]
        for base in bases:
            wait_until(lambda base=base: call(f"{base}/openapi.json")[0] == 200, 60)
        token = call(f"{bases[0]}/auth/token", {"username": "admin", "password": PASSWORD})[1]["access_token"]
        assert call(f"{bases[1]}/e/hazard_site", token=token)[0] == 404

        folder = tmp_path / "decl"
        write_json(
            folder / "hazard_site.json",
            entity_document("hazard_site", {"name": {"type": "string", "title": "名称"}}, required=["name"]),
        )
        subprocess.run(
            [sys.executable, "-m", "anjian.cli", "publish", str(folder)],
            env=environment,
            check=True,
            capture_output=True,
            timeout=120,
        )
        published_at = time.monotonic()
        for base in bases:
            live = wait_until(lambda base=base: call(f"{base}/e/hazard_site", token=token)[0] == 200, 5)
            assert live - published_at < 2.0
        assert call(f"{bases[1]}/e/hazard_site", {"name": "储罐区"}, token=token)[0] == 201

        # A changed schema validates by its new rules in every process.
        write_json(
            folder / "hazard_site.json",
            entity_document(
                "hazard_site",
                {"name": {"type": "string"}, "level": {"type": "integer", "minimum": 1, "maximum": 4}},
                required=["name", "level"],
            ),
        )
        subprocess.run(
            [sys.executable, "-m", "anjian.cli", "publish", str(folder)],
            env=environment,
            check=True,
            capture_output=True,
            timeout=120,
        )
        for base in bases:
            wait_until(lambda base=base: call(f"{base}/e/hazard_site", {"name": "x"}, token=token)[0] == 422, 5)
            assert call(f"{base}/e/hazard_site", {"name": "y", "level": 2}, token=token)[0] == 201
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


@pytest.mark.worker
def test_the_background_worker_follows_the_catalog(environment, tmp_path):
    from anjian.config import load_settings
    from anjian.tasks import make_celery

    settings = load_settings({k: v for k, v in environment.items() if k.startswith("ANJIAN_")})
    celery = make_celery(settings)
    worker = start(environment, "worker", "--no-beat")
    try:
        first = celery.send_task("anjian.ping").get(timeout=60)
        assert "enterprise" in first["entities"]
        folder = tmp_path / "decl"
        write_json(folder / "drill.json", entity_document("drill", {"title": {"type": "string"}}))
        subprocess.run(
            [sys.executable, "-m", "anjian.cli", "publish", str(folder)],
            env=environment,
            check=True,
            capture_output=True,
            timeout=120,
        )
        time.sleep(1.0)
        second = celery.send_task("anjian.ping").get(timeout=30)
        assert second["version"] == first["version"] + 1 and "drill" in second["entities"]

        csv_file = tmp_path / "drills.csv"
        csv_file.write_text("title\n消防演练\n危化品泄漏演练\n", encoding="utf-8")
        refused = celery.send_task("anjian.import_file", args=["drill", str(csv_file), "nobody"])
        with pytest.raises(Exception, match="权限"):  # the worker applies the user's permissions too
            refused.get(timeout=30)
        report = celery.send_task("anjian.import_file", args=["drill", str(csv_file), "admin"], kwargs={"is_admin": True}).get(
            timeout=30
        )
        assert report["committed"] and report["created"] == 2
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def run_platform(env, port):
    """Start `anjian run`, return (process, printed lines up to the banner's end)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "anjian.cli", "run"],
        env={**env, "ANJIAN_PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    while process.poll() is None:
        line = process.stdout.readline()
        lines.append(line.strip())
        if "stop with Ctrl-C" in line:
            break
    return process, lines


@pytest.mark.slow
def test_run_serves_with_demo_data_and_is_idempotent(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANJIAN_")}
    env["ANJIAN_HOME"] = str(tmp_path / "var")
    totals = []
    for _ in range(2):
        port = free_port()
        process, lines = run_platform(env, port)
        try:
            assert f"URL:    http://127.0.0.1:{port}/" in lines, lines
            login = next(line for line in lines if line.startswith("login:"))
            password = login.split(" / ")[1]
            base = f"http://127.0.0.1:{port}"
            wait_until(lambda base=base: urllib.request.urlopen(f"{base}/login/", timeout=5).status == 200, 30)
            token = call(f"{base}/api/v1/auth/token", {"username": "admin", "password": password})[1]["access_token"]
            totals.append(call(f"{base}/api/v1/e/enterprise?page_size=1", token=token)[1]["total"])
        finally:
            process.terminate()
            process.wait(timeout=20)
            process.stdout.close()
    assert totals == [240, 240]  # demo data loaded once; the second run adds nothing
