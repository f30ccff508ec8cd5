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

# (industry section, name stem, high-risk category, scale weights)
PROFILES = [
    ("C", "茶叶加工", "none"),
    ("C", "陶瓷制品", "none"),
    ("C", "藤铁工艺", "none"),
    ("C", "机械制造", "industry_trade_other"),
    ("C", "化工", "hazardous_chemicals"),
    ("C", "建材", "none"),
    ("C", "食品", "none"),
    ("C", "纺织", "none"),
    ("B", "矿业", "mining"),
    ("B", "石材开采", "mining"),
    ("C", "钢铁", "metallurgy"),
    ("F", "燃气销售", "hazardous_chemicals"),
    ("F", "加油站", "hazardous_chemicals"),
    ("F", "商贸", "none"),
    ("E", "建筑工程", "none"),
    ("G", "物流", "none"),
    ("H", "酒店", "none"),
    ("D", "水电", "none"),
    ("C", "烟花爆竹", "fireworks"),
    ("A", "茶叶种植", "none"),
]
SURNAMES = "陈林黄王李张吴刘蔡郑杨许苏谢洪詹白廖施"
GIVEN = ["建国", "志强", "秀英", "美玲", "国华", "文杰", "丽娟", "明辉", "海峰", "淑珍", "伟东", "雅琴", "金水", "清泉"]
WORDS = ["鑫", "源", "兴", "盛", "达", "恒", "泰", "华", "隆", "丰", "安", "顺", "宏", "发", "新", "佳", "铁观音", "凤山", "清水"]
POSTS = ["安全总监", "安全员", "安全科长", "设备主管"]


def credit_code(rng: random.Random) -> str:
    """A well-formed code of a 安溪 enterprise: both check characters (GB 11714 at 17, GB 32100 at 18) hold."""
    from anjian_registry.uscc import check_character, organisation_check_character  # the registry module's rules

    body = "MA" + "".join(rng.choice(ALPHABET) for _ in range(6))
    first17 = "91" + COUNTY + body + organisation_check_character(body)
    return first17 + check_character(first17)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def enterprise(rng: random.Random, townships: list[tuple[str, str]], n: int) -> dict[str, Any]:
    section, stem, risk = rng.choice(PROFILES)
    code, town = rng.choice(townships)
    town_short = town.rstrip("镇乡")
    name = f"安溪县{town_short}{rng.choice(WORDS)}{rng.choice(WORDS)}{stem}有限公司"
    staff = [
        {
            "name": _person(rng),
            "post": rng.choice(POSTS),
            "phone": f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}",
            "certificates": [
                {
                    "kind": "安全生产知识和管理能力考核合格证",
                    "number": f"FJ{rng.randint(10**9, 10**10 - 1)}",
                    "expires_on": f"{rng.randint(2025, 2029)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                }
            ],
        }
        for _ in range(rng.randint(0, 2))
    ]
    return {
        "name": name,
        "credit_code": credit_code(rng),
        "region_code": code,
        "industry": section,
        "address": f"福建省泉州市安溪县{town}{rng.randint(1, 300)}号",
        "legal_representative": _person(rng),
        "contact_person": _person(rng),
        "contact_phone": f"0595-{rng.randint(2000000, 2999999)}",
        "economic_type": rng.choice(["private", "private", "private", "joint_stock", "collective", "state", "hmt"]),
        "scale": rng.choice(["micro", "small", "small", "small", "medium", "large"]),
        "employees": rng.randint(5, 800),
        "high_risk_category": risk,
        "established_on": f"{rng.randint(1990, 2023)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "has_safety_organisation": rng.random() < 0.6,
        "status": rng.choice(["active"] * 9 + ["suspended"]),
        "position": {
            "type": "Point",
            "coordinates": [round(117.75 + rng.random() * 0.5, 6), round(24.9 + rng.random() * 0.45, 6)],
        },
        "safety_staff": staff,
    }


def _empty(platform: Platform, entity: str) -> bool:
    registry = platform.registry
    if entity not in registry.catalog.entities:
        return False
    with platform.engine.connect() as conn:
        return not conn.execute(select(func.count()).select_from(registry.table(entity))).scalar_one()


def _townships(platform: Platform) -> list[tuple[str, str]]:
    region = platform.registry.catalog.dictionaries.get("region")
    return [(i.code, i.label) for i in region.items if i.parent == COUNTY and i.level == "township"] if region else []


def load_enterprises(platform: Platform, count: int) -> int:
    townships = _townships(platform)
    if not townships or not _empty(platform, "enterprise"):
        return 0
    rng = random.Random(350524)
    actor = Actor.system("demo")
    added, seen = 0, set()
    while added < count:
        record = enterprise(rng, townships, added)
        if record["name"] in seen or record["credit_code"] in seen:
            continue
        seen |= {record["name"], record["credit_code"]}
        platform.records.create("enterprise", record, actor)
        added += 1
    return added


AGENCIES = [  # (name, kind, level, region, parent index, head, phone)
    ("泉州市应急管理局", "authority", "city", "350500", None, "林志强", "0595-22500000"),
    ("安溪县应急管理局", "authority", "county", COUNTY, 0, "陈建国", "0595-23200000"),
    ("安溪县安全生产执法大队", "affiliated", "county", COUNTY, 1, "黄明辉", "0595-23200110"),
    ("安溪县应急救援指挥中心", "affiliated", "county", COUNTY, 1, "王海峰", "0595-23200119"),
    ("安溪县住房和城乡建设局", "member_unit", "county", COUNTY, None, "李文杰", "0595-23201234"),
    ("安溪县市场监督管理局", "member_unit", "county", COUNTY, None, "张国华", "0595-23205678"),
]
SPECIALTIES = [
    "hazardous_chemicals",
    "mining",
    "fireworks",
    "metallurgy",
    "construction",
    "electrical",
    "mechanical",
    "fire",
    "occupational_health",
    "special_equipment",
    "road_transport",
]


def load_organisation(platform: Platform) -> tuple[int, int, int]:
    """Agencies of the county and its townships, their staff, and the expert pool."""
    townships = _townships(platform)
    if not townships or not all(_empty(platform, e) for e in ("agency", "staff", "expert")):
        return 0, 0, 0
    rng = random.Random(2260)
    actor = Actor.system("demo")
    ids: list[int] = []
    for name, kind, level, region, parent, head, phone in AGENCIES:
        record = {
            "name": name,
            "kind": kind,
            "level": level,
            "region_code": region,
            "head": head,
            "phone": phone,
            "address": f"福建省泉州市安溪县凤城镇{rng.randint(1, 200)}号",
            "established_staff": rng.randint(8, 60),
        }
        if parent is not None:
            record["parent_agency_id"] = ids[parent]
        ids.append(platform.records.create("agency", record, actor)["id"])
    for code, town in townships:
        ids.append(
            platform.records.create(
                "agency",
                {
                    "name": f"{town}安全生产监督管理站",
                    "short_name": f"{town}安监站",
                    "kind": "township_office",
                    "level": "township",
                    "region_code": code,
                    "parent_agency_id": ids[1],
                    "head": _person(rng),
                    "phone": f"0595-{rng.randint(23300000, 23399999)}",
                    "established_staff": rng.randint(2, 6),
                },
                actor,
            )["id"]
        )
    staff = 0
    regions = dict(zip(ids, [a[3] for a in AGENCIES] + [code for code, _ in townships], strict=True))
    for agency_id in ids[1:4] + ids[len(AGENCIES) :]:
        for _ in range(4 if agency_id in ids[1:4] else 2):
            staff += 1
            platform.records.create(
                "staff",
                {
                    "name": _person(rng),
                    "agency_id": agency_id,
                    "region_code": regions[agency_id],
                    "gender": rng.choice(["male", "female"]),
                    "post": rng.choice(["执法员", "科员", "副站长", "站长", "科长"]),
                    "phone": f"13{rng.randint(100000000, 999999999)}",
                    "enforcement_cert_no": f"闽应急执{35052400 + staff:010d}",
                    "enforcement_cert_expires_on": f"{rng.randint(2026, 2030)}-{rng.randint(1, 12):02d}-28",
                    "specialty": rng.choice(["危险化学品", "非煤矿山", "工贸", "综合"]),
                    "status": "active",
                },
                actor,
            )
    for n in range(16):
        platform.records.create(
            "expert",
            {
                "name": _person(rng),
                "specialty": SPECIALTIES[n % len(SPECIALTIES)],
                "title": rng.choice(["senior", "associate_senior", "intermediate"]),
                "employer": rng.choice(
                    [
                        "泉州市安全生产技术服务中心",
                        "福建省安全生产科学研究院",
                        "安溪县建设工程质量安全站",
                        "华侨大学",
                        "泉州职业技术大学",
                    ]
                ),
                "region_code": COUNTY,
                "phone": f"139{rng.randint(10000000, 99999999)}",
                "valid_until": f"{rng.randint(2026, 2029)}-12-31",
            },
            actor,
        )
    return len(ids), staff, 16


def load_demo_data(platform: Platform, count: int = 240) -> int:
    """Load the demo data sets whose tables are empty; return how many records were added."""
    agencies, staff, experts = load_organisation(platform)
    return load_enterprises(platform, count) + agencies + staff + experts
