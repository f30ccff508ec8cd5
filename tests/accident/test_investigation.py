"""事故调查处理: the report's clock from the accident, paused by the technical appraisal; 批复 and
整改评估 clocks; the entrusting rule; then 挂牌督办 with its deadline and publication."""

import datetime as dt

import pytest
from sqlalchemy import select

from anjian import Actor, RecordValidationError
from anjian.workflow.tables import deadline

ENT, OFFICER, HEAD, APPROVER = Actor("ent"), Actor("officer"), Actor("head"), Actor("approver")
TOWN = "350524100000"


def accident(levels, **figures):
    body = {
        "enterprise_id": levels["firm"],
        "region_code": TOWN,
        "occurred_at": "2025-09-29T09:30:00+08:00",
        "account": "储罐检修时发生中毒",
        "deaths": 0,
        "missing": 0,
        "serious_injuries": 1,
        "direct_loss": 20,
        **figures,
    }
    return levels["platform"].records.create("accident_report", body, ENT)


def investigation(levels, accident_id, **extra):
    body = {"accident_id": accident_id, "region_code": TOWN, "case_no": "安应调〔2025〕1号", **extra}
    return levels["platform"].records.create("accident_investigation", body, HEAD)


def take(levels, actor, record, name, data=None, comment=""):
    payload = {"data": data or {}, "comment": comment}
    return levels["platform"].workflow.take(actor, "accident_investigation", record["id"], name, payload)


def clocks(levels, record_id):
    with levels["platform"].engine.connect() as conn:
        rows = conn.execute(
            select(deadline).where(deadline.c.entity == "accident_investigation", deadline.c.record_id == record_id)
        )
        return {r.rule: r for r in rows}


def local(moment):
    return (moment + dt.timedelta(hours=8)).isoformat(sep=" ")


def test_the_technical_appraisal_does_not_count(levels):
    platform, clock = levels["platform"], levels["clock"]
    case = investigation(levels, accident(levels)["id"])
    assert (case["accident_grade"], case["accident_occurred_on"], case["short_period"]) == ("general", "2025-09-29", True)
    assert case["title"].endswith("调查")
    rows = clocks(levels, case["id"])
    assert "report" not in rows  # 一般事故 under 115号: 30 days, not 60
    assert local(rows["report_115"].due_at) == "2025-10-29 23:59:59"
    members = [{"name": "李组长", "unit": "安溪县应急管理局", "role": "leader"}, {"name": "张警官", "unit": "安溪县公安局"}]
    platform.records.update(
        "accident_investigation", case["id"], {"members": members, "investigating_body": "安溪县人民政府"}, HEAD, partial=True
    )
    take(levels, HEAD, case, "form_team")
    clock.set_local("2025-10-10 09:00")
    take(levels, HEAD, case, "start_appraisal", {"appraisal_org": "福建省特种设备检验研究院"}, comment="储罐破裂原因需技术鉴定")
    assert clocks(levels, case["id"])["report_115"].status == "paused"
    clock.set_local("2025-10-20 09:00")
    with pytest.raises(RecordValidationError):
        take(levels, HEAD, case, "end_appraisal")  # the appraisal report is required
    spec = platform.registry.entity("accident_investigation")
    import io

    saved = platform.files.save(
        spec, spec.field("appraisal_files"), "鉴定报告.pdf", "application/pdf", io.BytesIO(b"%PDF-1.4"), HEAD
    )
    platform.records.update("accident_investigation", case["id"], {"appraisal_files": [saved["id"]]}, HEAD, partial=True)
    take(levels, HEAD, case, "end_appraisal")
    row = clocks(levels, case["id"])["report_115"]
    assert row.status == "open" and local(row.due_at) == "2025-11-08 23:59:59"  # ten days later


def test_a_major_accident_has_60_days_and_the_approval_and_assessment_clocks(levels):
    platform, clock = levels["platform"], levels["clock"]
    case = investigation(levels, accident(levels, deaths=10)["id"])
    assert case["short_period"] is False
    rows = clocks(levels, case["id"])
    assert "report_115" not in rows and local(rows["report"].due_at) == "2025-11-28 23:59:59"
    members = [{"name": "李组长", "unit": "福建省人民政府"}]
    platform.records.update(
        "accident_investigation", case["id"], {"members": members, "investigating_body": "福建省人民政府"}, HEAD, partial=True
    )
    take(levels, HEAD, case, "form_team")
    spec = platform.registry.entity("accident_investigation")
    import io

    saved = platform.files.save(
        spec, spec.field("report_files"), "调查报告.pdf", "application/pdf", io.BytesIO(b"%PDF-1.4"), HEAD
    )
    platform.records.update(
        "accident_investigation",
        case["id"],
        {"report_files": [saved["id"]], "cause": "违章作业", "responsibility": "车间主任负主要责任", "measures": "全面排查储罐"},
        HEAD,
        partial=True,
    )
    clock.set_local("2025-11-20 10:00")
    take(levels, HEAD, case, "submit_report")
    rows = clocks(levels, case["id"])
    assert rows["report"].status == "met" and local(rows["approval"].due_at) == "2025-12-05 23:59:59"
    take(levels, APPROVER, case, "approve", {"approval_doc_no": "闽政文〔2025〕88号"})
    approved = platform.records.update(
        "accident_investigation", case["id"], {"accountability": "移送司法机关2人"}, HEAD, partial=True
    )
    assert approved["approved_on"] == "2025-11-20" and approved["assessment_due"] == "2026-11-20"
    assert local(clocks(levels, case["id"])["assessment"].due_at) == "2026-11-20 23:59:59"
    # A case study (事故案例) is written from a closed investigation only.
    study = {
        "investigation_id": case["id"],
        "region_code": TOWN,
        "title": "某化工厂较大中毒事故",
        "summary": "储罐检修时违章作业导致中毒。",
    }
    with pytest.raises(RecordValidationError) as excinfo:
        platform.records.create("accident_case", study, HEAD)
    assert excinfo.value.errors[0].pointer == "/investigation_id"
    take(levels, HEAD, case, "hold_accountable")
    platform.records.update("accident_investigation", case["id"], {"rectification": "储罐区全面整改完成"}, HEAD, partial=True)
    take(levels, HEAD, case, "close")
    published = platform.records.create("accident_case", {**study, "published": True}, HEAD)
    assert published["accident_grade"] == "major" and published["published"] is True


def test_only_a_general_accident_without_casualties_is_entrusted_to_the_unit(levels):
    with pytest.raises(RecordValidationError) as excinfo:
        investigation(levels, accident(levels)["id"], entrusted_to_unit=True)
    assert excinfo.value.errors[0].pointer == "/entrusted_to_unit"
    harmless = accident(levels, serious_injuries=0, direct_loss=30)
    assert investigation(levels, harmless["id"], entrusted_to_unit=True)["entrusted_to_unit"] is True


def test_a_supervision_is_reviewed_issued_published_and_completed(levels):
    platform, clock = levels["platform"], levels["clock"]
    admin = Actor("admin", is_admin=True)
    agency = platform.records.create(
        "agency", {"name": "安溪县安全生产委员会办公室", "level": "county", "kind": "authority", "region_code": "350524"}, admin
    )
    case = platform.records.create(
        "accident_supervision",
        {
            "accident_id": accident(levels, deaths=3)["id"],
            "region_code": TOWN,
            "proposal": "较大事故，建议挂牌督办调查处理",
            "supervising_agency_id": agency["id"],
        },
        OFFICER,
    )
    assert case["title"].endswith("挂牌督办") and case["published"] is False

    def step(actor, name, data=None):
        return platform.workflow.take(actor, "accident_supervision", case["id"], name, {"data": data or {}})

    step(OFFICER, "submit")
    with pytest.raises(Exception):  # noqa: B017 (four-eyes: the proposer cannot approve; not an approver anyway)
        step(OFFICER, "approve")
    step(APPROVER, "approve")
    step(HEAD, "issue", {"doc_no": "安应督〔2025〕3号", "deadline_on": "2025-12-31"})
    with platform.engine.connect() as conn:
        row = conn.execute(
            select(deadline).where(deadline.c.entity == "accident_supervision", deadline.c.record_id == case["id"])
        ).one()
    assert local(row.due_at) == "2025-12-31 23:59:59"
    assert step(HEAD, "publish")["state"] == "implementing"
    platform.records.update(
        "accident_supervision", case["id"], {"progress": "调查报告已批复，责任人已处理"}, OFFICER, partial=True
    )
    clock.set_local("2025-12-20 09:00")
    assert step(HEAD, "complete")["state"] == "completed"
    with platform.engine.connect() as conn:
        stored = platform.records.read_scoped(conn, platform.registry.entity("accident_supervision"), case["id"], OFFICER)
    assert stored["published"] is True and stored["completed_on"] == "2025-12-20"
