"""The credit code's check characters (computed with map/mul for imports) against the standards' formulas."""

import random

import pytest

from anjian_registry.uscc import ALPHABET, ORG_ALPHABET, check_character, organisation_check_character


def gb32100(first17):
    """GB 32100-2015: C18 = 31 - MOD(sum(Ci * 3^(i-1)), 31), 31 -> 0."""
    total = sum(ALPHABET.index(ch) * 3**i for i, ch in enumerate(first17))
    return ALPHABET[(31 - total % 31) % 31]


def gb11714(body):
    """GB 11714-1997: C9 = 11 - MOD(sum(Ci * Wi), 11), 10 -> X, 11 -> 0."""
    total = sum(ORG_ALPHABET.index(ch) * w for ch, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def test_check_characters_follow_the_standards():
    rng = random.Random(7)
    for _ in range(3000):
        first17 = "".join(rng.choice(ALPHABET) for _ in range(17))
        body = "".join(rng.choice(ORG_ALPHABET) for _ in range(8))
        assert check_character(first17) == gb32100(first17)
        assert organisation_check_character(body) == gb11714(body)


@pytest.mark.parametrize("text", ["", "9135052", "91350524MA2YJ1XR9G", "91350524MA2YJ1XRI"])
def test_wrong_lengths_and_characters_are_value_errors(text):
    with pytest.raises(ValueError):
        check_character(text)
    with pytest.raises(ValueError):
        organisation_check_character(text[:9] if len(text) > 8 else text + "a")
