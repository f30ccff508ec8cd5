"""(c) GET /api/v1/e/enterprise on 100k rows with a filter and a sort: p50/p95 over HTTP.

Baselines in the same run: the same two SQL statements (page + count) issued directly with
SQLAlchemy Core, and a GET of a one-row page with no filter (the HTTP and auth floor).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parent))  # scripts run with PYTHONSAFEPATH=1
from common import Server, fresh_platform, insert_enterprises, percentiles  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
REQUESTS = 200
QUERY = "/e/enterprise?industry=C&status=active&sort=name&page=3&page_size=20"


def main() -> str:
    platform = fresh_platform()
    insert_enterprises(platform, COUNT)
    server = Server(platform)
    try:
        assert server.call(QUERY)[0] == 200
        http = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            status, body = server.call(QUERY)
            http.append(time.perf_counter() - start)
            assert status == 200 and len(body["items"]) == 20
        floor = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            server.call("/e/enterprise?page_size=1")
            floor.append(time.perf_counter() - start)
    finally:
        server.stop()
    table = platform.registry.table("enterprise")
    where = (table.c.industry == "C") & (table.c.status == "active")
    direct = []
    with platform.engine.connect() as conn:
        for _ in range(REQUESTS):
            start = time.perf_counter()
            conn.execute(select(func.count()).select_from(table).where(where)).scalar_one()
            conn.execute(select(table).where(where).order_by(table.c.name, table.c.id).limit(20).offset(40)).all()
            direct.append(time.perf_counter() - start)
    p50, p95 = percentiles(http)
    d50, _ = percentiles(direct)
    f50, _ = percentiles(floor)
    return (
        f"list {COUNT} rows (filter industry+status, sort name): HTTP p50 {p50:.1f} ms, p95 {p95:.1f} ms "
        f"(goal p50 < 50 ms); direct SQL p50 {d50:.1f} ms (ratio {p50 / d50:.2f}); "
        f"unfiltered 1-row GET p50 {f50:.1f} ms"
    )


if __name__ == "__main__":
    print(main())
