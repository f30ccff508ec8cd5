"""GIS: 10,000 features through OGC API - Features with a bbox, and a 1024x768 WMS GetMap of 10,000 points.

Both as an administrator (no scope: the baseline) and as a county officer whose region scope
covers the same 10,000 features (so the ratio is the cost of the scope, not of fewer rows), plus
the items query's SQL alone. Goals (issue 16): items <= 100 ms, GetMap <= 300 ms, scoped/unscoped <= 1.2.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))  # scripts run with PYTHONSAFEPATH=1
from common import enterprise_rows, fresh_platform, percentiles, typed_rows  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
ROUNDS = 20
PASSWORD = "Gis-bench-1"
BBOX = "117.7,24.85,118.3,25.4"
ITEMS = f"/ogc/collections/enterprise/items?f=json&limit={COUNT}&bbox={BBOX}"
GETMAP = (
    "/ogc/wms?service=WMS&version=1.3.0&request=GetMap&layers=enterprise&crs=EPSG:4326"
    "&bbox=24.85,117.7,25.4,118.3&width=1024&height=768&format=image/png&transparent=TRUE"
)


def fill(platform: Any) -> None:
    from anjian_gis.layers import reindex
    from sqlalchemy import insert

    rng = random.Random(16)
    records = enterprise_rows(COUNT)
    for record in records:
        record["position"] = {
            "type": "Point",
            "coordinates": [round(117.75 + rng.random() * 0.5, 6), round(24.9 + rng.random() * 0.45, 6)],
        }
    rows = typed_rows(platform, records)
    with platform.engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(platform.registry.table("enterprise")), rows[start : start + 5000])
    reindex(platform)


def build_app(platform: Any) -> Any:
    from anjian import Actor
    from anjian.web.app import create_app

    admin = Actor("admin", is_admin=True)
    app = create_app(platform=platform, config={"WTF_CSRF_ENABLED": False})
    with app.app_context():
        sm = app.appbuilder.sm
        sm.create_db()
        app.appbuilder.add_permissions(update_perms=True)
        sm.add_user("admin", "a", "a", "admin@example.org", sm.find_role(sm.auth_role_admin), password=PASSWORD)
        sm.add_user("officer", "o", "o", "officer@example.org", sm.find_role(sm.auth_role_public), password=PASSWORD)
        app.appbuilder.session.commit()
        platform.access.store.save_account(admin, "officer", "agency", "350524")
        platform.access.store.add_grant(admin, "officer", "gis_viewer", "350524")
    return app


def timed(call: Any, count: int) -> list[float]:
    call()
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> str:
    from anjian_gis.tables import bbox_index
    from sqlalchemy import Text, and_, cast, select

    from anjian.config import load_settings

    platform = fresh_platform(mfa_admin=False, plugins=load_settings({"ANJIAN_PLUGINS": "+gis"}).plugins)
    fill(platform)
    app = build_app(platform)
    client = app.test_client()

    def bearer(user: str) -> dict[str, str]:
        token = client.post("/api/v1/auth/token", json={"username": user, "password": PASSWORD}).get_json()["access_token"]
        return {"Authorization": f"Bearer {token}"}

    admin, officer = bearer("admin"), bearer("officer")
    for headers in (admin, officer):
        found = client.get(ITEMS, headers=headers).get_json()
        assert found["numberReturned"] == COUNT, found.get("numberReturned")

    def get(path: str, headers: dict[str, str]) -> Any:
        def call() -> None:
            assert client.get(path, headers=headers).status_code == 200

        return call

    table = platform.registry.table("enterprise")
    joined = table.join(bbox_index, and_(bbox_index.c.entity == "enterprise", bbox_index.c.record_id == table.c.id))
    minx, miny, maxx, maxy = (float(v) for v in BBOX.split(","))
    sql = (
        select(table.c.id, cast(table.c.position, Text), table.c.name)
        .select_from(joined)
        .where(bbox_index.c.maxx >= minx, bbox_index.c.minx <= maxx, bbox_index.c.maxy >= miny, bbox_index.c.miny <= maxy)
    )
    conn = platform.engine.connect()

    def ask_sql() -> None:
        assert len(conn.execute(sql).all()) == COUNT

    samples: dict[str, list[float]] = {k: [] for k in ("items", "items_scoped", "map", "map_scoped", "sql")}
    try:
        for _ in range(4):  # interleaved, so a busy machine slows all alike
            samples["items"] += timed(get(ITEMS, admin), ROUNDS // 4)
            samples["items_scoped"] += timed(get(ITEMS, officer), ROUNDS // 4)
            samples["map"] += timed(get(GETMAP, admin), ROUNDS // 4)
            samples["map_scoped"] += timed(get(GETMAP, officer), ROUNDS // 4)
            samples["sql"] += timed(ask_sql, ROUNDS // 4)
    finally:
        conn.close()
    p = {k: percentiles(v)[0] for k, v in samples.items()}
    return (
        f"gis {COUNT} points: items in bbox p50 {p['items']:.0f} ms unscoped / {p['items_scoped']:.0f} ms scoped "
        f"(goal <= 100; SQL alone {p['sql']:.0f} ms), scoped/unscoped {p['items_scoped'] / p['items']:.2f} (goal <= 1.20); "
        f"GetMap 1024x768 p50 {p['map']:.0f} ms unscoped / {p['map_scoped']:.0f} ms scoped (goal <= 300), "
        f"scoped/unscoped {p['map_scoped'] / p['map']:.2f} (goal <= 1.20)"
    )


if __name__ == "__main__":
    print(main())
