"""The record factory (anjian.testing) builds valid records of every published entity from its spec."""

import pytest

from anjian.testing import entity_document, write_json

ENTITIES = ["enterprise", "agency", "staff", "expert", "hidden_danger", "hazard_statistics", "hazard_source_filing", "complaint"]
ENTITIES += ["major_hazard_source", "accident_report", "accident_investigation", "accident_supervision", "accident_case"]
ENTITIES += ["inspection_record", "penalty_case"]  # 行政执法
ENTITIES += ["article", "service_rating", "leader_letter", "disclosure_request"]  # the public face (portals)
ENTITIES += [
    "consultation",
    "consultation_comment",
    "survey",
    "survey_answer",
    "enterprise_account_request",
]  # 互动交流, accounts
UNIT = {"unit_name": "未登记的某作坊"}  # a unit is linked or named: a rule no single field's schema describes


def _given(record_factory, entity):
    if entity == "accident_report":
        return UNIT
    if entity in ("accident_investigation", "accident_supervision"):
        return {"accident_id": record_factory.create("accident_report", **UNIT)["id"]}
    if entity == "accident_case":  # written from a closed investigation only
        case = record_factory.create("accident_investigation", **_given(record_factory, "accident_investigation"))
        closed = {"closed_on": "2025-06-30"}
        record_factory.platform.records.update("accident_investigation", case["id"], closed, record_factory.actor, partial=True)
        return {"investigation_id": case["id"]}
    if entity == "survey":  # the questionnaire is a list of objects the factory does not invent
        return {"questions": [{"text": "您是否满意？", "options": ["满意", "不满意"]}]}
    if entity == "survey_answer":
        return {"survey": record_factory.create("survey", **_given(record_factory, "survey"))["id"], "choices": ["0:0"]}
    return {}


def test_every_standard_entity_is_covered(published):
    declared = {name for name, spec in published.registry.catalog.entities.items() if not spec.is_child}
    assert declared == set(ENTITIES)


@pytest.mark.parametrize("entity", ENTITIES)
def test_a_valid_record_of_each_entity_goes_through_the_record_service(record_factory, entity):
    first = record_factory.create(entity, **_given(record_factory, entity))
    second = record_factory.create(entity, **_given(record_factory, entity))  # unique values differ from record to record
    assert first["id"] != second["id"]


def test_overrides_win_and_links_get_records_of_their_own(record_factory, published):
    danger = record_factory.create("hidden_danger", title="配电箱未接地")
    assert danger["title"] == "配电箱未接地"
    with published.engine.connect() as conn:
        spec = published.registry.entity("enterprise")
        assert (
            published.records.read_scoped(conn, spec, danger["enterprise_id"], record_factory.actor)["id"]
            == danger["enterprise_id"]
        )
    firm = record_factory.create("enterprise")
    assert record_factory.body("hidden_danger", enterprise_id=firm["id"])["enterprise_id"] == firm["id"]


def test_a_field_it_cannot_fill_is_named(record_factory, published, tmp_path):
    write_json(
        tmp_path / "decl" / "permit.json",
        entity_document("permit", {"number": {"type": "string", "pattern": "^P[0-9]{6}$", "maxLength": 7}}, required=["number"]),
    )
    published.publish([tmp_path / "decl"])
    with pytest.raises(ValueError, match=r"permit\.number"):
        record_factory.body("permit")
    assert record_factory.create("permit", number="P000001")["number"] == "P000001"
