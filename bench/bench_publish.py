"""(b) Publish-to-live latency: a new entity published while a server runs, until it answers.

Measured from the start of the publish (validate, plan, create table, bump version) to the
first 200 from the running server, which learns of the new version by polling the catalog.
The baseline is the same GET on an entity that is already live (the HTTP floor).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # scripts run with PYTHONSAFEPATH=1
from common import Server, fresh_platform, scratch_folder  # noqa: E402

from anjian.testing import entity_document, write_json  # noqa: E402

ROUNDS = 7


def main() -> str:
    platform = fresh_platform()
    server = Server(platform)
    try:
        floor = []
        for _ in range(50):
            start = time.perf_counter()
            assert server.call("/e/enterprise?page_size=1")[0] == 200
            floor.append(time.perf_counter() - start)
        publish_times, live_times = [], []
        for n in range(ROUNDS):
            folder = scratch_folder()
            write_json(folder / "e.json", entity_document(f"bench_entity_{n}", {"name": {"type": "string"}}))
            start = time.perf_counter()
            platform.publish([folder])
            published = time.perf_counter()
            while server.call(f"/e/bench_entity_{n}")[0] != 200:
                time.sleep(0.005)
            live = time.perf_counter()
            publish_times.append(published - start)
            live_times.append(live - start)
    finally:
        server.stop()
    p50 = statistics.median(live_times)
    return (
        f"publish-to-live: p50 {p50 * 1000:.0f} ms, max {max(live_times) * 1000:.0f} ms "
        f"(publish itself p50 {statistics.median(publish_times) * 1000:.0f} ms; goal < 1000 ms); "
        f"baseline GET of a live entity p50 {statistics.median(floor) * 1000:.1f} ms, ratio {p50 / statistics.median(floor):.0f}x"
    )


if __name__ == "__main__":
    print(main())
