"""GB/T 2260 region codes as areas: which codes lie within which (FACTS.md §4.3).

A code names an area by its significant prefix: 350000 (province) -> "35", 350500 (city) ->
"3505", 350524 (county) -> "350524", 350524100000 (township) -> "350524100". A code lies within an
area when it starts with the area's prefix. "*" is the whole country.
"""

from __future__ import annotations

import re

__all__ = ["ALL", "is_region_code", "prefix", "region_range", "within"]

ALL = "*"
CODE = re.compile(r"^(\d{6}|\d{12})$")


def is_region_code(code: str) -> bool:
    return code == ALL or bool(CODE.match(code))


def prefix(code: str) -> str:
    """The significant prefix of an area's code ("" for the whole country)."""
    if code == ALL:
        return ""
    if len(code) == 12:
        if code.endswith("000000"):
            code = code[:6]
        elif code.endswith("000"):
            return code[:9]
        else:
            return code
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def within(code: str, area: str) -> bool:
    """True if ``code`` lies in ``area`` (the same area counts)."""
    return area == ALL or (code != ALL and code.startswith(prefix(area)))


def region_range(area: str) -> tuple[str, str] | None:
    """[low, high) bounds of the codes within ``area``, for an index range scan (None: everything)."""
    start = prefix(area)
    if not start:
        return None
    return start, start[:-1] + chr(ord(start[-1]) + 1)
