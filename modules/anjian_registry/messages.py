"""Message keys of the credit-code and citizen ID number checks (registered in the one catalogue)."""

from __future__ import annotations

from anjian.messages import register

__all__ = ["KEYS"]

KEYS = {
    "uscc.length": ("统一社会信用代码应为 18 位", "a unified social credit code has 18 characters"),
    "uscc.format": (
        "统一社会信用代码含有无效字符（不使用 I、O、Z、S、V）",
        "the code has invalid characters (I, O, Z, S, V are not used)",
    ),
    "uscc.zero": ("统一社会信用代码不能全为 0", "the code cannot be all zeros"),
    "uscc.authority": ("第1位登记管理部门代码「{char}」不存在", "position 1: no registration authority {char}"),
    "uscc.category": (
        "第2位机构类别代码「{char}」不属于{authority}（可用：{known}）",
        "position 2: {char} is no category of {authority} (known: {known})",
    ),
    "uscc.province": (
        "第3-8位登记管理机关行政区划码「{region}」的省级代码不存在",
        "positions 3-8: region {region} has no such province",
    ),
    "uscc.region": (
        "第3-8位登记管理机关行政区划码「{region}」不在行政区划代码表中；如确属有效代码，可填写原因后保存",
        "positions 3-8: region {region} is not in the region table; give a reason to save it if it is valid",
    ),
    "uscc.checksum": (
        "统一社会信用代码校验位错误（按 GB 32100 计算应为 {expected}）；如确属发证机关早期赋码，可填写原因后保存",
        "the check character is wrong (GB 32100 gives {expected}); give a reason to save an early issued code",
    ),
    "uscc.organisation_check": (
        "第17位组织机构代码校验码与 GB 11714 计算结果（{expected}）不符；如确属原发代码，可填写原因后保存",
        "position 17 does not match GB 11714 ({expected}); give a reason to save an issued code",
    ),
    "idnumber.length": ("公民身份号码应为 18 位（现为 {length} 位）", "a citizen ID number has 18 characters ({length} given)"),
    "idnumber.format": (
        "公民身份号码前 17 位应为数字，第 18 位为数字或 X",
        "the first 17 characters are digits, the 18th a digit or X",
    ),
    "idnumber.birth": ("公民身份号码第 7-14 位出生日期「{birth}」无效", "positions 7-14: {birth} is no valid birth date"),
    "idnumber.checksum": (
        "公民身份号码校验位错误（按 GB 11643 计算应为 {expected}），请核对号码",
        "the check character is wrong (GB 11643 gives {expected}); check the number",
    ),
}
register(KEYS)
