"""公民身份号码 (citizen identity number, GB 11643-1999) checks.

Positions: 1-6 the GB/T 2260 region of first registration, 7-14 the birth date (YYYYMMDD),
15-17 a sequence number (odd for men), 18 the check character: ISO 7064 MOD 11-2 over the first
17 digits, ``X`` standing for 10. Every number issued since 1999 carries a correct check
character, so a wrong one is refused, never overridden.
"""

from __future__ import annotations

import datetime as dt
import re

from anjian.messages import message

from . import messages  # noqa: F401  (registers the keys)

__all__ = ["WEIGHTS", "check_character", "check_id_number"]

WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, ...
FORMAT = re.compile(r"^\d{17}[\dX]$")
_CHECK = "10X98765432"  # index: the weighted sum modulo 11


def check_character(first17: str) -> str:
    """The check character of the first 17 digits."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def check_id_number(value: str, today: dt.date | None = None) -> list[tuple[str, str]]:
    """(message, code) for each problem of ``value``; empty when it is a valid number."""
    code = value.strip().upper()
    if len(code) != 18:
        return [(message("idnumber.length", length=len(code)), "idnumber_length")]
    if not FORMAT.match(code):
        return [(message("idnumber.format"), "idnumber_format")]
    try:
        born = dt.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return [(message("idnumber.birth", birth=code[6:14]), "idnumber_birth")]
    if born > (today or dt.date.today()) or born.year < 1800:
        return [(message("idnumber.birth", birth=code[6:14]), "idnumber_birth")]
    expected = check_character(code[:17])
    if code[17] != expected:
        return [(message("idnumber.checksum", expected=expected), "idnumber_checksum")]
    return []
