"""The major hazard register computes S, R and the grade from the chemicals held; the filing takes them."""

import pytest

from anjian import Actor, RecordValidationError

ADMIN, ENT, OFFICER = Actor("admin", is_admin=True), Actor("ent"), Actor("officer")
TOWN = "350524100000"


def source(levels, people, chemicals, actor=ENT, **extra):
    body = {
        "enterprise_id": levels["firm"],
        "region_code": TOWN,
        "name": "液氯液氨储罐区",
        "unit_kind": "storage",
        "people_nearby": people,
        "chemicals": chemicals,
        **extra,
    }
    return levels["platform"].records.create("major_hazard_source", body, actor)


def errors_of(excinfo):
    return {e.pointer: e for e in excinfo.value.errors}


def test_chlorine_and_ammonia_take_q_and_beta_from_the_dictionary(levels):
    entry = source(levels, 60, [{"chemical": "7782-50-5", "quantity": 3}, {"chemical": "7664-41-7", "quantity": 8}])
    assert entry["s_value"] == pytest.approx(1.4)
    assert entry["is_major"] is True
    assert entry["alpha"] == 1.5
    assert entry["r_value"] == pytest.approx(6.0)
    assert entry["grade"] == "level_4"


def test_the_exam_example_is_grade_three_and_a_lower_store_is_not_major(levels):
    entry = source(levels, 60, [{"chemical": "7446-09-5", "quantity": 200}])
    assert (entry["r_value"], entry["grade"]) == (pytest.approx(30.0), "level_3")
    small = source(levels, 60, [{"chemical": "7782-50-5", "quantity": 2}, {"chemical": "7664-41-7", "quantity": 4}])
    assert small["is_major"] is False and small["s_value"] == pytest.approx(0.8)
    assert small.get("grade") is None and small["r_value"] == pytest.approx(3.6)


@pytest.mark.parametrize(("people", "alpha", "grade"), [(0, 0.5, "level_3"), (29, 1.0, "level_2"), (100, 2.0, "level_1")])
def test_alpha_follows_the_people_nearby(levels, people, alpha, grade):
    entry = source(levels, people, [{"chemical": "7782-50-5", "quantity": 5}, {"chemical": "J1", "quantity": 110}])
    # S = 1 + 22 = 23; Σβq/Q = 4·1 + 4·22 = 92
    assert entry["alpha"] == alpha and entry["grade"] == grade
    assert entry["r_value"] == pytest.approx(alpha * 92)


def test_a_own_critical_quantity_needs_a_reason_and_is_used(levels):
    with pytest.raises(RecordValidationError) as excinfo:
        source(levels, 10, [{"chemical": "67-56-1", "quantity": 400, "critical_quantity": 200}])
    assert "/chemicals/0/override_reason" in errors_of(excinfo)
    entry = source(
        levels, 10, [{"chemical": "67-56-1", "quantity": 400, "critical_quantity": 200, "override_reason": "省级规定"}]
    )
    assert entry["s_value"] == pytest.approx(2.0) and entry["is_major"] is True


def test_a_quantity_in_kilograms_asks_for_confirmation(levels):
    with pytest.raises(RecordValidationError) as excinfo:
        source(levels, 10, [{"chemical": "7782-50-5", "quantity": 5000}])
    error = errors_of(excinfo)["/chemicals/0/quantity"]
    assert error.overridable and "千克" in error.message
    entry = source(
        levels, 10, [{"chemical": "7782-50-5", "quantity": 5000}], _overrides={"/chemicals/0/quantity": "企业确认为吨"}
    )
    assert entry["grade"] == "level_1"


@pytest.mark.parametrize(
    ("row", "pointer"),
    [
        ({"chemical": "7782-50-5", "quantity": -1}, "/chemicals/0/quantity"),
        ({"chemical": "7782-50-5", "quantity": 0}, "/chemicals/0/quantity"),
        ({"chemical": "水", "quantity": 3}, "/chemicals/0/chemical"),
        ({"quantity": 3}, "/chemicals/0/chemical"),
    ],
)
def test_bad_rows_get_field_errors(levels, row, pointer):
    with pytest.raises(RecordValidationError) as excinfo:
        source(levels, 10, [row])
    assert pointer in errors_of(excinfo)


def test_the_filing_takes_r_and_the_grade_from_its_register_entry(levels):
    platform = levels["platform"]
    entry = source(levels, 60, [{"chemical": "7446-09-5", "quantity": 200}])
    filing = platform.records.create(
        "hazard_source_filing",
        {
            "enterprise_id": levels["firm"],
            "region_code": TOWN,
            "source_name": "二氧化硫储罐区",
            "source_id": entry["id"],
            "assessment_on": "2025-09-20",
            "hazard_level": "1",  # not typed: it follows from the register
            "r_value": 999,
        },
        ENT,
    )
    assert (filing["hazard_level"], filing["r_value"]) == ("3", pytest.approx(30.0))
    # More chemical held: the register's grade rises and the filing follows on its next save.
    platform.records.update(
        "major_hazard_source", entry["id"], {"chemicals": [{"chemical": "7446-09-5", "quantity": 600}]}, ENT, partial=True
    )
    again = platform.records.update("hazard_source_filing", filing["id"], {"filing_no": None}, ENT, partial=True)
    assert (again["hazard_level"], again["r_value"]) == ("2", pytest.approx(90.0))
