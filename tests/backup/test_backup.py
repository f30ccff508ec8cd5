"""Backups: taken while records are written, restored into a fresh database, compared table by
table and through the audit chain; tampering named by file; incremental chains and retention."""

import io
import json
import shutil
import threading
import time

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from anjian import Actor
from anjian.audit import attach, verify
from anjian.audit.tables import audit_log
from anjian.backup import BackupError, create_backup, installation_seal, list_backups, prune, restore_backup, verify_backup
from anjian.backup.checksums import table_checksums
from anjian.cli.main import cli
from anjian.store.db import make_engine
from anjian.tasks import app as tasks
from anjian.tasks.app import backup_schedule

ADMIN = Actor("admin", is_admin=True)
PDF = b"%PDF-1.4\n%test\n"


def _upload(platform, name):
    spec = platform.registry.entity("enterprise")
    stored = platform.files.save(
        spec, spec.field("licence_files"), name, "application/pdf", io.BytesIO(PDF + name.encode()), ADMIN
    )
    return stored["id"]


def _backup(platform, root, kind="full"):
    settings = platform.settings
    return create_backup(platform.engine, installation_seal(settings.home), settings.upload_dir, root, kind, ADMIN)


def _new_machine(platform, tmp_path):
    """A new installation's home holding only the source's audit key (as docs/operations.md says)."""
    home = tmp_path / "new-machine"
    home.mkdir()
    shutil.copy(platform.settings.home / "audit.key", home / "audit.key")
    return home


def _wait_for(condition, what):
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


@pytest.mark.postgres
def test_a_backup_taken_during_writes_restores_equal_to_its_snapshot(published, record_factory, tmp_path, target_url):
    files = [_upload(published, f"证照{n}.pdf") for n in range(2)]
    bodies = [record_factory.body("enterprise") for _ in range(400)]
    written, failures, stop = [], [], threading.Event()

    def writer():
        for body in bodies:
            if stop.is_set():
                return
            try:
                written.append(published.records.create("enterprise", body, ADMIN)["id"])
            except Exception as error:  # reported below, in the test's thread
                failures.append(error)
                return

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        _wait_for(lambda: len(written) >= 10 or failures, "the first writes")
        before = len(written)
        manifest = _backup(published, tmp_path / "backups")
        after = len(written)
    finally:
        stop.set()
        thread.join()
    assert not failures
    backed_up = manifest.tables["enterprise"]["rows"]
    assert before <= backed_up <= after

    home = _new_machine(published, tmp_path)
    report = restore_backup(tmp_path / "backups" / manifest.id, target_url, home / "files", installation_seal(home), ADMIN)
    assert report.mismatches == [] and report.key_matches
    assert report.tables == len(manifest.tables) and report.attachments == 2

    engine = make_engine(target_url)
    attach(engine, installation_seal(home))
    try:
        with engine.connect() as conn:
            checked, fault = verify(conn, anchors=())
            restored = {name: total.as_dict() for name, total in table_checksums(conn).items()}
            # One snapshot: every enterprise row in the copy has its audit entry in the copy, and no more.
            creates = conn.execute(
                select(func.count())
                .select_from(audit_log)
                .where(audit_log.c.action == "create", audit_log.c.entity == "enterprise")
            ).scalar_one()
            restore_entry = conn.execute(select(audit_log.c.action).order_by(audit_log.c.id.desc()).limit(1)).scalar_one()
    finally:
        engine.dispose()
    assert fault is None and checked > manifest.audit["head_id"] - 1
    assert creates == backed_up
    assert restore_entry == "backup_restore"
    manifest_tables = {name: value for name, value in manifest.tables.items() if name != audit_log.name}
    assert {name: value for name, value in restored.items() if name != audit_log.name} == manifest_tables
    assert [(home / "files" / f[:2] / f).read_bytes() for f in files] == [PDF + f"证照{n}.pdf".encode() for n in range(2)]

    result = CliRunner().invoke(cli, ["audit", "verify"], env={"ANJIAN_HOME": str(home), "ANJIAN_DATABASE_URL": target_url})
    assert result.exit_code == 0, result.output
    assert "audit chain intact" in result.output


def test_verify_names_the_altered_or_missing_file(published, tmp_path):
    file_id = _upload(published, "许可证.pdf")
    manifest = _backup(published, tmp_path / "backups")
    folder = tmp_path / "backups" / manifest.id
    seal = installation_seal(published.settings.home)
    assert verify_backup(folder, seal) == []

    database = folder / "database.sqlite3"
    data = bytearray(database.read_bytes())
    data[-100] ^= 0xFF
    database.write_bytes(bytes(data))
    (folder / "files" / file_id[:2] / file_id).unlink()
    (folder / "notes.txt").write_text("added later")
    problems = verify_backup(folder, seal)
    assert f"{database}: altered (its SHA-256 differs from the manifest's)" in problems
    assert f"{folder / 'files' / file_id[:2] / file_id}: missing" in problems
    assert f"{folder / 'notes.txt'}: not part of the backup (added after it was taken)" in problems

    document = json.loads((folder / "manifest.json").read_text())
    document["tables"]["enterprise"]["rows"] += 1
    (folder / "manifest.json").write_text(json.dumps(document))
    assert any("manifest.json: altered" in p for p in verify_backup(folder, seal))

    env = {"ANJIAN_HOME": str(published.settings.home), "ANJIAN_DATABASE_URL": published.settings.db_url}
    result = CliRunner().invoke(cli, ["backup", "verify", str(tmp_path / "backups")], env=env)
    assert result.exit_code == 1
    assert str(database) in result.output

    with pytest.raises(BackupError, match="incomplete or altered"):
        restore_backup(folder, f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "files", seal, ADMIN)


def test_a_restore_onto_a_database_with_tables_is_refused_unless_forced(published, tmp_path, target_url):
    root = tmp_path / "backups"
    _backup(published, root)
    env = {"ANJIAN_HOME": str(published.settings.home), "ANJIAN_DATABASE_URL": published.settings.db_url}
    runner = CliRunner()
    result = runner.invoke(cli, ["backup", "restore", str(root), "--database-url", published.settings.db_url], env=env)
    assert result.exit_code == 1
    assert "already has tables" in result.output

    first = runner.invoke(cli, ["backup", "restore", str(root), "--database-url", target_url], env=env)
    assert first.exit_code == 0, first.output
    again = runner.invoke(cli, ["backup", "restore", str(root), "--database-url", target_url, "--force"], env=env)
    assert again.exit_code == 0, again.output
    assert "tables match the backup" in again.output
    listing = runner.invoke(cli, ["backup", "list", str(root)], env=env)
    assert listing.exit_code == 0 and "\tfull\t" in listing.output


def test_incremental_backups_copy_new_attachments_only_and_restore_the_whole_chain(published, tmp_path, target_url):
    root = tmp_path / "backups"
    with pytest.raises(BackupError, match="no full backup"):
        _backup(published, root, "incremental")
    old = _upload(published, "旧.pdf")
    full = _backup(published, root)
    new = _upload(published, "新.pdf")
    incremental = _backup(published, root, "incremental")
    assert (incremental.base, incremental.parent) == (full.id, full.id)
    assert incremental.attachments == {old: full.id, new: incremental.id}
    assert not (root / incremental.id / "files" / old[:2] / old).exists()
    assert verify_backup(root / incremental.id) == []

    home = _new_machine(published, tmp_path)
    report = restore_backup(root / incremental.id, target_url, home / "files", installation_seal(home), ADMIN)
    assert report.mismatches == [] and report.attachments == 2
    assert (home / "files" / old[:2] / old).read_bytes() == PDF + "旧.pdf".encode()

    (root / full.id / "files" / old[:2] / old).unlink()
    assert verify_backup(root / incremental.id) == [
        f"{root / full.id / 'files' / old[:2] / old}: missing (attachment {old} of {incremental.id} is kept in {full.id})"
    ]


def test_retention_keeps_the_newest_full_backups_and_their_incrementals(published, tmp_path):
    root = tmp_path / "backups"
    taken = []
    for _ in range(3):
        taken.append(_backup(published, root).id)
        taken.append(_backup(published, root, "incremental").id)
    assert prune(root, 2) == taken[:2]
    assert [m.id for m in list_backups(root)] == taken[2:]
    assert prune(root, 2) == []


def test_the_beat_takes_a_weekly_full_and_daily_incremental_backups(settings):
    assert {"anjian-backup-full", "anjian-backup-incremental"} <= set(tasks.celery_app.conf.beat_schedule)
    schedule = backup_schedule(settings.model_copy(update={"backup_full_weekday": 6, "backup_hour": 1}))
    full, incremental = schedule["anjian-backup-full"], schedule["anjian-backup-incremental"]
    assert full["args"] == ("full",) and incremental["args"] == ("incremental",)
    assert full["schedule"].day_of_week == {6} and incremental["schedule"].day_of_week == {0, 1, 2, 3, 4, 5}
    assert full["schedule"].hour == {1} == incremental["schedule"].hour
    assert backup_schedule(settings.model_copy(update={"backup_schedule": False})) == {}


def test_a_backup_of_another_engine_is_not_restored(published, tmp_path):
    root = tmp_path / "backups"
    manifest = _backup(published, root)
    with pytest.raises(BackupError, match="sqlite backup and cannot be restored onto postgresql"):
        restore_backup(root / manifest.id, "postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path / "f", None, ADMIN)


def test_the_scheduled_task_starts_a_chain_with_a_full_backup_and_prunes(published, monkeypatch, tmp_path):
    root = tmp_path / "scheduled"
    monkeypatch.setattr(published, "settings", published.settings.model_copy(update={"backup_dir": root, "backup_keep_full": 1}))
    monkeypatch.setattr(tasks, "worker_platform", lambda: published)
    task = tasks.celery_app.tasks["anjian.backup"]
    first = task.apply(args=("incremental",)).get()  # as the beat-scheduled run does, in-process
    assert first["kind"] == "full" and first["deleted"] == []
    second = task.apply(args=("incremental",)).get()
    assert second["kind"] == "incremental"
    third = task.apply(args=("full",)).get()
    assert third["deleted"] == [first["backup"], second["backup"]]
    assert [m.id for m in list_backups(root)] == [third["backup"]]
