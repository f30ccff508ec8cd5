"""Authorisation costs.

(a) casbin decision p50/p95 with 5,000 users holding grants in 100 regions and the standard roles,
    without and with the memo (the memo is what requests use).
(b) A list page (20 newest rows + total) on a 1,000,000-row scoped entity: unscoped (administrator)
    vs scoped to a province that holds every row (the pure cost of the filter) and to one county,
    through the list path (RecordReader.page, as the API and screens call it) and as raw SQL.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import func, insert, select, text

sys.path.insert(0, str(Path(__file__).parent))  # scripts run with PYTHONSAFEPATH=1
from common import fresh_platform, scratch_folder  # noqa: E402

from anjian import Actor  # noqa: E402
from anjian.authz.policy import Grant, PolicyState  # noqa: E402
from anjian.data.query import ListQuery  # noqa: E402
from anjian.testing import entity_document, write_json  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000


def decisions(platform) -> str:  # type: ignore[no-untyped-def]
    region = platform.registry.catalog.dictionaries["region"]
    areas = [i.code for i in region.items if i.level in ("county", "township")][:100]
    roles = [r.name for m in platform.registry.catalog.modules.values() for r in m.roles]
    rng = random.Random(5000)
    grants = [Grant(n, f"user{n}", rng.choice(roles), rng.choice(areas)) for n in range(5000)]
    state = PolicyState(
        (1, 1), platform.registry.catalog.modules.values(), grants, {}, dt.datetime.now(dt.UTC).replace(tzinfo=None)
    )
    asks = [
        (g.username, g.region, rng.choice(["enterprise", "agency", "staff"]), rng.choice(["read", "update", "delete"]))
        for g in rng.sample(grants, 1000)
    ]

    def timed(fn) -> list[float]:  # type: ignore[no-untyped-def]
        samples = []
        for ask in asks:
            start = time.perf_counter_ns()
            fn(*ask)
            samples.append((time.perf_counter_ns() - start) / 1000)
        return samples

    raw = timed(state.enforcer.enforce)
    timed(state.allowed)  # fill the memo as the first request of each user would
    memo = timed(state.allowed)
    p = lambda xs: (statistics.median(xs), sorted(xs)[int(len(xs) * 0.95)])  # noqa: E731
    return (
        f"casbin, 5000 users x 100 regions: enforce p50 {p(raw)[0]:.0f} us / p95 {p(raw)[1]:.0f} us; "
        f"with memo p50 {p(memo)[0]:.2f} us / p95 {p(memo)[1]:.2f} us (goal p50 < 20 us)"
    )


def listing(platform) -> str:  # type: ignore[no-untyped-def]
    folder = scratch_folder()
    write_json(
        folder / "site.json",
        entity_document(
            "bench_site",
            {
                "name": {"type": "string", "maxLength": 40},
                "region_code": {"type": "string", "maxLength": 12, "x-anjian": {"dictionary": "region"}},
            },
            scope="region_code",
            list_columns=["name", "region_code"],
        ),
    )
    platform.publish([folder])
    table = platform.registry.table("bench_site")
    counties = [i.code for i in platform.registry.catalog.dictionaries["region"].items if i.level == "county"]
    rng = random.Random(1)
    now = platform.codec.now()
    with platform.engine.begin() as conn:
        batch = []
        for n in range(ROWS):
            batch.append(
                {
                    "name": f"site {n}",
                    "region_code": rng.choice(counties),
                    "created_at": now,
                    "updated_at": now,
                    "created_by": "b",
                    "updated_by": "b",
                    "row_version": 1,
                }
            )
            if len(batch) == 20000:
                conn.execute(insert(table), batch)
                batch = []
        if batch:
            conn.execute(insert(table), batch)
    store = platform.access.store
    admin = Actor("admin", is_admin=True)
    store.add_grant(admin, "province", "organisation_viewer", "350000")
    store.add_grant(admin, "county", "organisation_viewer", "350524")
    # Viewers of the organisation module may read bench_site through a role declared for it here.
    state = platform.access.refresh()
    for role in ("organisation_viewer",):
        state.roles[role]["bench_site"] = ("read",)
        state.enforcer.add_policy(role, "*", "bench_site", "read")
    spec = platform.registry.entity("bench_site")

    query = ListQuery({}, {}, "", ("-id",), 1, 20)

    def raw(user: Actor) -> tuple[float, float]:
        """(page SQL, count SQL) in seconds, with the scope condition as is."""
        scope = platform.access.scope(user, spec, table)
        base = select(table) if scope is None else select(table).where(scope)
        with platform.engine.connect() as conn:
            start = time.perf_counter()
            conn.execute(base.order_by(table.c.id.desc()).limit(20)).all()
            middle = time.perf_counter()
            conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
            return middle - start, time.perf_counter() - middle

    def listed(user: Actor) -> tuple[float, float]:
        """(the list path's page with its total, its count alone) in seconds: RecordReader as the API calls it."""
        scope = platform.access.scope(user, spec, table)
        clauses = [] if scope is None else [scope]
        with platform.engine.connect() as conn:
            start = time.perf_counter()
            page = platform.reader.page(conn, spec, query, scope, spec.effective_list_columns)
            middle = time.perf_counter()
            platform.reader._count(conn, table, clauses, scope)
            end = time.perf_counter()
        assert len(page["items"]) == 20
        return middle - start, end - middle

    results: dict[str, tuple[float, ...]] = {}
    users = (("unscoped", admin), ("province", Actor("province")), ("county", Actor("county")))
    for measure in (listed, raw):  # each kind in its own rounds: a full index scan evicts the table's pages
        for _ in range(2):  # interleaved rounds, so a busy machine slows every scope alike
            for name, user in users:
                measure(user)
                samples = [measure(user) for _ in range(15)]
                results.setdefault(f"{measure.__name__}:{name}", ())
                results[f"{measure.__name__}:{name}"] += tuple(samples)
    medians = {
        key: tuple(statistics.median(s[i] for s in samples) * 1000 for i in range(2))  # type: ignore[index]
        for key, samples in results.items()
    }
    with platform.engine.connect() as conn:
        scope = platform.access.scope(Actor("county"), spec, table)
        sql = str(select(func.count()).select_from(table).where(scope).compile(compile_kwargs={"literal_binds": True}))
        plan = " | ".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
    u, p, c = (medians[f"listed:{n}"] for n in ("unscoped", "province", "county"))
    ru, rp, rc = (medians[f"raw:{n}"] for n in ("unscoped", "province", "county"))
    return (
        f"list on {ROWS} rows, page of 20 newest with total (the list path): unscoped {u[0]:.2f} ms, scoped to a "
        f"province holding every row {p[0]:.2f} ms (ratio {p[0] / u[0]:.2f}, goal <= 1.20), one county {c[0]:.2f} ms; "
        f"its count: unscoped {u[1]:.1f} ms, province {p[1]:.1f} ms (difference {p[1] - u[1]:.1f} ms, goal <= 10), "
        f"county {c[1]:.1f} ms.\n"
        f"raw SQL (scope condition as is): page unscoped {ru[0]:.2f} ms, province {rp[0]:.2f} ms "
        f"(ratio {rp[0] / ru[0]:.2f}), county {rc[0]:.2f} ms; count unscoped {ru[1]:.1f} ms, province {rp[1]:.1f} ms, "
        f"county {rc[1]:.1f} ms; county plan: {plan}"
    )


def main() -> str:
    platform = fresh_platform()
    return decisions(platform) + "\n" + listing(platform)


if __name__ == "__main__":
    print(main())
