"""Regulation profiles: national defaults with sources, one provincial override, settings in processes."""

import json

import pytest

from anjian.config import bundled_metadata_path
from anjian.errors import MetadataErrors
from anjian.meta.compile import compile_catalog
from anjian.meta.loader import load_documents, parse_document

FACTS_UNCERTAIN = {  # values FACTS marks [P] or [U], or gives no source for: each must be a setting
    "hazard.onsite_check",
    "hazard.statistics_quarter_day",
    "hazard.statistics_annual_day",
    "filing.submit_within",
    "filing.reassessment_period",
    "complaint.screening",
    "complaint.handling",
    "complaint.answer",
    "hazard.county_review",
    "filing.review",
    "filing.expiry_reminder",
    "filing.expiry_warning",
}


def shipped():
    documents, errors = load_documents([bundled_metadata_path()])
    assert errors == []
    return documents


def province(settings, name="fujian", **extra):
    content = {"profile": name, "title": "福建省", "extends": "national", "region": "350000", "settings": settings, **extra}
    return parse_document(f"profiles/{name}.json", json.dumps(content, ensure_ascii=False))


def test_every_uncertain_value_is_a_setting_with_its_source():
    profile = compile_catalog(shipped()).profile
    assert profile.name == "national" and FACTS_UNCERTAIN <= set(profile.settings)
    for setting in profile.settings.values():
        assert setting.source and setting.kind in ("law", "commitment")
        assert setting.kind == "commitment" or setting.confidence in ("C", "P", "U")


def test_every_shipped_deadline_declares_its_legal_basis():
    catalog = compile_catalog(shipped())
    for process in catalog.processes.values():
        for rule in process.deadlines:
            assert rule.basis.get("kind") in ("law", "commitment", "order"), (process.name, rule.name)
            assert rule.basis.get("source"), (process.name, rule.name)


def test_docs_show_the_basis_of_every_shipped_deadline():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "workflow.md").read_text(encoding="utf-8")
    for process in compile_catalog(shipped()).processes.values():
        for rule in process.deadlines:
            assert f"`{process.name}` / `{rule.name}`" in docs, (process.name, rule.name)


def test_a_province_overrides_a_setting_without_editing_the_flow():
    override = {
        "hazard.onsite_check": {
            "title": "现场审查时限",
            "value": {"amount": 7, "unit": "days"},
            "kind": "law",
            "confidence": "P",
            "source": "某省实施办法第X条（示例）",
        }
    }
    catalog = compile_catalog([*shipped(), province(override)])
    rule = next(d for d in catalog.processes["hidden_danger_flow"].deadlines if d.name == "onsite_check")
    assert (rule.due.amount, rule.due.unit) == (7, "days")
    assert rule.basis["profile"] == "fujian" and "某省" in rule.basis["source"]
    assert catalog.profile.region == "350000"


def test_profile_mistakes_are_reported():
    bad = {"hazard.no_such_thing": {"title": "x", "value": 1, "kind": "commitment", "source": "x"}}
    with pytest.raises(MetadataErrors, match="未知的配置项 'hazard.no_such_thing'"):
        compile_catalog([*shipped(), province(bad)])
    with pytest.raises(MetadataErrors, match="存在多个省级法规配置"):
        compile_catalog([*shipped(), province({}), province({}, name="hubei")])
    regionless = parse_document(
        "profiles/x.json", json.dumps({"profile": "x", "title": "x", "extends": "national", "settings": {}})
    )
    with pytest.raises(MetadataErrors, match="须写明所属省份"):
        compile_catalog([*shipped(), regionless])


def test_a_process_naming_a_setting_that_is_not_a_clock_is_refused():
    documents = shipped()
    process = next(d for d in documents if d.kind == "process" and d.name == "hidden_danger_flow")
    content = json.loads(json.dumps(process.content))
    content["deadlines"][1]["due"] = {"setting": "hazard.statistics_quarter_day"}  # a day of the month, not a duration
    changed = parse_document(process.path, json.dumps(content, ensure_ascii=False))
    with pytest.raises(MetadataErrors, match="不是时限"):
        compile_catalog([d for d in documents if d is not process] + [changed])
