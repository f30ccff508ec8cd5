"""(a) Bulk import of 100k records through the full record service vs raw executemany.

Both write the same rows into the same table of one SQLite database; the baseline inserts
already-typed rows with SQLAlchemy executemany and nothing else (no validation, no audit).
The import hands SQLite's driver parameter tuples itself (``anjian.data.bulk_insert``), so a
second, stricter baseline is printed too: the driver's executemany of rows already in the
driver's form (SQLAlchemy's parameter processing done beforehand, outside the timing).
``bench_import.py [COUNT] [REPEAT]``: each is run REPEAT times, alternately, and its best run counts.
"""

from __future__ import annotations

import sys
import time

from sqlalchemy import delete, insert

from anjian import Actor
from anjian.data.bulk_insert import CHUNK, driver_statement
from anjian.data.transfer import import_records

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))  # scripts run with PYTHONSAFEPATH=1
from common import enterprise_rows, fresh_platform, typed_rows  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
REPEAT = int(sys.argv[2]) if len(sys.argv) > 2 else 3


def main() -> str:
    platform = fresh_platform()
    spec = platform.registry.entity("enterprise")
    table = platform.registry.table("enterprise")
    records = enterprise_rows(COUNT)
    fields = [f.name for f in spec.column_fields if f.name in records[0]]
    sheet = [fields] + [[r[f] for f in fields] for r in records]

    typed = typed_rows(platform, records)
    actor = Actor("bench", is_admin=True)

    def raw() -> None:
        with platform.engine.begin() as conn:
            for chunk in range(0, len(typed), 2000):
                conn.execute(insert(table), typed[chunk : chunk + 2000])

    stamp = {k: typed[0][k] for k in ("created_at", "updated_at", "created_by", "updated_by", "row_version")}
    with platform.engine.connect() as conn:
        statement = driver_statement(conn, table, spec.column_names, {}, stamp)
        assert statement is not None
        driver_rows = [statement.row(r) for r in typed]

    def driver() -> None:
        with platform.engine.begin() as conn:
            for chunk in range(0, len(driver_rows), CHUNK):
                conn.exec_driver_sql(statement.sql, driver_rows[chunk : chunk + CHUNK])

    def full() -> None:
        report = import_records(platform.records, "enterprise", sheet, actor, source="bench")
        assert report.committed and report.created == COUNT, report.errors[:3]

    # Alternate the two and keep each one's best run: a shared machine's load then hits both alike.
    best = {"raw": float("inf"), "driver": float("inf"), "full": float("inf")}
    for _ in range(REPEAT):
        for name, run in (("raw", raw), ("driver", driver), ("full", full)):
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
            with platform.engine.begin() as conn:
                conn.execute(delete(table))
    return (
        f"import {COUNT} rows: full record service {COUNT / best['full']:,.0f} rows/s, raw executemany "
        f"{COUNT / best['raw']:,.0f} rows/s, ratio {best['raw'] / best['full']:.2f} (goal >= 0.5; best of {REPEAT}); "
        f"driver executemany of prepared tuples {COUNT / best['driver']:,.0f} rows/s, ratio {best['driver'] / best['full']:.2f}"
    )


if __name__ == "__main__":
    print(main())
