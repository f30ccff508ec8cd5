"""Shared set-up for the benchmarks: a fresh platform in a temporary folder, data generators."""

from __future__ import annotations

import atexit
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from anjian.config import load_settings
from anjian.demo import credit_code
from anjian.runtime import Platform
from anjian.testing import free_port

SECRET = "bench-secret-0123456789-0123456789-0123456789"


def scratch_folder() -> Path:
    """A temporary folder removed when the benchmark's process exits (a run leaves nothing in /tmp)."""
    folder = Path(tempfile.mkdtemp(prefix="anjian-bench-"))
    atexit.register(_remove, folder)
    return folder


def _remove(folder: Path) -> None:
    try:
        shutil.rmtree(folder)
    except OSError as exc:  # said, not hidden: a folder left behind is worth knowing about
        print(f"bench: could not remove {folder}: {exc}", file=sys.stderr)


def fresh_platform(home: Path | None = None, **overrides: Any) -> Platform:
    """A platform with the standard metadata published, in ``home`` or a scratch folder of its own."""
    home = home or scratch_folder()
    settings = load_settings({}, home=home, secret_key=SECRET, demo_data=False, **overrides)
    platform = Platform(settings)
    atexit.register(platform.dispose)  # registered after the folder's removal, so it runs before it
    platform.init_db()
    platform.publish()
    return platform


def enterprise_rows(count: int, seed: int = 1) -> list[dict[str, Any]]:
    """Valid enterprise records as JSON values (unique names and credit codes)."""
    rng = random.Random(seed)
    towns = [f"350524{n}000" for n in range(100, 115)]
    industries = ["A", "B", "C", "C", "C", "D", "E", "F", "G", "H"]
    rows, codes = [], set()
    while len(rows) < count:
        code = credit_code(rng)
        if code in codes:
            continue
        codes.add(code)
        rows.append(
            {
                "name": f"基准测试第{len(rows):06d}号有限公司",
                "credit_code": code,
                "region_code": rng.choice(towns),
                "industry": rng.choice(industries),
                "status": rng.choice(["active", "suspended"]),
                "scale": rng.choice(["small", "medium", "large", "micro"]),
                "employees": rng.randint(1, 900),
                "economic_type": "private",
                "high_risk_category": "none",
                "legal_representative": "张三",
                "contact_phone": "0595-2345678",
                "established_on": "2010-05-01",
                "has_safety_organisation": bool(rng.random() < 0.5),
                "address": "福建省泉州市安溪县凤城镇1号",
            }
        )
    return rows


def typed_rows(platform: Platform, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records as stored rows (typed values and system columns), for raw inserts."""
    spec = platform.registry.entity("enterprise")
    codec = platform.codec
    now = codec.now()
    return [
        {
            **{f.name: codec.to_db(f, r.get(f.name)) for f in spec.column_fields},
            "created_at": now,
            "updated_at": now,
            "created_by": "bench",
            "updated_by": "bench",
            "row_version": 1,
        }
        for r in records
    ]


def insert_enterprises(platform: Platform, count: int) -> None:
    """Fill the enterprise table with ``count`` rows by raw batched inserts (set-up, not measured)."""
    from sqlalchemy import insert

    rows = typed_rows(platform, enterprise_rows(count))
    with platform.engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(platform.registry.table("enterprise")), rows[start : start + 5000])


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


class Server:
    """`anjian serve` in a subprocess on a platform's home and database."""

    def __init__(self, platform: Platform) -> None:
        import os
        import subprocess
        import sys

        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/api/v1"
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANJIAN_")}
        env.update(
            ANJIAN_HOME=str(platform.settings.home),
            ANJIAN_DATABASE_URL=platform.settings.db_url,
            ANJIAN_SECRET_KEY=SECRET,
            ANJIAN_PORT=str(self.port),
            ANJIAN_ADMIN_PASSWORD="Bench-pass-1",
            ANJIAN_MFA_ADMIN="false",  # the admin signs in with the password alone
        )
        subprocess.run([sys.executable, "-m", "anjian.cli", "init", "--no-demo"], env=env, check=True, capture_output=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "anjian.cli", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.wait_ready()
        self.token = self.call("/auth/token", {"username": "admin", "password": "Bench-pass-1"})[1]["access_token"]

    def wait_ready(self) -> None:
        import time

        for _ in range(600):
            try:
                if self.call("/openapi.json")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def call(self, path: str, body: Any = None) -> tuple[int, Any]:
        import json
        import urllib.error
        import urllib.request

        request = urllib.request.Request(self.base + path, data=json.dumps(body).encode() if body is not None else None)
        request.add_header("Content-Type", "application/json")
        if getattr(self, "token", None):
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, None

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
