"""统一社会信用代码 (Unified Social Credit Code, GB 32100-2015) checks.

Positions: 1 registration authority, 2 category, 3-8 registering authority's GB/T 2260 region,
9-17 organisation code (GB 11714, with its own check character at 17), 18 check character.
Some codes issued early fail the check character, so that failure is overridable (FACTS §3.4).
"""

from __future__ import annotations

import re

__all__ = ["ALPHABET", "check_character", "check_uscc", "registration_region"]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, ...
FORMAT = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def check_character(first17: str) -> str:
    """The position-18 check character for the first 17 characters."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def check_uscc(code: str) -> list[tuple[str, str, bool]]:
    """Problems as (message, code, overridable); empty when the code is well formed and checks."""
    if len(code) != 18:
        return [("统一社会信用代码应为 18 位", "uscc.length", False)]
    if not FORMAT.match(code):
        return [("统一社会信用代码含有无效字符（不使用 I、O、Z、S、V，字母须大写）", "uscc.format", False)]
    expected = check_character(code[:17])
    if code[17] != expected:
        return [
            (
                f"统一社会信用代码校验位错误（按 GB 32100 计算应为 {expected}）；如确属发证机关早期赋码，可填写原因后保存",
                "uscc.checksum",
                True,
            )
        ]
    return []


def registration_region(code: str) -> str | None:
    """The registering authority's region code (positions 3-8), when the code is well formed."""
    return code[2:8] if FORMAT.match(code) else None
