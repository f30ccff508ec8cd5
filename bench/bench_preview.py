"""The studio: live preview of a 60-field entity, and publish-to-live of a ten-entity module.

Preview: one designer edit cycle as the browser runs it: the draft saved, the entity compiled with
what it needs (its module's entities and code tables, every code table, the entities it links to;
the full ``anjian check`` over the catalog is the editor's, not the preview frame's), and its form,
list and detail pages with three generated sample records rendered by the officer screens' macros,
p50/p95 (goal p95 < 150 ms). Baseline: the officer's new-record form of the published enterprise entity,
same app, same run. Publish-to-live: a studio publish of a module with ten entities while
``anjian serve`` runs, until the server answers for the last entity; baseline: a GET of a live entity.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))  # scripts run with PYTHONSAFEPATH=1
from common import Server, fresh_platform  # noqa: E402

from anjian.audit import Actor  # noqa: E402
from anjian.studio import Studio  # noqa: E402
from anjian.testing.plugin import ADMIN_PASSWORD, TEST_APP_CONFIG, add_test_users  # noqa: E402
from anjian.web.app import create_app  # noqa: E402

ROUNDS = 60
KINDS: list[dict[str, Any]] = [
    {"type": "string", "maxLength": 100},
    {"type": "integer", "minimum": 0},
    {"type": "number"},
    {"type": "boolean"},
    {"type": "string", "format": "date"},
    {"type": "string", "format": "date-time"},
    {"type": "string", "enum": ["a", "b", "c"], "x-anjian": {"enum_labels": {"a": "甲", "b": "乙", "c": "丙"}}},
    {"type": "string", "maxLength": 12, "x-anjian": {"dictionary": "region"}},
    {"type": "string", "maxLength": 10, "x-anjian": {"dictionary": "industry"}},
    {"type": "string", "maxLength": 2000, "x-anjian": {"widget": "textarea"}},
]


def entity(name: str, fields: int) -> dict[str, Any]:
    properties = {f"f{i:02d}": {**KINDS[i % len(KINDS)], "title": f"字段{i:02d}"} for i in range(fields)}
    return {"title": name, "type": "object", "properties": properties, "x-anjian": {"entity": name}}


def module(name: str, entities: list[str]) -> dict[str, Any]:
    return {"module": name, "title": name, "entities": entities}


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def preview() -> str:
    platform = fresh_platform(mfa_admin=False)  # the administrator signs in with the password alone
    add_test_users(create_app(platform=platform, config=TEST_APP_CONFIG))
    app = create_app(platform=platform, config=TEST_APP_CONFIG)  # as the tests do: an app over a database with users
    client = app.test_client()
    assert client.post("/login/", data={"username": "admin", "password": ADMIN_PASSWORD}).status_code == 302
    studio = Studio(platform)
    draft = studio.create_draft(Actor.system(), "bench_preview")
    files = {"module.json": module("bench_preview", ["wide"]), "wide.json": entity("wide", 60)}
    draft = studio.save_draft(Actor.system(), draft.id, draft.version, files=files)
    url = f"/studio/drafts/{draft.id}/preview/wide"
    assert "字段59" in client.get(url).get_data(as_text=True)
    cycle, floor = [], []
    for n in range(ROUNDS):
        files["wide.json"]["properties"]["f00"]["title"] = f"字段00-{n}"
        start = time.perf_counter()
        draft = studio.save_draft(Actor.system(), draft.id, draft.version, files=files)
        response = client.get(url)
        cycle.append(time.perf_counter() - start)
        assert response.status_code == 200
        start = time.perf_counter()
        assert client.get("/e/enterprise/new").status_code == 200
        floor.append(time.perf_counter() - start)
    platform.dispose()
    return (
        f"studio preview (60 fields, save + compile + render): p50 {p(cycle, 0.5):.0f} ms, p95 {p(cycle, 0.95):.0f} ms "
        f"(goal p95 < 150 ms); baseline officer form of enterprise p50 {p(floor, 0.5):.0f} ms, "
        f"ratio {statistics.median(cycle) / statistics.median(floor):.1f}x"
    )


def publish_to_live() -> str:
    platform = fresh_platform()
    server = Server(platform)
    try:
        floor = []
        for _ in range(30):
            start = time.perf_counter()
            assert server.call("/e/enterprise?page_size=1")[0] == 200
            floor.append(time.perf_counter() - start)
        names = [f"bench_ten_{n}" for n in range(10)]
        files: dict[str, Any] = {"module.json": module("bench_ten", names)}
        files.update({f"{n}.json": entity(n, 20) for n in names})
        studio = Studio(platform)
        draft = studio.create_draft(Actor.system(), "bench_ten")
        draft = studio.save_draft(Actor.system(), draft.id, draft.version, files=files)
        start = time.perf_counter()
        studio.publish(Actor.system(), draft.id, draft.version)
        published = time.perf_counter()
        while server.call(f"/e/{names[-1]}?page_size=1")[0] != 200:
            time.sleep(0.005)
        live = time.perf_counter()
    finally:
        server.stop()
        platform.dispose()
    base = statistics.median(floor)
    return (
        f"studio publish-to-live (10 entities x 20 fields): {(live - start) * 1000:.0f} ms "
        f"(publish itself {(published - start) * 1000:.0f} ms); baseline GET of a live entity p50 {base * 1000:.1f} ms, "
        f"ratio {(live - start) / base:.0f}x"
    )


if __name__ == "__main__":
    print(preview())
    print(publish_to_live())
