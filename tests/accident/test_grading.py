"""事故等级 (493号令 Art. 3): every boundary and worked example of FACTS.md §1.1."""

import pytest

from anjian_accident.grading import grade, reach_for


@pytest.mark.parametrize(
    ("deaths", "serious", "loss", "expected"),
    [
        # deaths: 以上 includes the number
        (2, 0, 0, "general"),
        (3, 0, 0, "larger"),
        (9, 0, 0, "larger"),
        (10, 0, 0, "major"),
        (29, 0, 0, "major"),
        (30, 0, 0, "especially_major"),
        # serious injuries (incl. acute industrial poisoning)
        (0, 9, 0, "general"),
        (0, 10, 0, "larger"),
        (0, 49, 0, "larger"),
        (0, 50, 0, "major"),
        (0, 99, 0, "major"),
        (0, 100, 0, "especially_major"),
        # direct loss in 万元
        (0, 0, 999.99, "general"),
        (0, 0, 1000, "larger"),
        (0, 0, 4999.99, "larger"),
        (0, 0, 5000, "major"),
        (0, 0, 9999.99, "major"),
        (0, 0, 10000, "especially_major"),
        # FACTS' own cases: the highest of the three measures
        (2, 12, 0, "larger"),
        (29, 99, 9999, "major"),
        (0, 0, 0, "general"),  # a loss-only or harmless accident is still 一般
    ],
)
def test_grade_is_the_highest_of_the_three_measures(deaths, serious, loss, expected):
    assert grade(deaths, serious, loss) == expected


@pytest.mark.parametrize(
    ("grade_name", "level"),
    [("general", "city"), ("larger", "province"), ("major", "national"), ("especially_major", "national")],
)
def test_each_grade_is_reported_up_to_its_level(grade_name, level):
    assert reach_for(grade_name) == level
