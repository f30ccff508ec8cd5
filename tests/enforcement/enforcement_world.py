"""The enforcement tests' county: 安溪县 with two townships, its people and their grants (shared by
conftest.py and the tests; a module of its own, since two test folders' ``conftest`` collide by name)."""

import datetime as dt

from anjian import Actor

ADMIN = Actor("admin", is_admin=True)
PASSWORD = "Enforce-pass-1"
COUNTY = "350524"  # 安溪县
TOWN = "350524100000"  # 凤城镇
OTHER_TOWN = "350524101000"  # 蓬莱镇
START = dt.datetime(2025, 9, 29, 2, 0)  # Monday 29 September 2025, 10:00 in 安溪

# user -> (type, region, grants)
USERS = {
    "officer": ("agency", COUNTY, [("enforcement_officer", COUNTY)]),
    "head": ("agency", COUNTY, [("enforcement_head", COUNTY)]),
    "leader": ("agency", COUNTY, [("enforcement_viewer", COUNTY)]),
    "town_officer": ("agency", OTHER_TOWN, [("enforcement_officer", OTHER_TOWN)]),
    "hazard": ("agency", COUNTY, [("hazard_officer", COUNTY)]),
    "ent": ("enterprise", TOWN, [("enterprise_safety", TOWN)]),
}
