"""统一社会信用代码 (Unified Social Credit Code, GB 32100-2015) checks.

Positions: 1 registration authority, 2 category, 3-8 registering authority's GB/T 2260 region,
9-17 organisation code (GB 11714, with its own check character at 17), 18 check character.
Some codes issued early fail the check characters, so those failures (and a region our code
table does not hold) are overridable with a reason (FACTS §3.4); a malformed code, an unknown
authority or category, a province that does not exist and the all-zero code are refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from operator import mul

from anjian.messages import message

from . import messages  # noqa: F401  (registers the keys)

__all__ = [
    "ALPHABET",
    "AUTHORITIES",
    "CATEGORIES",
    "PROVINCES",
    "check_character",
    "check_uscc",
    "normalise",
    "organisation_check_character",
    "registration_region",
]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, ...
FORMAT = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # GB 11714 values: 0-9, A=10 ... Z=35
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ZEROS = "0" * 18
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}  # lookups, not str.index: imports check millions
_ORG_VALUE = {ch: i for i, ch in enumerate(ORG_ALPHABET)}

# Position 1 (FACTS §3.1: 1/5/9/Y confirmed, the others from one library).
AUTHORITIES = {
    "1": "机构编制", "2": "外交", "3": "教育", "4": "公安", "5": "民政", "6": "司法", "7": "交通运输", "8": "文化",
    "9": "工商（市场监管）", "A": "旅游", "B": "宗教", "C": "总工会", "D": "军队", "E": "省级人民政府",
    "F": "地市级人民政府", "G": "区县级人民政府", "Y": "其他",
}  # fmt: skip
# Position 2 for the authorities whose category lists FACTS confirms; others are not checked.
CATEGORIES = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
}
# Positions 3-4: the province-level units of GB/T 2260.
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)

Problem = tuple[str, str, bool]  # (message, code, overridable)


def normalise(code: str) -> str:
    """Surrounding spaces removed and letters upper-cased: how people type a correct code."""
    return code.strip().upper()


def check_character(first17: str) -> str:
    """The position-18 check character for the first 17 characters."""
    if len(first17) != len(WEIGHTS):
        raise ValueError(f"{first17!r} does not have {len(WEIGHTS)} characters")
    try:
        total = sum(map(mul, map(_VALUE.__getitem__, first17), WEIGHTS))
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} is not a character of the code") from None
    return ALPHABET[(31 - total % 31) % 31]


def organisation_check_character(body: str) -> str:
    """The GB 11714 check character (position 17) for the 8-character body (positions 9-16)."""
    if len(body) != len(ORG_WEIGHTS):
        raise ValueError(f"{body!r} does not have {len(ORG_WEIGHTS)} characters")
    try:
        total = sum(map(mul, map(_ORG_VALUE.__getitem__, body), ORG_WEIGHTS))
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} is not a character of an organisation code") from None
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def check_uscc(code: str, region_known: Callable[[str], bool | None] | None = None) -> list[Problem]:
    """Problems as (message, code, overridable); empty when the code is well formed and checks.

    ``region_known(code6)`` says whether the region code table holds positions 3-8 (retired codes
    included), or None when the table does not cover that province (then only the province is checked).
    """
    code = normalise(code)
    if len(code) != 18:
        return [(message("uscc.length"), "uscc.length", False)]
    if not FORMAT.match(code):
        return [(message("uscc.format"), "uscc.format", False)]
    if code == ZEROS:
        return [(message("uscc.zero"), "uscc.zero", False)]
    problems: list[Problem] = []
    authority = AUTHORITIES.get(code[0])
    if authority is None:
        problems.append((message("uscc.authority", char=code[0]), "uscc.authority", False))
    elif code[0] in CATEGORIES and code[1] not in CATEGORIES[code[0]]:
        known = "、".join(f"{k} {v}" for k, v in CATEGORIES[code[0]].items())
        text = message("uscc.category", char=code[1], authority=authority, known=known)
        problems.append((text, "uscc.category", False))
    region = code[2:8]
    if region[:2] not in PROVINCES:
        problems.append((message("uscc.province", region=region), "uscc.region", False))
    elif region_known is not None and region_known(region) is False:
        problems.append((message("uscc.region", region=region), "uscc.region", True))
    if problems:
        return problems
    expected = check_character(code[:17])
    if code[17] != expected:
        problems.append((message("uscc.checksum", expected=expected), "uscc.checksum", True))
    inner = organisation_check_character(code[8:16])
    if code[16] != inner:
        problems.append((message("uscc.organisation_check", expected=inner), "uscc.organisation_check", True))
    return problems


def registration_region(code: str) -> str | None:
    """The registering authority's region code (positions 3-8), when the code is well formed."""
    code = normalise(code)
    return code[2:8] if FORMAT.match(code) else None
