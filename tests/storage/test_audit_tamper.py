"""The three rewrites a plain hash chain let through, and the keyed, anchored chain that catches them.

The attacker here can write the database (SQL access, a stolen backup restored) but cannot read
``ANJIAN_HOME/audit.key``. They know the platform's digest (the code is open), so after editing an
entry they recompute every later hash with it; they delete the newest entries; they delete all.
"""

import datetime as dt
import hashlib
import json
import os
import stat

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select, update

from anjian import Actor
from anjian.audit import advance_anchor, append, read_anchor, verify
from anjian.audit.log import KEYED_ACTION
from anjian.audit.retention import purge
from anjian.audit.seal import OPTION, seal_of
from anjian.data.db import write
from anjian.data.system import audit_log

pytestmark = pytest.mark.postgres
ACTOR = Actor("auditor", "127.0.0.1", is_admin=True)


def entries(platform, count, label="e"):
    with write(platform.engine) as conn, conn.begin():
        for n in range(count):
            append(conn, ACTOR, "update", "enterprise", n, {"label": f"{label}{n}"}, region="350524")


def check(platform, **options):
    with platform.engine.connect() as conn:
        return verify(conn, **options)


def public_digest(prev, row):
    """The chain's digest as the source code shows it, computed without any key."""
    body = json.dumps(
        [
            prev,
            row.at.isoformat(timespec="microseconds"),
            row.actor,
            row.address,
            row.action,
            row.entity,
            row.record_id,
            *([row.region] if row.region else []),
            row.detail,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def rewrite_from(platform, first_id, change):
    """Edit entry ``first_id`` with ``change`` and recompute every later hash with the public digest."""
    with write(platform.engine) as conn, conn.begin():
        rows = conn.execute(select(audit_log).where(audit_log.c.id >= first_id).order_by(audit_log.c.id)).all()
        prev = rows[0].prev_hash
        for row in rows:
            values = {**row._mapping, **(change if row.id == first_id else {}), "prev_hash": prev}
            fake = type("Row", (), values)
            values["hash"] = public_digest(prev, fake)
            conn.execute(update(audit_log).where(audit_log.c.id == row.id).values(**values))
            prev = values["hash"]


def ids(platform):
    with platform.engine.connect() as conn:
        return list(conn.execute(select(audit_log.c.id).order_by(audit_log.c.id)).scalars())


def test_editing_an_entry_and_recomputing_the_chain_is_detected(platform):
    entries(platform, 6)
    assert check(platform) == (6, None)
    rewrite_from(platform, ids(platform)[2], {"detail": {"label": "covered up"}})
    count, fault = check(platform)
    assert fault and count == 2 and "altered" in fault


def test_deleting_the_newest_entries_is_detected(platform):
    entries(platform, 6)
    assert check(platform) == (6, None)  # a whole verify anchors the head
    with write(platform.engine) as conn, conn.begin():
        conn.execute(delete(audit_log).where(audit_log.c.id > ids(platform)[3]))
    count, fault = check(platform)
    assert fault and "newest entries deleted" in fault and count == 4


def test_deleting_every_entry_is_detected(platform):
    entries(platform, 3)
    with platform.engine.connect() as conn:
        assert advance_anchor(conn) == (3, None)  # what the worker's beat does
    with write(platform.engine) as conn, conn.begin():
        conn.execute(delete(audit_log))
    count, fault = check(platform)
    assert count == 0 and fault and "has no entries" in fault


def test_the_key_lives_outside_the_database_readable_by_its_owner_only(platform, settings):
    key_file = settings.home / "audit.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    entries(platform, 1)
    with platform.engine.connect() as conn:
        stored = conn.execute(select(audit_log)).one()
        assert stored.hash != public_digest(stored.prev_hash, stored)  # keyed, not the public digest
        assert key_file.read_text().strip() not in json.dumps([list(r) for r in conn.execute(select(audit_log))], default=str)


def test_an_altered_anchor_file_is_reported(platform, settings):
    entries(platform, 2)
    assert check(platform) == (2, None)
    anchor_file = settings.home / "audit-anchor.json"
    data = json.loads(anchor_file.read_text())
    anchor_file.write_text(json.dumps({**data, "id": 1}))
    assert "audit key" in check(platform)[1]


def test_the_beat_checks_what_was_written_since_the_anchor_and_keeps_the_anchor_on_a_fault(platform, settings):
    entries(platform, 4)
    with platform.engine.connect() as conn:
        assert advance_anchor(conn) == (4, None)
    entries(platform, 3, "later")
    with platform.engine.connect() as conn:
        assert advance_anchor(conn) == (3, None)  # only the entries after the anchor are walked
        anchored = read_anchor(settings.home / "audit-anchor.json", seal_of(conn))
    assert anchored.id == ids(platform)[-1]
    with write(platform.engine) as conn, conn.begin():
        conn.execute(delete(audit_log).where(audit_log.c.id >= ids(platform)[-2]))
    entries(platform, 1, "after the cut")
    with platform.engine.connect() as conn:
        checked, fault = advance_anchor(conn)
        assert fault and read_anchor(settings.home / "audit-anchor.json", seal_of(conn)) == anchored


def unkeyed(platform):
    """Write as the platform did before keys: no seal on the engine."""
    seal = platform.engine.get_execution_options()[OPTION]
    platform.engine.update_execution_options(**{OPTION: None})
    return seal


def test_a_chain_written_before_keys_goes_on_keyed_and_still_verifies_and_purges(platform, monkeypatch):
    from anjian.audit import log as audit_module

    seal = unkeyed(platform)
    old = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=300)
    monkeypatch.setattr(audit_module, "utc_now", lambda: old)
    entries(platform, 3, "legacy")
    monkeypatch.undo()
    platform.engine.update_execution_options(**{OPTION: seal})
    entries(platform, 2, "keyed")
    with platform.engine.connect() as conn:
        marker = conn.execute(select(audit_log).where(audit_log.c.action == KEYED_ACTION)).one()
        assert marker.detail == {"unkeyed_until": ids(platform)[2]}
    assert check(platform) == (6, None)  # three unkeyed, the marker, two keyed
    assert purge(platform.engine, ACTOR, 180).purged == 3
    assert check(platform) == (4, None)


def test_an_unkeyed_past_rewritten_after_the_switch_is_detected(platform):
    seal = unkeyed(platform)
    entries(platform, 3, "legacy")
    platform.engine.update_execution_options(**{OPTION: seal})
    entries(platform, 2, "keyed")
    assert check(platform)[1] is None
    rewrite_from(platform, ids(platform)[1], {"actor": "someone else"})
    assert check(platform)[1]


def test_keyed_entries_rewritten_as_an_unkeyed_chain_are_not_blessed_by_a_new_marker(platform):
    entries(platform, 3)
    assert check(platform) == (3, None)
    rewrite_from(platform, ids(platform)[0], {"actor": "someone else"})
    entries(platform, 1)  # a process appends after the rewrite: the anchor exists, so no marker
    with platform.engine.connect() as conn:
        assert conn.execute(select(func.count()).where(audit_log.c.action == KEYED_ACTION)).scalar_one() == 0
    assert "altered" in check(platform)[1]


def test_cli_verify_checks_copies_of_the_anchor_kept_elsewhere(platform, settings, tmp_path):
    from anjian.cli.main import cli

    env = {
        "ANJIAN_HOME": str(settings.home),
        "ANJIAN_DATABASE_URL": settings.db_url,
        "ANJIAN_SECRET_KEY": settings.secret_key,
    }
    runner = CliRunner()
    entries(platform, 4)
    printed = runner.invoke(cli, ["audit", "anchor"], env=env)
    assert printed.exit_code == 0, printed.output
    copy = tmp_path / "upper-level-copy.json"
    copy.write_text(printed.output)
    with write(platform.engine) as conn, conn.begin():
        conn.execute(delete(audit_log).where(audit_log.c.id > ids(platform)[1]))
    (settings.home / "audit-anchor.json").unlink()  # the local anchor went with the entries
    assert runner.invoke(cli, ["audit", "verify"], env=env).exit_code == 0  # nothing local remembers them
    broken = runner.invoke(cli, ["audit", "verify", "--anchor", str(copy)], env=env)
    assert broken.exit_code == 1 and "newest entries deleted" in broken.output
