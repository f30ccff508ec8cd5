"""Audit retention: purge entries past the period, keep the chain verifiable from a checkpoint."""

import datetime as dt

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, insert, select, update

from anjian import Actor
from anjian.audit import append, latest_checkpoint, verify
from anjian.audit import log as audit_module
from anjian.audit.retention import ChainBroken, purge
from anjian.data.db import write
from anjian.data.system import audit_checkpoint, audit_log

pytestmark = pytest.mark.postgres
ACTOR = Actor("auditor", "127.0.0.1", is_admin=True)


def write_entries(platform, monkeypatch, count, days_ago=0, label="e"):
    """Append ``count`` entries as if written ``days_ago`` days ago (the clock, not the row, is moved)."""
    moment = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=days_ago)
    monkeypatch.setattr(audit_module, "utc_now", lambda: moment)
    with write(platform.engine) as conn, conn.begin():
        for n in range(count):
            append(conn, ACTOR, "update", "enterprise", n, {"label": f"{label}{n}"}, region="350524")
    monkeypatch.undo()


def ids(platform):
    with platform.engine.connect() as conn:
        return list(conn.execute(select(audit_log.c.id).order_by(audit_log.c.id)).scalars())


def check(platform):
    with platform.engine.connect() as conn:
        return verify(conn)


@pytest.fixture
def log(platform, monkeypatch):
    """Three entries from 200 days ago, then two from today."""
    write_entries(platform, monkeypatch, 3, days_ago=200, label="old")
    write_entries(platform, monkeypatch, 2, label="new")
    return platform


def test_a_dry_run_counts_and_deletes_nothing(log):
    before = ids(log)
    result = purge(log.engine, ACTOR, 180, dry_run=True)
    assert result.dry_run and result.purged == 3 and result.checkpoint is None
    assert ids(log) == before


def test_purge_deletes_old_entries_and_verify_starts_at_the_checkpoint(log):
    before = ids(log)
    with log.engine.connect() as conn:
        last_old_hash = conn.execute(select(audit_log.c.hash).where(audit_log.c.id == before[2])).scalar_one()
    result = purge(log.engine, ACTOR, 180)
    assert result.purged == 3 and result.last_id == before[2]
    remaining = ids(log)
    assert remaining[:2] == before[3:] and len(remaining) == 3  # two young entries and the purge entry
    with log.engine.connect() as conn:
        checkpoint = latest_checkpoint(conn)
        assert (checkpoint.last_id, checkpoint.last_hash, checkpoint.purged) == (before[2], last_old_hash, 3)
        assert checkpoint.purged_by == "auditor"
        entry = conn.execute(select(audit_log).where(audit_log.c.action == "audit_purge")).one()
        assert entry.detail["last_hash"] == last_old_hash and entry.record_id == str(checkpoint.id)
    assert check(log) == (3, None)
    assert purge(log.engine, ACTOR, 180).purged == 0  # nothing more is due


def test_a_second_purge_chains_from_the_first_checkpoint(platform, monkeypatch):
    write_entries(platform, monkeypatch, 2, days_ago=400)
    purge(platform.engine, ACTOR, 180)
    write_entries(platform, monkeypatch, 1)
    # Everything is due under a longer clock: the first purge's entry too; the chain still verifies.
    monkeypatch.setattr(
        "anjian.audit.retention.utc_now", lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=365)
    )
    second = purge(platform.engine, ACTOR, 180)
    monkeypatch.undo()
    assert second.purged == 2 and len(ids(platform)) == 1  # only the second purge entry is left
    assert check(platform) == (1, None)


def test_an_entry_altered_after_the_checkpoint_is_detected(log):
    purge(log.engine, ACTOR, 180)
    first_kept = ids(log)[0]
    with write(log.engine) as conn, conn.begin():
        conn.execute(update(audit_log).where(audit_log.c.id == first_kept + 1).values(actor="mallory"))
    count, fault = check(log)
    assert count == 1 and f"entry {first_kept + 1}" in fault and "altered" in fault


def test_an_entry_removed_right_after_the_checkpoint_is_detected(log):
    purge(log.engine, ACTOR, 180)
    first_kept = ids(log)[0]
    with write(log.engine) as conn, conn.begin():
        conn.execute(delete(audit_log).where(audit_log.c.id == first_kept))
    count, fault = check(log)
    assert count == 0 and "chain link broken" in fault


def test_a_forged_checkpoint_that_skips_entries_is_detected(log):
    purge(log.engine, ACTOR, 180)
    kept = ids(log)
    with write(log.engine) as conn, conn.begin():
        # Tamper with the first kept entry, then try to hide it behind a new checkpoint.
        conn.execute(update(audit_log).where(audit_log.c.id == kept[0]).values(actor="mallory"))
        row = conn.execute(select(audit_log).where(audit_log.c.id == kept[0])).one()
        conn.execute(
            insert(audit_checkpoint).values(
                last_id=row.id, last_hash=row.hash, purged=1, cutoff=row.at, purged_by="mallory", purged_at=row.at
            )
        )
    count, fault = check(log)
    assert fault and "checkpoint" in fault and "forged" in fault


def test_purge_refuses_a_broken_chain_and_keeps_the_evidence(log):
    first = ids(log)[0]
    with write(log.engine) as conn, conn.begin():
        conn.execute(update(audit_log).where(audit_log.c.id == first + 1).values(detail={"label": "changed"}))
    with pytest.raises(ChainBroken):
        purge(log.engine, ACTOR, 180)
    with log.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar_one() == 5
        assert latest_checkpoint(conn) is None


def test_retention_below_six_months_is_refused(platform):
    with pytest.raises(ValueError):
        purge(platform.engine, ACTOR, 30)


def test_cli_purge_and_verify(log, settings):
    from anjian.cli.main import cli

    env = {
        "ANJIAN_HOME": str(settings.home),
        "ANJIAN_DATABASE_URL": settings.db_url,
        "ANJIAN_SECRET_KEY": settings.secret_key,
        "ANJIAN_AUDIT_RETENTION_DAYS": "190",
    }
    runner = CliRunner()
    dry = runner.invoke(cli, ["audit", "purge", "--dry-run"], env=env)
    assert dry.exit_code == 0 and "3 entries" in dry.output and "would be purged" in dry.output
    assert len(ids(log)) == 5
    done = runner.invoke(cli, ["audit", "purge"], env=env)
    assert done.exit_code == 0 and "purged 3 entries" in done.output
    verified = runner.invoke(cli, ["audit", "verify"], env=env)
    assert verified.exit_code == 0 and "intact: 3 entries" in verified.output and "checkpoint" in verified.output
    with write(log.engine) as conn, conn.begin():
        conn.execute(update(audit_log).where(audit_log.c.action == "update").values(record_id="99"))
    broken = runner.invoke(cli, ["audit", "verify"], env=env)
    assert broken.exit_code == 1 and "broken" in broken.output


def test_the_daily_task_purges_with_the_configured_retention(log, monkeypatch):
    from anjian.tasks import app as tasks

    monkeypatch.setattr(tasks, "worker_platform", lambda: log)
    celery = tasks.celery_app
    assert celery.conf.beat_schedule["anjian-audit-purge"]["task"] == "anjian.audit_purge"
    result = celery.tasks["anjian.audit_purge"].apply().get()  # as the beat-scheduled run does, in-process
    assert result["purged"] == 3 and result["checkpoint"]
    assert check(log) == (3, None)
