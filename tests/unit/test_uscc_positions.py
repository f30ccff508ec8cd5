"""GB 32100 positions 1-8 and 17 (FACTS §3.1, §3.4): authority, category, region, all-zero, GB 11714."""

import pytest

from anjian_registry.uscc import check_character, check_uscc, normalise, organisation_check_character


def code(prefix8, body="MA2YJ1XR"):
    """A code with both check characters right, so only positions 1-8 can fail."""
    first17 = prefix8 + body + organisation_check_character(body)
    return first17 + check_character(first17)


def kinds(value, region_known=None):
    return [(kind, overridable) for _, kind, overridable in check_uscc(value, region_known)]


def test_the_organisation_check_character_of_the_test_vectors():
    assert organisation_check_character("71526726") == "X"  # 9144030071526726XG
    assert organisation_check_character("19220382") == "1"  # 914403001922038216


@pytest.mark.parametrize("prefix", ["01350524", "H1350524", "Y1350524"])
def test_position_one_is_a_registration_authority(prefix):
    expected = [] if prefix[0] == "Y" else [("uscc.authority", False)]
    assert kinds(code(prefix)) == expected


@pytest.mark.parametrize(
    ("prefix", "ok"), [("91350524", True), ("93350524", True), ("94350524", False), ("54350524", False), ("12350524", True)]
)
def test_position_two_is_a_category_of_that_authority(prefix, ok):
    assert kinds(code(prefix)) == ([] if ok else [("uscc.category", False)])


def test_positions_three_to_eight_name_a_region():
    assert kinds(code("91990524")) == [("uscc.region", False)]  # no province 99
    fujian = {"350524", "350182"}  # 350182 is retired, but old codes keep the region that registered them
    known = lambda c: c in fujian if c.startswith("35") else None  # noqa: E731
    assert kinds(code("91350182"), known) == []
    assert kinds(code("91350999"), known) == [("uscc.region", True)]  # not in the table: a reason may override
    assert kinds(code("91440300"), known) == []  # a province the table does not cover: only the province is checked


def test_all_zero_is_refused():
    assert kinds("0" * 18) == [("uscc.zero", False)]


def test_position_17_is_a_warning_staff_may_override():
    first17 = "91350524MA2YJ1XR" + ("1" if organisation_check_character("MA2YJ1XR") != "1" else "2")
    assert kinds(first17 + check_character(first17)) == [("uscc.organisation_check", True)]


def test_lower_case_and_spaces_are_normalised():
    assert normalise("  91350200ma2yj1xr9g ") == "91350200MA2YJ1XR9G"
    assert check_uscc("  91350200ma2yj1xr9g ") == []
