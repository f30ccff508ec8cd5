"""Workflow costs.

(a) The deadline scan over 100,000 open deadlines of which 1% have a stage due: the scan itself
    (fire the stages, notices, audit) vs the raw indexed query that finds the due rows (baseline);
    and an idle scan (nothing due) over the same 100,000.
(b) Transition throughput through the full service (casbin, scope, record service, audit,
    instance, history, deadlines, notices) vs plain record updates of the same entity (baseline).
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).parent))  # scripts run with PYTHONSAFEPATH=1
from common import fresh_platform  # noqa: E402

from anjian import Actor  # noqa: E402
from anjian.data.db import write  # noqa: E402
from anjian.workflow.tables import deadline, instance  # noqa: E402

OPEN = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
ADMIN = Actor("bench", is_admin=True)
TOWN = "350524100000"


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def scan(platform) -> str:  # type: ignore[no-untyped-def]
    """Raw set-up of OPEN complaints in "received", each with an open screening deadline."""
    spec = platform.registry.entity("complaint")
    table = platform.registry.table(spec.name)
    process = platform.registry.catalog.process_of("complaint")
    now = platform.codec.now()
    with write(platform.engine) as conn, conn.begin():
        version = platform.workflow.book.ensure(conn, process)
        base = {
            "received_at": now,
            "channel": "hotline",
            "subject": "基准举报",
            "content": "基准举报内容",
            "region_code": TOWN,
            "created_at": now,
            "updated_at": now,
            "created_by": "bench",
            "updated_by": "bench",
            "row_version": 1,
        }
        conn.execute(insert(table), [{**base, "tracking_code": f"TS{n:011d}"} for n in range(OPEN)])
        ids = list(conn.execute(select(table.c.id).order_by(table.c.id)).scalars())
        conn.execute(
            insert(instance),
            [
                {
                    "entity": "complaint",
                    "record_id": i,
                    "process": process.name,
                    "version": version,
                    "state": "received",
                    "state_since": now,
                    "started_by": "bench",
                    "started_at": now,
                    "row_version": 1,
                }
                for i in ids
            ],
        )
        instances = list(conn.execute(select(instance.c.id, instance.c.record_id).order_by(instance.c.id)))
        due_every = 100  # 1% have their reminder due now; the rest fire in the coming weeks
        conn.execute(
            insert(deadline),
            [
                {
                    "instance_id": inst.id,
                    "entity": "complaint",
                    "record_id": inst.record_id,
                    "rule": "screening",
                    "title": "甄别受理时限",
                    "unit": "workdays",
                    "started_at": now,
                    "due_at": now + dt.timedelta(hours=1 if n % due_every == 0 else 24 * 14),
                    "status": "open",
                    "stage": 0,
                    "stage_kind": "",
                    "next_fire_at": now - dt.timedelta(minutes=1) if n % due_every == 0 else now + dt.timedelta(days=1 + n % 30),
                }
                for n, inst in enumerate(instances)
            ],
        )
    raw, due = timed(lambda: _due_rows(platform, now))
    fired_time, fired = timed(lambda: platform.timers.scan(now))
    idle, _ = timed(lambda: platform.timers.scan(now))
    with platform.engine.connect() as conn:
        open_count = conn.execute(select(func.count()).select_from(deadline).where(deadline.c.status == "open")).scalar_one()
    return (
        f"(a) deadline scan over {open_count:,} open deadlines: {due:,} due -> {fired:,} stages fired "
        f"in {fired_time * 1000:.0f} ms "
        f"(goal < 1 s); idle scan {idle * 1000:.1f} ms; raw indexed due query {raw * 1000:.1f} ms; "
        f"ratio scan/raw {fired_time / raw:.0f}x, per fired stage {fired_time / max(fired, 1) * 1000:.2f} ms"
    )


def _due_rows(platform, now) -> int:  # type: ignore[no-untyped-def]
    with platform.engine.connect() as conn:
        return len(conn.execute(select(deadline.c.id).where(deadline.c.next_fire_at <= now, deadline.c.status == "open")).all())


def throughput(platform) -> str:  # type: ignore[no-untyped-def]
    count = 300
    officer = Actor("bench_officer")
    platform.access.store.save_account(ADMIN, "bench_officer", "agency", "350524")
    platform.access.store.add_grant(ADMIN, "bench_officer", "complaint_head", "350524")
    body = {
        "received_at": "2025-09-29T10:00:00+08:00",
        "channel": "hotline",
        "subject": "吞吐量举报",
        "content": "吞吐量举报内容",
        "region_code": TOWN,
    }
    ids = [platform.records.create("complaint", body, officer)["id"] for _ in range(count * 2)]
    took, _ = timed(lambda: [platform.workflow.take(officer, "complaint", i, "accept", {"comment": "受理"}) for i in ids[:count]])
    updates, _ = timed(
        lambda: [
            platform.records.update("complaint", i, {"subject": "吞吐量举报（改）"}, officer, partial=True) for i in ids[count:]
        ]
    )
    samples = []
    agency = platform.records.create(
        "agency", {"name": "凤城镇安监站", "kind": "township_office", "level": "township", "region_code": TOWN}, ADMIN
    )
    for i in ids[:count]:
        start = time.perf_counter()
        platform.workflow.take(officer, "complaint", i, "dispatch", {"data": {"handling_unit": agency["id"]}})
        samples.append((time.perf_counter() - start) * 1000)
    rate, base = count / took, count / updates
    return (
        f"(b) transitions through the full service: {rate:.0f}/s (accept, no field change); dispatch with a field p50 "
        f"{statistics.median(samples):.1f} ms; plain record updates {base:.0f}/s; ratio transitions/updates {rate / base:.2f}"
    )


def main() -> None:
    platform = fresh_platform()
    print("bench_workflow:", scan(platform))
    print("bench_workflow:", throughput(platform))


if __name__ == "__main__":
    main()
