"""重大危险源备案 with its 15-day filing limit and expiry reminder; 隐患统计报表 due dates (16号令 Art. 14)."""

import datetime as dt
import io

import pytest
from sqlalchemy import select

from anjian import Actor
from anjian.workflow.tables import deadline

pytestmark = pytest.mark.postgres
TOWN = "350524100000"
ENT, OFFICER, HEAD = Actor("ent"), Actor("officer"), Actor("head")
ADMIN = Actor("admin", is_admin=True)


def due(platform, record, rule):
    with platform.engine.connect() as conn:
        row = conn.execute(
            select(deadline).where(deadline.c.record_id == record, deadline.c.rule == rule, deadline.c.status == "open")
        ).one()
    return (row.due_at + dt.timedelta(hours=8)).isoformat(sep=" ")


@pytest.mark.parametrize(
    ("period", "quarter", "expected"),
    [("quarter", 3, "2025-10-15"), ("quarter", 4, "2026-01-15"), ("annual", None, "2026-01-31")],
)
def test_statistics_reports_are_due_by_the_rule(county, period, quarter, expected):
    platform = county["platform"]
    body = {"enterprise_id": county["firms"][0], "region_code": TOWN, "period": period, "year": 2025, "general_found": 3}
    if quarter:
        body["quarter"] = quarter
    report = platform.records.create("hazard_statistics", body, ENT)
    assert report["due_on"] == expected
    assert due(platform, report["id"], "report_due") == f"{expected} 23:59:59"


def test_a_statistics_report_is_signed_submitted_and_received(county):
    platform = county["platform"]
    report = platform.records.create(
        "hazard_statistics",
        {"enterprise_id": county["firms"][0], "region_code": TOWN, "period": "quarter", "year": 2025, "quarter": 3},
        ENT,
    )
    with pytest.raises(Exception, match="主要负责人签字"):
        platform.workflow.take(ENT, "hazard_statistics", report["id"], "submit", {})
    platform.records.update("hazard_statistics", report["id"], {"signed_by": "陈总经理"}, ENT, partial=True)
    platform.workflow.take(ENT, "hazard_statistics", report["id"], "submit", {})
    platform.workflow.take(OFFICER, "hazard_statistics", report["id"], "receive", {})
    status = platform.workflow.status(ENT, "hazard_statistics", report["id"])
    assert status["state"] == "received" and status["locked"]
    assert [d["status"] for d in status["deadlines"]] == ["met"]


def test_filing_limit_expiry_reminder_and_amendment(county):
    platform, clock = county["platform"], county["clock"]
    clock.set_local("2025-09-22 09:00")
    # The register entry (GB 18218-2018): 液氨 150 t (Q 10 t, β 2), 60 people nearby → R = 45, 三级.
    source = platform.records.create(
        "major_hazard_source",
        {
            "enterprise_id": county["firms"][0],
            "region_code": TOWN,
            "name": "液氨储罐区",
            "unit_kind": "storage",
            "people_nearby": 60,
            "chemicals": [{"chemical": "7664-41-7", "quantity": 150}],
        },
        ADMIN,
    )
    filing = platform.records.create(
        "hazard_source_filing",
        {
            "enterprise_id": county["firms"][0],
            "region_code": TOWN,
            "source_name": "液氨储罐区",
            "source_id": source["id"],
            "hazard_level": "1",  # not typed: it follows from the register
            "assessment_on": "2025-09-20",
            "valid_until": "2099-12-31",  # not typed: it follows from the assessment date
        },
        ENT,
    )
    assert (filing["hazard_level"], filing["r_value"]) == ("3", 45.0)
    # Re-assessment when the assessment is 3 years old (40号令 Art. 11; profile filing.reassessment_period).
    assert filing["valid_until"] == "2028-09-20"
    # 15 days after 9/20 is 10/5, inside the National Day holiday: the limit ends on 10/9.
    assert due(platform, filing["id"], "submit_within") == "2025-10-09 23:59:59"
    with pytest.raises(Exception, match="安全评估报告"):
        platform.workflow.take(ENT, "hazard_source_filing", filing["id"], "submit", {})
    spec = platform.registry.entity("hazard_source_filing")
    report = platform.files.save(
        spec, spec.field("assessment_files"), "评估报告.pdf", "application/pdf", io.BytesIO(b"%PDF-1.4"), ENT
    )
    platform.records.update("hazard_source_filing", filing["id"], {"assessment_files": [report["id"]]}, ENT, partial=True)
    platform.workflow.take(ENT, "hazard_source_filing", filing["id"], "submit", {})
    platform.workflow.take(OFFICER, "hazard_source_filing", filing["id"], "receive", {})
    platform.workflow.take(
        HEAD,
        "hazard_source_filing",
        filing["id"],
        "file",
        {"data": {"filing_no": "安溪危备〔2025〕12号"}},
    )
    assert due(platform, filing["id"], "expiry") == "2028-09-20 23:59:59"
    clock.set_local("2028-06-22 08:00")  # 90 days before the expiry (profile filing.expiry_reminder) is 2028-06-22 23:59:59
    assert platform.timers.scan() == 0
    clock.set_local("2028-06-23 08:00")
    assert platform.timers.scan() == 1
    with platform.engine.connect() as conn:
        notes = platform.workflow.notices.listing(conn, "ent")
    assert notes[0]["kind"] == "reminder" and "备案到期" in notes[0]["title"]
    # Filed is locked: the enterprise cannot edit it; the county corrects it by an amendment.
    with pytest.raises(Exception, match="更正"):
        platform.records.update("hazard_source_filing", filing["id"], {"source_name": "改名"}, ENT, partial=True)
    amended = platform.workflow.amend(OFFICER, "hazard_source_filing", filing["id"], {"chemicals": "液氨 25 吨"})
    assert amended["amends"] == filing["id"] and amended["source_name"] == "液氨储罐区"
    assert platform.workflow.status(OFFICER, "hazard_source_filing", amended["id"])["state"] == "draft"
