"""GB 11643 citizen ID number: the check character (ISO 7064 MOD 11-2) and the birth date."""

import datetime as dt

import pytest

from anjian.studio.samples import id_number
from anjian_registry.idnumber import check_character, check_id_number

# Published examples: the GB 11643-1999 annex's number and a number ending in X.
VALID = ["11010519491231002X", "440524188001010014"]


@pytest.mark.parametrize("code", VALID)
def test_valid_numbers_pass(code: str) -> None:
    assert check_id_number(code) == []
    assert check_character(code[:17]) == code[17]


def test_lower_case_x_and_spaces_are_read_as_typed_upper() -> None:
    assert check_id_number(" 11010519491231002x ") == []


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("110105194912310021", "idnumber_checksum"),
        ("11010519491231002", "idnumber_length"),
        ("1101051949123100AX", "idnumber_format"),
        ("110105194913310021", "idnumber_birth"),
        ("110105210001010021", "idnumber_birth"),
    ],
)
def test_each_mistake_gives_one_message(code: str, problem: str) -> None:
    (found,) = check_id_number(code, today=dt.date(2026, 12, 2))
    assert found[1] == problem and "公民身份号码" in found[0]
    if problem == "idnumber_checksum":
        assert "应为 X" in found[0]


def test_the_preview_samples_are_valid_numbers() -> None:
    assert all(check_id_number(id_number(n)) == [] for n in range(1, 60))


def test_the_preview_samples_credit_codes_pass_the_registry_check() -> None:
    from anjian.studio.samples import _BY_VALIDATOR
    from anjian_registry.uscc import check_uscc

    assert all(check_uscc(_BY_VALIDATOR["registry.uscc_check"](n), None) == [] for n in range(1, 9))
