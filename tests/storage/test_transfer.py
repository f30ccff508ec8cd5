"""Import and export through the record service's rules; all-or-nothing; a killed import leaves nothing."""

import csv
import io
import os
import signal
import subprocess
import sys
import time

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from anjian import Actor
from anjian.data.query import ListQuery
from anjian.data.transfer import export_records, import_records, read_rows

pytestmark = pytest.mark.postgres
ACTOR = Actor("importer", is_admin=True)
HEADER = ["企业名称", "credit_code", "所在行政区划", "industry", "经营状态", "从业人员数", "成立日期"]
CODES = ["91512081MA62K0260E", "91430111MA4L41YT1U", "91350200MA2YJ1XR9G", "914403001922038216"]


def csv_rows(*rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return list(read_rows("x.csv", io.BytesIO(buffer.getvalue().encode("utf-8-sig"))))


def count(platform):
    with platform.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(platform.registry.table("enterprise"))).scalar_one()


def writes_in_progress(platform):
    """Whether another connection holds an uncommitted write transaction on the database."""
    if platform.engine.dialect.name == "sqlite":
        import sqlite3

        conn = sqlite3.connect(platform.engine.url.database, timeout=0)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.rollback()
            return False
        except sqlite3.OperationalError:  # database is locked: the import is writing
            return True
        finally:
            conn.close()
    with platform.engine.connect() as conn:
        others = "select count(*) from pg_stat_activity where pid <> pg_backend_pid() and backend_xid is not null"
        return conn.exec_driver_sql(others).scalar_one() > 0


def test_csv_import_with_titles_labels_and_types(published):
    rows = csv_rows(
        ["甲公司有限公司", CODES[0], "350524100000", "C", "在业", "12", "2001-05-01"],
        ["乙公司有限公司", CODES[1], "350524101000", "B", "停产停业", "", ""],
    )
    report = import_records(published.records, "enterprise", rows, ACTOR, source="x.csv")
    assert report.committed and report.created == 2 and report.errors == []
    page = published.reader.page
    with published.engine.connect() as conn:
        items = page(
            conn,
            published.registry.entity("enterprise"),
            ListQuery.parse(published.registry.entity("enterprise"), {"sort": "name"}),
        )["items"]
    assert [(i["status"], i["employees"], i["established_on"]) for i in items] == [
        ("suspended", None, None),
        ("active", 12, "2001-05-01"),
    ]


def test_all_or_nothing_by_default_with_a_row_level_report(published):
    rows = csv_rows(
        ["好公司有限公司", CODES[0], "350524", "C", "在业", "1", ""],
        ["坏", CODES[1], "350524", "ZZ", "营业中", "许多", ""],
        ["重复代码有限公司", CODES[0], "350524", "C", "在业", "1", ""],
    )
    report = import_records(published.records, "enterprise", rows, ACTOR)
    assert not report.committed and count(published) == 0
    found = {(e.row, e.pointer) for e in report.errors}
    assert {(3, "/name"), (3, "/status"), (3, "/employees"), (4, "/credit_code")} <= found
    skipped = import_records(published.records, "enterprise", rows, ACTOR, skip_invalid=True)
    assert skipped.committed and skipped.created == 1 and skipped.skipped == 2 and count(published) == 1


def test_unknown_columns_stop_the_import(published):
    rows = [["企业名称", "颜色"], ["某公司", "红"]]
    report = import_records(published.records, "enterprise", rows, ACTOR)
    assert not report.committed and "颜色" in report.errors[0].message


def test_xlsx_round_trip(published, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["表格公司有限公司", CODES[2], "350524", "C", "在业", 30, None])
    path = tmp_path / "in.xlsx"
    book.save(path)
    assert import_records(published.records, "enterprise", read_rows(path), ACTOR).created == 1
    out = io.BytesIO()
    spec = published.registry.entity("enterprise")
    assert export_records(published.records, "enterprise", ListQuery.parse(spec, {}), "xlsx", out, ACTOR) == 1
    exported = list(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True))
    assert exported[0][:3] == ("id", "企业名称", "统一社会信用代码")
    assert "在业" in exported[1]  # enum values are exported by their labels
    # ...and the exported file imports again (ids ignored, labels mapped back), here into an empty table.
    published.records.delete("enterprise", exported[1][0], ACTOR)
    again = import_records(published.records, "enterprise", read_rows("x.xlsx", io.BytesIO(out.getvalue())), ACTOR)
    assert again.committed and again.created == 1, again.errors


def test_export_applies_filters_and_is_audited(published):
    import_records(
        published.records,
        "enterprise",
        csv_rows(
            ["制造公司有限公司", CODES[0], "350524", "C", "在业", "1", ""],
            ["矿业公司有限公司", CODES[1], "350524", "B", "在业", "1", ""],
        ),
        ACTOR,
    )
    spec = published.registry.entity("enterprise")
    out = io.BytesIO()
    assert export_records(published.records, "enterprise", ListQuery.parse(spec, {"industry": "B"}), "csv", out, ACTOR) == 1
    text = out.getvalue().decode("utf-8-sig")
    assert "矿业公司" in text and "制造公司" not in text
    from anjian.data.system import audit_log

    with published.engine.connect() as conn:
        actions = list(conn.execute(select(audit_log.c.action).where(audit_log.c.entity == "enterprise")).scalars())
    assert actions == ["import", "export"]


def test_a_killed_import_leaves_the_database_consistent(published, tmp_path, settings):
    import random

    from anjian.demo import credit_code

    rng = random.Random(7)
    path = tmp_path / "big.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "credit_code", "region_code", "industry"])
        for n in range(10_000):
            writer.writerow([f"批量导入第{n}号有限公司", credit_code(rng), "350524", "C"])
    env = {
        **os.environ,
        "ANJIAN_HOME": str(settings.home),
        "ANJIAN_DATABASE_URL": settings.db_url,
        "ANJIAN_SECRET_KEY": settings.secret_key,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "anjian.cli", "import", "enterprise", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = ""
    while process.poll() is None and "writing" not in seen:
        seen += process.stderr.readline()
    while process.poll() is None and not writes_in_progress(published):
        time.sleep(0.01)  # polls for the import's open write transaction; no guessed delay
    assert process.poll() is None, f"the import ended before it could be killed: {seen}"
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    assert count(published) == 0  # nothing half-imported
    report = import_records(published.records, "enterprise", read_rows(path), ACTOR)
    assert report.committed and count(published) == 10_000
