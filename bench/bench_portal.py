"""The public face under load: p95 of anonymous page views with 50 concurrent clients.

50 client threads on loopback each fetch a fixed number of pages over a kept-alive connection (bounded:
20 each, 1,000 per target) from one `anjian serve` (waitress, 8 threads) holding 60 published articles: the home page,
a column page and an article page (cached pages, rendered again when the data changes), against
the same server sending a static file (the portal's stylesheet) under the same load, in the same run.
Goal: p95 under 100 ms.
"""

from __future__ import annotations

import http.client
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # scripts run with PYTHONSAFEPATH=1
from common import Server, fresh_platform, percentiles  # noqa: E402

from anjian import Actor  # noqa: E402

CLIENTS = 50
EACH = 20
ADMIN = Actor("admin", is_admin=True)


def publish_articles(platform, count: int) -> int:
    first = 0
    for n in range(count):
        record = platform.records.create(
            "article",
            {
                "title": f"关于开展第{n}批安全生产专项检查的通知",
                "column": "notice",
                "body": "各乡镇：" + "请按要求开展自查。" * 40,
                "region_code": "350524",
            },
            ADMIN,
        )
        platform.workflow.take(ADMIN, "article", record["id"], "submit")
        platform.workflow.take(ADMIN, "article", record["id"], "publish")
        first = first or record["id"]
    return first


def load(url: str) -> list[float]:
    """Latencies of CLIENTS threads fetching ``url`` EACH times, each over its own kept-alive connection."""
    parts = urllib.parse.urlsplit(url)
    samples: list[float] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(CLIENTS)

    def client() -> None:
        mine = []
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        start_gate.wait()
        for _ in range(EACH):
            began = time.perf_counter()
            connection.request("GET", parts.path)
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
            mine.append(time.perf_counter() - began)
        connection.close()
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def main() -> str:
    platform = fresh_platform()
    article = publish_articles(platform, 60)
    server = Server(platform)
    root = server.base.removesuffix("/api/v1")
    try:
        for path in ("/", "/column/notice", f"/article/article/{article}", "/portal/static/portal.css"):
            load(root + path)  # warm up (first render, caches) outside the measurement
        static = percentiles(load(root + "/portal/static/portal.css"))
        pages = {
            name: percentiles(load(root + path))
            for name, path in (("home", "/"), ("column", "/column/notice"), ("article", f"/article/article/{article}"))
        }
    finally:
        server.stop()
    worst = max(p95 for _, p95 in pages.values())
    figures = ", ".join(f"{name} p50 {p50:.0f} ms p95 {p95:.0f} ms" for name, (p50, p95) in pages.items())
    return (
        f"public face, {CLIENTS} concurrent anonymous clients x {EACH}: {figures}; "
        f"static file p50 {static[0]:.0f} ms p95 {static[1]:.0f} ms; worst page p95 / static p95 = {worst / static[1]:.1f}x "
        f"(goal p95 < 100 ms: {'met' if worst < 100 else 'NOT met'})"
    )


if __name__ == "__main__":
    print(main())
