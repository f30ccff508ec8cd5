"""SQLite's write-ahead log is checkpointed: no connection keeps a read snapshot open.

A connection left in a read transaction pins the checkpoint at its snapshot, so the -wal file
grows with every write for as long as the process lives (7.25 GB in one run). The long run with a
real server and worker is tests/integration/test_wal_bound.py.
"""

import random
import sqlite3

import pytest

from anjian import Actor
from anjian.demo import credit_code

ADMIN = Actor("admin", is_admin=True)


def _checkpoint(path):
    """PRAGMA wal_checkpoint(PASSIVE) from a connection of its own: (busy, frames in log, frames copied)."""
    with sqlite3.connect(path) as raw:
        return raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()


def _write(platform, count):
    rng = random.Random(count)
    for n in range(count):
        platform.records.create(
            "enterprise",
            {"name": f"检查点测试{n}有限公司", "credit_code": credit_code(rng), "region_code": "350524", "industry": "C"},
            ADMIN,
        )


def test_the_web_app_leaves_no_read_snapshot_open_after_start_up(published):
    from anjian.web.app import create_app

    if published.engine.dialect.name != "sqlite":
        pytest.skip("the write-ahead log is SQLite's")
    create_app(platform=published, config={"TESTING": True})
    assert published.engine.pool.checkedout() == 0
    _write(published, 30)
    busy, log, copied = _checkpoint(published.engine.url.database)
    assert busy == 0 and log > 0 and copied == log, (busy, log, copied)


def test_a_checkpointed_wal_is_cut_back_to_a_size_limit(published):
    """journal_size_limit: a checkpointed log shrinks back instead of keeping its largest size."""
    if published.engine.dialect.name != "sqlite":
        pytest.skip("the write-ahead log is SQLite's")
    with published.engine.connect() as conn:
        limit = conn.exec_driver_sql("PRAGMA journal_size_limit").scalar()
    assert 0 < limit <= 64 * 1024 * 1024
