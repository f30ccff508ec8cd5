"""(c) GET /api/v1/e/enterprise on 100k rows with a filter, a sort and a page: p50/p95, three ways in one run.

1. the platform's list API (bearer token, region scope, list columns, total count);
2. Flask-AppBuilder's own ModelRestApi over the same table, with the same filter, sort, page
   and columns (the API a Python team would otherwise write; signed in by session);
3. the list's SQL (page + count) issued directly with SQLAlchemy Core.

All three run in this process (the Flask test client for the two APIs), so the ratios compare
the code, not an HTTP server. Goals: API <= 2x its SQL, and no slower than ModelRestApi.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parent))  # scripts run with PYTHONSAFEPATH=1
from common import fresh_platform, insert_enterprises, percentiles  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
REQUESTS = 200
PASSWORD = "List-pass-1"
QUERY = "/api/v1/e/enterprise?industry=C&status=active&sort=name&page=3&page_size=20"
FAB_QUERY = (
    "/api/v1/enterpriseapi/?q=(filters:!((col:industry,opr:eq,value:C),(col:status,opr:eq,value:active)),"
    "order_column:name,order_direction:asc,page:2,page_size:20)"
)


def build_app(platform: Any) -> Any:
    from flask_appbuilder import Model, ModelRestApi
    from flask_appbuilder.models.sqla.interface import SQLAInterface

    from anjian.web.app import create_app

    table = platform.registry.table("enterprise")
    columns = list(platform.registry.entity("enterprise").effective_list_columns)

    class Enterprise(Model):  # type: ignore[misc]  # the hand-written way: one ORM model and one API per entity
        __table__ = table

    class EnterpriseApi(ModelRestApi):  # type: ignore[misc]
        resource_name = "enterpriseapi"
        allow_browser_login = True  # signed in by session (FAB's JWT login API is closed here)
        datamodel = SQLAInterface(Enterprise)
        list_columns = ["id", *columns]
        search_columns = ["industry", "status"]
        order_columns = ["name"]

    app = create_app(platform=platform, config={"WTF_CSRF_ENABLED": False})
    with app.app_context():
        app.appbuilder.add_api(EnterpriseApi)
        sm = app.appbuilder.sm
        sm.create_db()
        app.appbuilder.add_permissions(update_perms=True)
        sm.add_user("bench", "b", "b", "bench@example.org", sm.find_role(sm.auth_role_admin), password=PASSWORD)
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
    platform = fresh_platform(mfa_admin=False)
    insert_enterprises(platform, COUNT)
    app = build_app(platform)
    api = app.test_client()
    token = api.post("/api/v1/auth/token", json={"username": "bench", "password": PASSWORD}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    fab = app.test_client()
    assert fab.post("/login/", data={"username": "bench", "password": PASSWORD}).status_code == 302

    ours = api.get(QUERY, headers=headers).get_json()
    theirs = fab.get(FAB_QUERY).get_json()
    assert len(ours["items"]) == 20 and ours["total"] == theirs.get("count"), (ours.get("total"), str(theirs)[:500])
    assert [i["id"] for i in ours["items"]] == theirs["ids"], "the two APIs must serve the same page"

    def ask_ours() -> None:
        assert api.get(QUERY, headers=headers).status_code == 200

    def ask_fab() -> None:
        assert fab.get(FAB_QUERY).status_code == 200

    table = platform.registry.table("enterprise")
    where = (table.c.industry == "C") & (table.c.status == "active")
    columns = [table.c.id, *(table.c[n] for n in platform.registry.entity("enterprise").effective_list_columns)]
    conn = platform.engine.connect()

    def ask_sql() -> None:
        conn.execute(select(func.count()).select_from(table).where(where)).scalar_one()
        conn.execute(select(*columns).where(where).order_by(table.c.name, table.c.id).limit(20).offset(40)).all()

    try:
        # interleaved rounds, so a busy machine slows all three alike
        api_s, fab_s, sql_s = [], [], []
        for _ in range(4):
            api_s += timed(ask_ours, REQUESTS // 4)
            fab_s += timed(ask_fab, REQUESTS // 4)
            sql_s += timed(ask_sql, REQUESTS // 4)
    finally:
        conn.close()
    a50, a95 = percentiles(api_s)
    f50, f95 = percentiles(fab_s)
    s50, _ = percentiles(sql_s)
    return (
        f"list {COUNT} rows (filter industry+status, sort name, page 3): API p50 {a50:.1f} ms (p95 {a95:.1f}); "
        f"FAB ModelRestApi p50 {f50:.1f} ms (p95 {f95:.1f}); direct SQL p50 {s50:.1f} ms; "
        f"API/SQL {a50 / s50:.2f} (goal <= 2.00), API/ModelRestApi {a50 / f50:.2f} (goal <= 1.00)"
    )


if __name__ == "__main__":
    print(main())
