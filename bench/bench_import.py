"""(a) Bulk import of 100k records through the full record service vs raw executemany.

Both write the same rows into the same table of one SQLite database; the baseline inserts
already-typed rows with SQLAlchemy executemany and nothing else (no validation, no audit).
"""

from __future__ import annotations

import sys
import time

from sqlalchemy import delete, insert

from anjian import Actor
from anjian.data.transfer import import_records

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))  # scripts run with PYTHONSAFEPATH=1
from common import enterprise_rows, fresh_platform, typed_rows  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def main() -> str:
    platform = fresh_platform()
    spec = platform.registry.entity("enterprise")
    table = platform.registry.table("enterprise")
    records = enterprise_rows(COUNT)
    fields = [f.name for f in spec.column_fields if f.name in records[0]]
    sheet = [fields] + [[r[f] for f in fields] for r in records]

    typed = typed_rows(platform, records)
    start = time.perf_counter()
    with platform.engine.begin() as conn:
        for chunk in range(0, len(typed), 2000):
            conn.execute(insert(table), typed[chunk : chunk + 2000])
    raw = time.perf_counter() - start
    with platform.engine.begin() as conn:
        conn.execute(delete(table))

    start = time.perf_counter()
    report = import_records(platform.records, "enterprise", sheet, Actor("bench", is_admin=True), source="bench")
    full = time.perf_counter() - start
    assert report.committed and report.created == COUNT, report.errors[:3]
    return (
        f"import {COUNT} rows: full record service {COUNT / full:,.0f} rows/s, raw executemany "
        f"{COUNT / raw:,.0f} rows/s, ratio {raw / full:.2f} (goal >= 0.25)"
    )


if __name__ == "__main__":
    print(main())
