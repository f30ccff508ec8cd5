"""Obligations without a draft: every active enterprise owes its quarterly and annual hidden-danger
statistics (16号令 Art. 14); the filings nobody opened are created when the period ends and go overdue."""

import random

import pytest

from anjian import Actor
from anjian.demo import credit_code

pytestmark = pytest.mark.postgres
TOWN = "350524100000"
ADMIN = Actor("admin", is_admin=True)


def statistics(api_as, user, **query):
    args = "&".join(f"{k}={v}" for k, v in {"box": "todo", "entity": "hazard_statistics", **query}.items())
    status, body = api_as(user)("get", f"/api/v1/inbox?{args}")
    assert status == 200, body
    return body["items"]


def reports(county, firm):
    platform = county["platform"]
    table = platform.registry.table("hazard_statistics")
    with platform.engine.connect() as conn:
        rows = conn.execute(table.select().where(table.c.enterprise_id == firm)).mappings().all()
    return sorted((r["period"], r["year"], r["quarter"], r["due_on"].isoformat()) for r in rows)


def test_an_enterprise_that_never_files_is_flagged(county, api_as):
    platform, clock, (firm, other) = county["platform"], county["clock"], county["firms"]
    closed = platform.records.create(
        "enterprise",
        {
            "name": "安溪已关闭测试有限公司",
            "credit_code": credit_code(random.Random(3)),
            "region_code": TOWN,
            "industry": "C",
            "status": "closed",
        },
        ADMIN,
    )["id"]
    # The second firm opened its Q3 report itself: it is not created twice.
    own = platform.records.create(
        "hazard_statistics",
        {"enterprise_id": other, "region_code": TOWN, "period": "quarter", "year": 2025, "quarter": 3},
        Actor("ent2"),
    )["id"]
    clock.set_local("2025-10-05 09:00")
    assert statistics(api_as, "ent") == []
    created = platform.obligations.materialise()
    assert created == 3  # Q3 2025 and annual 2024 for the first firm; annual 2024 for the second
    assert platform.obligations.materialise() == 0  # never twice
    assert reports(county, firm) == [("annual", 2024, None, "2025-01-31"), ("quarter", 2025, 3, "2025-10-15")]
    assert reports(county, closed) == []  # a closed enterprise owes nothing
    assert [r for r in reports(county, other) if r[0] == "quarter"] == [("quarter", 2025, 3, "2025-10-15")]

    todo = statistics(api_as, "ent")
    assert len(todo) == 2  # both expected filings wait in the enterprise's to-do list
    platform.timers.scan()
    overdue = statistics(api_as, "ent", overdue=1)
    assert len(overdue) == 1  # last year's annual report is already overdue
    assert own not in {i["record_id"] for i in statistics(api_as, "ent")}  # the other firm's report is not ours

    clock.set_local("2025-10-16 09:00")  # the Q3 report was due on 10-15
    platform.timers.scan()
    assert len(statistics(api_as, "ent", overdue=1)) == 2
    with platform.engine.connect() as conn:
        notes = platform.workflow.notices.listing(conn, "officer")
    assert any(n["kind"] == "overdue" and n["entity"] == "hazard_statistics" for n in notes)  # the county is told

    # Filing clears it: signed and submitted, the deadline is met (late) and the to-do is gone.
    expected = next(i["record_id"] for i in statistics(api_as, "ent") if i["record_id"] != own)
    ent = api_as("ent")
    assert ent("patch", f"/api/v1/e/hazard_statistics/{expected}", {"signed_by": "陈总经理"})[0] == 200
    assert ent("post", f"/api/v1/e/hazard_statistics/{expected}/transitions/submit", {})[0] == 200
    assert len(statistics(api_as, "ent")) == 1
