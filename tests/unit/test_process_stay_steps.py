"""Steps that stay in their state (no ``to``), clocks ended by a step, and notices to one level
(``role:<name>@<level>``), as compiled from the accident flow and refused when wrong."""

import pytest
from test_process_options import shipped, with_accident_flow

from anjian.errors import MetadataErrors
from anjian.meta.compile import compile_catalog


def test_the_accident_flow_has_direct_reports_that_stay_and_skips_that_tell_the_level_skipped():
    process = compile_catalog(shipped()).processes["accident_report_flow"]
    direct = process.by_transition["report_province_direct"]
    assert direct.to == "" and direct.target("county") == "county" and direct.comment == "required"
    assert "role:accident_officer@city" in process.by_transition["skip_to_province"].notify
    rule = next(d for d in process.deadlines if d.name == "unit_direct_province")
    assert "report_province_direct" in rule.ends and rule.due_field == "occurred_at"


def test_a_clock_ends_by_a_state_or_a_step_that_exists():
    def unknown(content):
        rule = next(d for d in content["deadlines"] if d["name"] == "unit_direct_province")
        rule["ends"] = ["no_such_step"]

    with pytest.raises(MetadataErrors, match="no_such_step"):
        compile_catalog(with_accident_flow(unknown))


def test_a_level_notice_names_a_declared_role_and_a_level():
    def role(content):
        content["transitions"][-2]["notify"] = ["role:no_such_role@city"]

    with pytest.raises(MetadataErrors, match="no_such_role"):
        compile_catalog(with_accident_flow(role))

    def level(content):
        content["transitions"][-2]["notify"] = ["role:accident_officer@township"]

    with pytest.raises(MetadataErrors, match="notify"):
        compile_catalog(with_accident_flow(level))
