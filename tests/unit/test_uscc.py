"""GB 32100-2015 check character, with the test vectors of FACTS.md §3.5."""

import pytest

from anjian_registry.uscc import check_character, check_uscc, registration_region

VALID = [
    "91512081MA62K0260E",
    "91430111MA4L41YT1U",
    "91350200MA2YJ1XR9G",
    "914403001922038216",
    "9144030071526726XG",
    "91330100716105852F",
    "91350213678251743X",
    "9135021359498494XQ",
    "123502001549897397",
]
BAD_CHECK = ["91350211M0000XUF46", "91310115MA1H8R7C6D"]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert check_uscc(code) == []


@pytest.mark.parametrize("code", BAD_CHECK)
def test_failed_check_character_is_overridable(code):
    (message, kind, overridable), *rest = check_uscc(code)
    assert kind == "uscc.checksum" and overridable
    assert all(overridable for _, _, overridable in rest)  # 91310115MA1H8R7C6D fails position 17 too (FACTS §3.5)


def test_worked_example_from_the_standard():
    assert check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    "code,kind", [("9135", "uscc.length"), ("91350100M000100Y4Z", "uscc.format"), ("91350100M00O100Y43", "uscc.format")]
)
def test_malformed_codes_are_not_overridable(code, kind):
    [(_, found, overridable)] = check_uscc(code)
    assert found == kind and not overridable


def test_registration_region():
    assert registration_region("91350200MA2YJ1XR9G") == "350200"
    assert registration_region("bad") is None
