"""Generated screens vs a hand-written Flask-AppBuilder ModelView over the same 100k-row table.

Both are requested in-process through the Flask test client with a signed-in administrator's
session; each renders its full HTML page. Cases (same filter, sort and page on both sides):

- the list's first page, no filter (the page a county clerk opens);
- filter status = active, sort name, page 3;
- filter industry = C (the industry picker), sort name, page 3;
- saving a hidden danger through the create form (POST, then the redirect), against the record
  service's own create of the same record (the floor a screen cannot go under);
- a county clerk's scoped first page and industry filter (安溪县, which holds every row here),
  against the administrator's unscoped generated page.

Reported per case: p50 and p95 of each side and the ratio of p50s (goal: p95 < 500 ms, ratio <= 1.10).
Usage: bench_screens.py [ROWS] (default 100000); ANJIAN_BENCH_REQUESTS sets the samples per case.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))  # scripts run with PYTHONSAFEPATH=1
from common import fresh_platform, insert_enterprises, percentiles  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
REQUESTS = int(os.environ.get("ANJIAN_BENCH_REQUESTS", "50"))
PASSWORD = "Screens-pass-1"
HAND = "/enterpriseview/list/?psize_EnterpriseView=20&_oc_EnterpriseView=name&_od_EnterpriseView=asc"
CASES = [
    ("first page", "/e/enterprise/", "/enterpriseview/list/?psize_EnterpriseView=20"),
    (
        "status=active, sort name, page 3",
        "/e/enterprise/?status=active&sort=name&page=3",
        HAND + "&_flt_0_status=active&page_EnterpriseView=2",
    ),
    (
        "industry=C, sort name, page 3",
        "/e/enterprise/?industry=C&sort=name&page=3",
        HAND + "&_flt_0_industry=C&page_EnterpriseView=2",
    ),
]


def build_app(platform: Any) -> Any:
    from flask_appbuilder import Model, ModelView
    from flask_appbuilder.models.sqla.interface import SQLAInterface

    from anjian.web.app import create_app

    table = platform.registry.table("enterprise")

    class Enterprise(Model):  # type: ignore[misc]  (the hand-written way: one ORM model and one view per entity)
        __table__ = table

    class EnterpriseView(ModelView):  # type: ignore[misc]
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


def timed(call: Any) -> list[float]:
    call()  # warm caches (catalog, scope, templates) before measuring
    samples = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def get(client: Any, url: str) -> Any:
    def call() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.headers.get("Location"))

    return call


def hidden_danger(n: int) -> dict[str, str]:
    return {
        "enterprise_id": str(1 + n % COUNT),
        "region_code": "350524100000",
        "title": f"基准隐患{n}",
        "level": "general",
        "category": "thing",
        "found_on": "2025-09-28",
        "description": "配电箱未接地。",
        "measures": "加装接地线",
        "responsible_person": "王安全",
        "rectify_deadline": "2025-10-10",
    }


def line(name: str, generated: list[float], baseline: list[float], against: str) -> str:
    g50, g95 = percentiles(generated)
    b50, b95 = percentiles(baseline)
    return (
        f"  {name}: generated p50 {g50:.1f} ms, p95 {g95:.1f} ms; {against} p50 {b50:.1f} ms, p95 {b95:.1f} ms; "
        f"ratio {g50 / b50:.2f}"
    )


def main() -> str:
    from anjian import Actor

    platform = fresh_platform(mfa_admin=False)
    insert_enterprises(platform, COUNT)
    app = build_app(platform)
    client = app.test_client()
    login = client.post("/login/", data={"username": "bench", "password": PASSWORD})
    assert login.status_code == 302 and "/mfa/" not in login.headers["Location"], login.headers.get("Location")
    lines = [f"screens over {COUNT} enterprises, {REQUESTS} requests per case (goal: p95 < 500 ms, ratio <= 1.10):"]
    for name, generated, hand in CASES:
        lines.append(line(name, timed(get(client, generated)), timed(get(client, hand)), "hand-written FAB ModelView"))
    counter = iter(range(10**9))

    def save() -> None:
        response = client.post("/e/hidden_danger/new", data=hidden_danger(next(counter)), follow_redirects=True)
        assert response.status_code == 200 and "已保存" in response.get_data(as_text=True), response.status_code

    def direct() -> None:
        record: dict[str, Any] = hidden_danger(next(counter))
        record["enterprise_id"] = int(record["enterprise_id"])
        platform.records.create("hidden_danger", record, Actor("bench", is_admin=True))

    lines.append(line("save a hidden danger (form + redirect)", timed(save), timed(direct), "record service alone"))
    clerk = county_clerk(app, platform)
    for name, generated, _hand in CASES[:3:2]:
        lines.append(line(f"county clerk, {name}", timed(get(clerk, generated)), timed(get(client, generated)), "administrator"))
    return "\n".join(lines)


def county_clerk(app: Any, platform: Any) -> Any:
    """A signed-in 登记科员 of 安溪县 (350524): every read of the list carries the region scope."""
    from anjian import Actor

    admin = Actor("bench", is_admin=True)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("clerk", "c", "c", "clerk@example.org", sm.find_role(sm.auth_role_public), password=PASSWORD)
        sm.session.commit()
    platform.access.store.save_account(admin, "clerk", "agency", "350524")
    platform.access.store.add_grant(admin, "clerk", "registry_clerk", "350524")
    client = app.test_client()
    assert client.post("/login/", data={"username": "clerk", "password": PASSWORD}).status_code == 302
    return client


if __name__ == "__main__":
    print(main())
