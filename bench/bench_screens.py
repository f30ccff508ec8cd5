"""Generated list page vs a hand-written Flask-AppBuilder ModelView over the same 100k-row table.

Both pages are requested in-process through the Flask test client with a signed-in session,
with the same filter (status = active), the same sort (name) and the same page (3, 20 rows);
each renders its full HTML page. Reported: p50 of each and the ratio (goal: <= 1.10).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # scripts run with PYTHONSAFEPATH=1
from common import fresh_platform, insert_enterprises, percentiles  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
REQUESTS = 100
PASSWORD = "Screens-pass-1"


def build_app(platform):  # type: ignore[no-untyped-def]
    from flask_appbuilder import Model, ModelView
    from flask_appbuilder.models.sqla.interface import SQLAInterface

    from anjian.web.app import create_app

    table = platform.registry.table("enterprise")

    class Enterprise(Model):  # the hand-written way: one ORM model and one view per entity
        __table__ = table

    class EnterpriseView(ModelView):
        datamodel = SQLAInterface(Enterprise)
        list_columns = ["name", "credit_code", "region_code", "industry", "high_risk_category", "status"]
        base_order = ("name", "asc")
        page_size = 20

    app = create_app(platform=platform, config={"WTF_CSRF_ENABLED": False})
    with app.app_context():
        app.appbuilder.add_view(EnterpriseView, "Enterprises (hand-written)")
        sm = app.appbuilder.sm
        sm.create_db()
        app.appbuilder.add_permissions(update_perms=True)
        sm.add_user("bench", "b", "b", "bench@example.org", sm.find_role(sm.auth_role_admin), password=PASSWORD)
    return app


def timed(client, url: str) -> list[float]:  # type: ignore[no-untyped-def]
    assert client.get(url).status_code == 200
    samples = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200
    return samples


def main() -> str:
    platform = fresh_platform()
    insert_enterprises(platform, COUNT)
    app = build_app(platform)
    client = app.test_client()
    assert client.post("/login/", data={"username": "bench", "password": PASSWORD}).status_code == 302
    generated = timed(client, "/e/enterprise/?status=active&sort=name&page=3&page_size=20")
    hand = timed(
        client,
        "/enterpriseview/list/?_flt_0_status=active&_oc_EnterpriseView=name"
        "&_od_EnterpriseView=asc&page_EnterpriseView=2&psize_EnterpriseView=20",
    )
    g50, g95 = percentiles(generated)
    h50, h95 = percentiles(hand)
    return (
        f"list page, {COUNT} rows (filter status, sort name, page 3): generated p50 {g50:.1f} ms (p95 {g95:.1f}), "
        f"hand-written FAB ModelView p50 {h50:.1f} ms (p95 {h95:.1f}), ratio {g50 / h50:.2f} (goal <= 1.10)"
    )


if __name__ == "__main__":
    print(main())
