"""Demo data for a sample county (安溪县, 350524): enterprises across townships and industries.

Deterministic (seeded), loaded through the record service like any user's data, and only into
an empty table, so running it twice adds nothing.
"""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import func, select

from .audit import Actor
from .runtime import Platform

__all__ = ["load_demo_data"]

COUNTY = "350524"
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]

# (industry section, name stem, high-risk category, scale weights)
PROFILES = [
    ("C", "茶叶加工", "none"), ("C", "陶瓷制品", "none"), ("C", "藤铁工艺", "none"), ("C", "机械制造", "industry_trade_other"),
    ("C", "化工", "hazardous_chemicals"), ("C", "建材", "none"), ("C", "食品", "none"), ("C", "纺织", "none"),
    ("B", "矿业", "mining"), ("B", "石材开采", "mining"), ("C", "钢铁", "metallurgy"), ("F", "燃气销售", "hazardous_chemicals"),
    ("F", "加油站", "hazardous_chemicals"), ("F", "商贸", "none"), ("E", "建筑工程", "none"), ("G", "物流", "none"),
    ("H", "酒店", "none"), ("D", "水电", "none"), ("C", "烟花爆竹", "fireworks"), ("A", "茶叶种植", "none"),
]
SURNAMES = "陈林黄王李张吴刘蔡郑杨许苏谢洪詹白廖施"
GIVEN = ["建国", "志强", "秀英", "美玲", "国华", "文杰", "丽娟", "明辉", "海峰", "淑珍", "伟东", "雅琴", "金水", "清泉"]
WORDS = ["鑫", "源", "兴", "盛", "达", "恒", "泰", "华", "隆", "丰", "安", "顺", "宏", "发", "新", "佳", "铁观音", "凤山", "清水"]
POSTS = ["安全总监", "安全员", "安全科长", "设备主管"]


def credit_code(rng: random.Random) -> str:
    body = "91" + COUNTY + "MA" + "".join(rng.choice(ALPHABET) for _ in range(7))
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(body, WEIGHTS, strict=True))
    return body + ALPHABET[(31 - total % 31) % 31]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def enterprise(rng: random.Random, townships: list[tuple[str, str]], n: int) -> dict[str, Any]:
    section, stem, risk = rng.choice(PROFILES)
    code, town = rng.choice(townships)
    town_short = town.rstrip("镇乡")
    name = f"安溪县{town_short}{rng.choice(WORDS)}{rng.choice(WORDS)}{stem}有限公司"
    staff = [{"name": _person(rng), "post": rng.choice(POSTS), "phone": f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}",
              "certificates": [{"kind": "安全生产知识和管理能力考核合格证", "number": f"FJ{rng.randint(10**9, 10**10 - 1)}",
                                "expires_on": f"{rng.randint(2025, 2029)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}]}
             for _ in range(rng.randint(0, 2))]
    return {
        "name": name, "credit_code": credit_code(rng), "region_code": code, "industry": section,
        "address": f"福建省泉州市安溪县{town}{rng.randint(1, 300)}号",
        "legal_representative": _person(rng), "contact_person": _person(rng),
        "contact_phone": f"0595-{rng.randint(2000000, 2999999)}",
        "economic_type": rng.choice(["private", "private", "private", "joint_stock", "collective", "state", "hmt"]),
        "scale": rng.choice(["micro", "small", "small", "small", "medium", "large"]),
        "employees": rng.randint(5, 800), "high_risk_category": risk,
        "established_on": f"{rng.randint(1990, 2023)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "has_safety_organisation": rng.random() < 0.6, "status": rng.choice(["active"] * 9 + ["suspended"]),
        "longitude": round(117.75 + rng.random() * 0.5, 6), "latitude": round(24.9 + rng.random() * 0.45, 6),
        "safety_staff": staff,
    }


def load_demo_data(platform: Platform, count: int = 240) -> int:
    """Load demo enterprises into an empty table; return how many were added."""
    registry = platform.registry
    if "enterprise" not in registry.catalog.entities or "region" not in registry.catalog.dictionaries:
        return 0
    table = registry.table("enterprise")
    with platform.engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(table)).scalar_one():
            return 0
    townships = [(i.code, i.label) for i in registry.catalog.dictionaries["region"].items
                 if i.parent == COUNTY and i.level == "township"]
    if not townships:
        return 0
    rng = random.Random(350524)
    actor = Actor(username="demo", address="local")
    added, seen = 0, set()
    while added < count:
        record = enterprise(rng, townships, added)
        if record["name"] in seen or record["credit_code"] in seen:
            continue
        seen |= {record["name"], record["credit_code"]}
        platform.records.create("enterprise", record, actor)
        added += 1
    return added
