"""GB 18218-2018 §4.3 grading: α at every boundary, the grades of R and FACTS.md §2.3's worked examples."""

import pytest

from anjian_accident.major_hazard import Holding, alpha, grade, r_value, s_value


@pytest.mark.parametrize(
    ("people", "expected"),
    [(0, 0.5), (1, 1.0), (29, 1.0), (30, 1.2), (49, 1.2), (50, 1.5), (99, 1.5), (100, 2.0), (5000, 2.0)],
)
def test_alpha_by_people_within_500_metres(people, expected):
    assert alpha(people) == expected


@pytest.mark.parametrize(
    ("r", "expected"),
    [
        (100, "level_1"),
        (99.99, "level_2"),
        (50, "level_2"),
        (49.99, "level_3"),
        (10, "level_3"),
        (9.99, "level_4"),
        (0.5, "level_4"),
    ],
)
def test_grade_boundaries(r, expected):
    assert grade(r) == expected


def test_exam_example_sulphur_dioxide():
    held = [Holding(200, 20, 2)]  # SO2 200 t, Q 20 t, β 2, 60 people outside
    assert r_value(held, 60) == pytest.approx(30.0)
    assert grade(r_value(held, 60)) == "level_3"


def test_several_chemicals_chlorine_and_ammonia():
    held = [Holding(3, 5, 4), Holding(8, 10, 2)]  # 液氯 3 t and 氨 8 t
    assert s_value(held) == pytest.approx(1.4)
    assert r_value(held, 60) == pytest.approx(6.0)
    assert grade(r_value(held, 60)) == "level_4"


def test_below_the_critical_quantity_is_not_major():
    assert s_value([Holding(2, 5, 4), Holding(4, 10, 2)]) == pytest.approx(0.8)
