"""``Access`` is the whole interface its callers need: nothing above authz reaches into CasbinAccess.

Callers used to take the casbin policy's internals (``access.state()``, ``access.store``,
``access.organisations``), so the engine only ran with CasbinAccess and any other policy broke
the inbox, notices, screens and CLI. Now a policy is whatever implements Access.
"""

import random
import re
from pathlib import Path

import pytest

from anjian import Actor
from anjian.access import Access, DefaultAccess
from anjian.authz import CasbinAccess
from anjian.demo import credit_code

ENGINE = Path(__file__).parents[2] / "platform" / "anjian"
REACH = re.compile(
    r"access\)?\.(state|store|organisations|refresh|_\w+)\b|getattr\([^)]*access[^)]*\"(state|store)\"|CasbinAccess"
)
ADMIN = Actor("admin", is_admin=True)


def test_no_caller_reaches_past_access():
    found = []
    for path in sorted(ENGINE.rglob("*.py")):
        relative = path.relative_to(ENGINE).as_posix()
        if relative.startswith("authz/") or relative in ("runtime.py", "access.py"):
            continue  # the implementation, and the one place that builds it
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if REACH.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_casbin_access_implements_every_method_of_the_interface():
    interface = {name for name, value in vars(Access).items() if callable(value) and not name.startswith("_")}
    missing = {name for name in interface if getattr(CasbinAccess, name) is getattr(Access, name) and name != "grants_of"}
    assert not missing
    assert {"account", "grants", "regions", "role_titles", "add_grant", "save_account", "save_organisation"} <= interface


def test_the_casbin_policy_answers_through_the_interface(published):
    access: Access = published.access
    access.save_account(ADMIN, "keyuan", "agency", "350524")
    grant = access.add_grant(ADMIN, "keyuan", "hazard_officer", "350524")
    assert access.account("keyuan").region == "350524"
    assert [g.id for g in access.grants_of("keyuan")] == [grant] and "keyuan" in access.grants()
    assert access.regions("keyuan", "hidden_danger", "read") == ["350524"]
    assert access.holds_role("keyuan", "350524100000", ["hazard_officer"])
    assert access.role_titles()["auditor"] == "审计员"
    assert access.check_administrator(ADMIN) is None
    access.revoke_grant(ADMIN, grant)
    assert access.grants_of("keyuan") == []


def test_the_engine_runs_on_another_access_policy(settings):
    """A platform on DefaultAccess: records, a workflow step with its notices, the inbox."""
    from anjian.runtime import Platform

    platform = Platform(settings, access=DefaultAccess())
    try:
        platform.init_db()
        platform.publish()
        code = credit_code(random.Random(3))
        firm = platform.records.create(
            "enterprise", {"name": "接口测试有限公司", "credit_code": code, "region_code": "350524", "industry": "C"}, ADMIN
        )
        record = platform.records.create(
            "hidden_danger",
            {
                "enterprise_id": firm["id"],
                "region_code": "350524",
                "title": "接口测试隐患",
                "level": "major",
                "found_on": "2025-09-28",
                "description": "接口测试。",
                "measures": "整改",
                "responsible_person": "甲",
                "current_state": "现状说明",
                "cause": "原因分析",
                "severity": "危害程度分析",
                "difficulty": "整改难度分析",
            },
            ADMIN,
        )["id"]
        platform.workflow.take(ADMIN, "hidden_danger", record, "report_major", {})
        assert platform.inbox.counts(Actor("somebody")) is not None
        with pytest.raises(Exception, match="不管理账号"):
            platform.access.add_grant(ADMIN, "keyuan", "hazard_officer", "350524")
    finally:
        platform.dispose()
